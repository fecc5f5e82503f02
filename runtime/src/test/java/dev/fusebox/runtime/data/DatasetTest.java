package dev.fusebox.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DatasetTest {

  /** Rows whose first feature is their index, so that any derived data set shows where rows went. */
  private static Dataset indexed(int rows) {
    float[][] x = new float[rows][];
    int[] y = new int[rows];
    for (int r = 0; r < rows; r++) {
      x[r] = new float[] {r, 100 + r};
      y[r] = r % 4;
    }
    return Dataset.ofClasses(x, y, 4);
  }

  private static int[] rowIds(Dataset d) {
    int[] ids = new int[d.rows()];
    for (int r = 0; r < d.rows(); r++) ids[r] = (int) d.feature(r, 0);
    return ids;
  }

  @Test
  void rowAndFlatFactoriesBuildTheSameData() {
    Dataset rows = Dataset.ofClasses(new float[][] {{1, 2, 3}, {4, 5, 6}}, new int[] {2, 0}, 3);
    Dataset flat = Dataset.ofClasses(new float[] {1, 2, 3, 4, 5, 6}, 3, new int[] {2, 0}, 3);

    assertThat(rows).isEqualTo(flat);
    assertThat(rows.rows()).isEqualTo(2);
    assertThat(rows.featureCount()).isEqualTo(3);
    assertThat(rows.feature(1, 2)).isEqualTo(6f);
    assertThat(rows.label(0)).isEqualTo(2);
    assertThat(rows.classes()).isEqualTo(3);
    assertThat(rows.featureNames()).containsExactly("x0", "x1", "x2");
    assertThat(rows.labelNames()).containsExactly("y");
    assertThat(rows.hasLabels()).isTrue();
    assertThat(rows.hasTargets()).isFalse();
    assertThat(rows.targetCount()).isZero();
  }

  @Test
  void targetsAndUnlabelledData() {
    Dataset t = Dataset.ofTargets(new float[][] {{1}, {2}}, new float[][] {{0.5f, -1}, {1.5f, -2}});
    assertThat(t).isEqualTo(Dataset.ofTargets(new float[] {1, 2}, 1, new float[] {0.5f, -1, 1.5f, -2}, 2));
    assertThat(t.targetCount()).isEqualTo(2);
    assertThat(t.target(1, 1)).isEqualTo(-2f);
    assertThat(t.labelNames()).containsExactly("y0", "y1");
    assertThat(t.classes()).isZero();
    assertThat(Dataset.ofTargets(new float[] {1, 2}, 2, new float[] {3}, 1).labelNames()).containsExactly("y");

    Dataset u = Dataset.ofFeatures(new float[] {1, 2, 3, 4, 5, 6}, 2);
    assertThat(u.rows()).isEqualTo(3);
    assertThat(u).isEqualTo(Dataset.ofFeatures(new float[][] {{1, 2}, {3, 4}, {5, 6}}));
    assertThat(u.labelNames()).isEmpty();
    assertThatThrownBy(() -> u.label(0)).isInstanceOf(IllegalStateException.class)
        .hasMessage("data set has no class labels");
    assertThatThrownBy(() -> u.copyTargets(0, new float[1], 0)).isInstanceOf(IllegalStateException.class)
        .hasMessage("data set has no targets");
  }

  @Test
  void isUnaffectedByChangesToTheArraysItWasMadeFromOrHandsOut() {
    float[][] x = {{1, 2}, {3, 4}};
    int[] y = {0, 1};
    Dataset d = Dataset.ofClasses(x, y, 2);
    x[0][0] = 99;
    y[1] = 0;
    d.features()[0] = 99;
    d.labels()[1] = 0;
    assertThat(d.feature(0, 0)).isEqualTo(1f);
    assertThat(d.label(1)).isEqualTo(1);
  }

  @Test
  void copiesRowsIntoCallerArraysAtAnOffset() {
    Dataset d = Dataset.ofClasses(new float[][] {{1, 2}, {3, 4}}, new int[] {0, 2}, 3);
    float[] buffer = {-1, -1, -1, -1, -1};
    d.copyFeatures(1, buffer, 2);
    assertThat(buffer).containsExactly(-1, -1, 3, 4, -1);

    float[] hot = {9, 9, 9, 9, 9};
    d.copyOneHot(1, hot, 1);
    assertThat(hot).containsExactly(9, 0, 0, 1, 9);
    assertThat(d.oneHot()).containsExactly(1, 0, 0, 0, 0, 1);

    Dataset t = Dataset.ofTargets(new float[] {1, 2}, 1, new float[] {5, 6, 7, 8}, 2);
    float[] targets = new float[3];
    t.copyTargets(1, targets, 1);
    assertThat(targets).containsExactly(0, 7, 8);
  }

  @Test
  void rejectsInconsistentInput() {
    assertThatThrownBy(() -> Dataset.ofClasses(new float[][] {{1}, {2}}, new int[] {0, 3}, 3))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("label 3 of row 1 is not in [0, 3)");
    assertThatThrownBy(() -> Dataset.ofClasses(new float[][] {{1}, {2}}, new int[] {0}, 3))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("1 labels for 2 rows");
    assertThatThrownBy(() -> Dataset.ofFeatures(new float[][] {{1, 2}, {3}}))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("features row 1 has 1 values, row 0 has 2");
    assertThatThrownBy(() -> Dataset.ofFeatures(new float[] {1, 2, 3}, 2))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("3 values are not whole rows of 2 features");
    assertThatThrownBy(() -> Dataset.ofClasses(new float[] {1, 2, 3}, 2, new int[] {0, 0}, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("features hold 3 values, not 2 rows × 2 features");
    assertThatThrownBy(() -> Dataset.ofFeatures(new float[0][]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no rows, so the number of columns is unknown; use a row-major factory");
  }

  @Test
  void renamesAndWidensClassesWithoutCopying() {
    Dataset d = indexed(3).withNames(List.of("id", "id+100"), List.of("quarter"));
    assertThat(d.featureNames()).containsExactly("id", "id+100");
    assertThat(d.labelNames()).containsExactly("quarter");
    assertThat(d.withClasses(10).classes()).isEqualTo(10);
    assertThatThrownBy(() -> d.withClasses(2)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("label 2 of row 2 is not in [0, 2)");
    assertThatThrownBy(() -> d.withNames(List.of("a"), List.of("b")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("1 feature names for 2 features");
  }

  @Test
  void selectsRowsInTheGivenOrderWithRepeats() {
    Dataset s = indexed(5).select(new int[] {4, 1, 1});
    assertThat(rowIds(s)).containsExactly(4, 1, 1);
    assertThat(s.feature(0, 1)).isEqualTo(104f);
    assertThat(s.labels()).containsExactly(0, 1, 1);
    assertThat(s.classes()).isEqualTo(4);
    assertThatThrownBy(() -> indexed(5).select(new int[] {5})).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void splitsIntoDisjointOrderedPartsThatCoverEveryRow() {
    Dataset.Split split = indexed(10).split(0.3, 42);

    assertThat(split.valid().rows()).isEqualTo(3);
    assertThat(split.train().rows()).isEqualTo(7);
    Set<Integer> seen = new HashSet<>();
    for (int id : rowIds(split.train())) assertThat(seen.add(id)).isTrue();
    for (int id : rowIds(split.valid())) assertThat(seen.add(id)).isTrue();
    assertThat(seen).hasSize(10);
    assertThat(rowIds(split.train())).isSorted();
    assertThat(rowIds(split.valid())).isSorted();
    for (int r = 0; r < 3; r++) {
      assertThat(split.valid().label(r)).isEqualTo(rowIds(split.valid())[r] % 4);
    }
  }

  @Test
  void splitDependsOnlyOnTheSeed() {
    Dataset d = indexed(200);
    int[] first = rowIds(d.split(0.25, 7).valid());
    assertThat(rowIds(d.split(0.25, 7).valid())).isEqualTo(first);
    assertThat(rowIds(indexed(200).split(0.25, 7).valid())).isEqualTo(first);
    assertThat(rowIds(d.split(0.25, 8).valid())).isNotEqualTo(first);
    // Not simply the first or last rows.
    assertThat(first).isNotEqualTo(range(0, 50)).isNotEqualTo(range(150, 200));
  }

  @Test
  void splitKeepsBothPartsNonEmpty() {
    assertThat(indexed(2).split(0.01, 1).valid().rows()).isEqualTo(1);
    assertThat(indexed(2).split(0.99, 1).train().rows()).isEqualTo(1);
    assertThat(indexed(10).split(0.01, 1).valid().rows()).isEqualTo(1);
    assertThatThrownBy(() -> indexed(1).split(0.5, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot split 1 rows into two non-empty parts");
    assertThatThrownBy(() -> indexed(4).split(1.0, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the validation fraction must be in (0, 1), not 1.0");
  }

  private static int[] range(int from, int to) {
    int[] r = new int[to - from];
    Arrays.setAll(r, i -> from + i);
    return r;
  }
}
