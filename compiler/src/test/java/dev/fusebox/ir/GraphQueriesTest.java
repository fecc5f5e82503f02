package dev.fusebox.ir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusebox.autodiff.Autodiff;
import dev.fusebox.builder.Activation;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.optim.Optimizer;
import dev.fusebox.optim.TrainingGraph;
import dev.fusebox.runtime.init.Initializers;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The questions every consumer asks of a graph, answered by the graph itself. */
class GraphQueriesTest {

  /** x [2, 3] → relu(x·wᵀ) → sum as the loss, and its gradients. */
  private static Graph differentiated() {
    GraphBuilder g = GraphBuilder.create(1);
    Tensor lr = g.scalar("lr", 0.1);
    Tensor x = g.input("x", 2, 3);
    Tensor w = g.parameter("w", Initializers.uniform(-1, 1), 4, 3);
    Tensor a = g.relu(g.matmul(x, w, false, true).named("z")).named("a");
    Tensor s = g.sum(g.mul(a, lr)).named("s");
    return Autodiff.differentiate(g.output("prediction", a).loss(s).build());
  }

  private static List<String> names(java.util.Collection<Node> nodes) {
    return nodes.stream().map(Node::name).toList();
  }

  @Test
  void aForwardRunComputesWhatTheOutputsNeedAndNoGradient() {
    Graph g = differentiated();
    assertThat(g.outputs()).containsKey("w.grad");
    // Worked out by hand from the graph above: the gradient output is not a forward root.
    assertThat(names(g.forwardNodes())).containsExactly("lr", "x", "w", "z", "a", g.output("loss").inputs().get(0).name(), "s");
    assertThat(g.backwardNodes()).contains(g.node("w.grad")).doesNotContainAnyElementsOf(g.forwardNodes());
    for (Node n : g.nodes()) {
      if (n.gradOf() != null) assertThat(g.backwardNodes()).as(n.name()).contains(n);
    }
  }

  @Test
  void aTrainingStepComputesWhatEveryOutputAndUpdateNeeds() {
    Graph t = TrainingGraph.of(differentiatedForward(), Optimizer.adam(0.01));
    List<Node> step = t.stepNodes();
    assertThat(step).containsAll(t.updates().values()).containsAll(t.outputs().values());
    assertThat(step).containsAll(t.forwardNodes());
    assertThat(names(t.trainableParameters())).containsExactly("w.weight", "w.bias");
    assertThat(t.nodes()).filteredOn(n -> n.op().isVariable()).hasSizeGreaterThan(1); // Adam's state is not trainable
  }

  private static Graph differentiatedForward() {
    GraphBuilder g = GraphBuilder.create(1);
    Tensor x = g.input("x", 2, 3);
    Tensor y = g.labels("y", 2, 4);
    Tensor z = g.dense("w", x, 4, Activation.IDENTITY);
    return g.output("prediction", z).loss(g.softmaxCrossEntropy(z, y)).build();
  }

  @Test
  void theBatchSizeIsTheFirstDimensionOfABatchedInputNotOfAScalar() {
    assertThat(differentiated().batchSize()).isEqualTo(2);
    GraphBuilder g = GraphBuilder.create();
    g.output("c", g.mul(g.scalar("k", 2), g.constant(3)));
    assertThat(g.build().batchSize()).isEqualTo(1);
  }

  @Test
  void aMissingNodeIsNamedWithTheNamesItMayHaveMeant() {
    Graph g = TrainingGraph.of(differentiatedForward(), Optimizer.adam(0.01));
    assertThatThrownBy(() -> g.node("w.wieght")).isInstanceOf(GraphException.class)
        .hasMessage("no node named 'w.wieght' in this graph; similar names: w.weight");
    assertThatThrownBy(() -> g.node("nothing_like_it")).hasMessage("no node named 'nothing_like_it' in this graph");
  }
}
