package dev.fusebox.ir;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusebox.ops.Activations;
import dev.fusebox.ops.Arithmetic;
import dev.fusebox.ops.Input;
import dev.fusebox.ops.Variable;
import dev.fusebox.runtime.InputKind;
import dev.fusebox.runtime.init.Initializers;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The verifier catches each broken invariant, as a bug (IllegalStateException), naming the node. */
class GraphVerifierTest {
  private static final Input X = new Input(InputKind.FEATURES, Shape.of(2, 3), 0);

  @Test
  void aWellFormedGraphPasses() {
    Graph.Builder b = Graph.builder();
    Node x = b.add(X, List.of(), "x", "", null);
    b.add(Activations.relu(), List.of(x), "h", "", null);
    assertThatCode(() -> GraphVerifier.verify(b.build())).doesNotThrowAnyException();
  }

  @Test
  void wrongShape() {
    Graph.Builder b = Graph.builder();
    Node x = b.add(X, List.of(), "x", "", null);
    b.appendUnchecked(new Node(1, Activations.relu(), List.of(x), Shape.of(3, 2), DType.F32, "h", "", null));
    assertThatThrownBy(() -> GraphVerifier.verify(b.buildUnverified()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("relu 'h' (#1) has shape [3, 2] but its op gives [2, 3]")
        .hasMessageContaining("bug in Fusebox");
  }

  @Test
  void inputNotDefinedBeforeUse() {
    Graph.Builder other = Graph.builder();
    Node foreign = other.add(X, List.of(), "x", "", null);
    Graph.Builder b = Graph.builder();
    b.appendUnchecked(new Node(0, Activations.relu(), List.of(foreign), Shape.of(2, 3), DType.F32, "h", "", null));
    assertThatThrownBy(() -> GraphVerifier.verify(b.buildUnverified()))
        .hasMessageContaining("relu 'h' (#0) uses 'x' which is not defined before it in this graph (cycle or foreign node)");
  }

  @Test
  void aCycleIsAUseBeforeDefinition() {
    // h0 = relu(h1), h1 = relu(h0): whichever comes first uses a node defined after it.
    Graph.Builder b = Graph.builder();
    Node placeholder = new Node(1, Activations.relu(), List.of(), Shape.of(2, 3), DType.F32, "h1", "", null);
    Node h0 = new Node(0, Activations.relu(), List.of(placeholder), Shape.of(2, 3), DType.F32, "h0", "", null);
    b.appendUnchecked(h0).appendUnchecked(new Node(1, Activations.relu(), List.of(h0), Shape.of(2, 3), DType.F32, "h1", "", null));
    assertThatThrownBy(() -> GraphVerifier.verify(b.buildUnverified())).hasMessageContaining("relu 'h0' (#0) uses 'h1'");
  }

  @Test
  void wrongArity() {
    Graph.Builder b = Graph.builder();
    Node x = b.add(X, List.of(), "x", "", null);
    b.appendUnchecked(new Node(1, Arithmetic.add(), List.of(x), Shape.of(2, 3), DType.F32, "s", "", null));
    assertThatThrownBy(() -> GraphVerifier.verify(b.buildUnverified())).hasMessageContaining("add 's' (#1) has 1 inputs, its op takes 2");
  }

  @Test
  void duplicateNameAndWrongId() {
    Graph.Builder b = Graph.builder();
    Node x = b.add(X, List.of(), "x", "", null);
    b.appendUnchecked(new Node(1, Activations.relu(), List.of(x), Shape.of(2, 3), DType.F32, "x", "", null));
    assertThatThrownBy(() -> GraphVerifier.verify(b.buildUnverified())).hasMessageContaining("reuses the name 'x'");
    Graph.Builder c = Graph.builder();
    c.appendUnchecked(new Node(5, X, List.of(), Shape.of(2, 3), DType.F32, "x", "", null));
    assertThatThrownBy(() -> GraphVerifier.verify(c.buildUnverified())).hasMessageContaining("has id 5 at position 0");
  }

  @Test
  void wrongElementType() {
    Graph.Builder b = Graph.builder();
    b.appendUnchecked(new Node(0, X, List.of(), Shape.of(2, 3), DType.I32, "x", "", null));
    assertThatThrownBy(() -> GraphVerifier.verify(b.buildUnverified())).hasMessageContaining("has type i32 but its op gives f32");
  }

  @Test
  void updatesMustTargetVariablesOfTheSameShape() {
    Graph.Builder b = Graph.builder();
    Node x = b.add(X, List.of(), "x", "", null);
    Node w = b.add(Variable.parameter(Shape.of(3), Initializers.zeros(), 0), List.of(), "w", "", null);
    assertThatThrownBy(() -> b.update(x, x)).isInstanceOf(GraphException.class).hasMessageContaining("only variables");
    assertThatThrownBy(() -> b.update(w, x)).isInstanceOf(GraphException.class)
        .hasMessageContaining("new value 'x' has shape [2, 3], the variable has [3]");
    Node w2 = b.add(Activations.relu(), List.of(w), "w2", "", null);
    b.update(w, w2);
    assertThatThrownBy(() -> b.update(w, w2)).hasMessageContaining("already has an update");
  }
}
