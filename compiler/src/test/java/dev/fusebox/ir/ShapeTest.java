package dev.fusebox.ir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ShapeTest {

  @Test
  void broadcastingFollowsNumpy() {
    assertThat(Shape.broadcast(Shape.of(32, 10), Shape.of(10))).isEqualTo(Shape.of(32, 10));
    assertThat(Shape.broadcast(Shape.of(32, 1), Shape.of(1, 10))).isEqualTo(Shape.of(32, 10));
    assertThat(Shape.broadcast(Shape.scalar(), Shape.of(3))).isEqualTo(Shape.of(3));
    assertThat(Shape.broadcast(Shape.of(1), Shape.of(4, 1))).isEqualTo(Shape.of(4, 1));
    assertThat(Shape.broadcast(Shape.of(32, 10), Shape.of(32))).isNull(); // aligned at the trailing dimension
    assertThat(Shape.broadcast(Shape.of(2, 3), Shape.of(3, 2))).isNull();
    assertThat(Shape.of(10).broadcastsTo(Shape.of(4, 10))).isTrue();
    assertThat(Shape.of(4, 10).broadcastsTo(Shape.of(10))).isFalse();
  }

  @Test
  void matrixViewOfVectorsAndScalars() {
    assertThat(Shape.of(7).rows()).isEqualTo(1);
    assertThat(Shape.of(7).cols()).isEqualTo(7);
    assertThat(Shape.scalar().size()).isEqualTo(1);
    assertThat(Shape.scalar().cols()).isEqualTo(1);
    assertThat(Shape.of(3, 5).size()).isEqualTo(15);
  }

  @Test
  void rejectsBadShapes() {
    assertThatThrownBy(() -> Shape.of(2, 3, 4)).hasMessageContaining("rank 3; Fusebox supports rank 0, 1 and 2");
    assertThatThrownBy(() -> Shape.of(2, 0)).hasMessageContaining("non-positive dimension");
  }
}
