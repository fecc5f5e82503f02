package dev.fusebox.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Node;
import dev.fusebox.ops.MatMul;
import dev.fusebox.ops.Reduce;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The random graphs reach every shape the differential tests are meant to cover, not only MLPs. */
class RandomGraphsTest {

  @Test
  void theFirstSeedsReachEveryShape() {
    Map<String, Predicate<Graph>> features = new TreeMap<>();
    features.put("parameter as the right operand of a matmul", g -> matmuls(g).anyMatch(m -> m.input(1).op().isVariable()));
    features.put("parameter as the left operand of a matmul", g -> matmuls(g).anyMatch(m -> m.input(0).op().isVariable()));
    features.put("transposed parameter operand", g -> matmuls(g).anyMatch(m -> m.input(0).op().isVariable() && ((MatMul) m.op()).transA()
        || m.input(1).op().isVariable() && ((MatMul) m.op()).transB()));
    features.put("scalar parameter", g -> g.nodes().stream().anyMatch(n -> n.op().isVariable() && n.shape().rank() == 0));
    features.put("row-vector parameter outside a dense layer",
        g -> g.nodes().stream().anyMatch(n -> n.op().isVariable() && n.shape().rank() == 1 && !n.name().endsWith(".bias")));
    features.put("parameter read by a reduction", g -> users(g).entrySet().stream()
        .anyMatch(e -> e.getKey().op().isVariable() && e.getValue().stream().anyMatch(u -> u.op() instanceof Reduce)));
    features.put("computed value feeding two matmuls", g -> users(g).entrySet().stream()
        .anyMatch(e -> !e.getKey().op().isSource() && e.getValue().stream().filter(u -> u.op() instanceof MatMul).count() >= 2));
    features.put("chain of matmuls", g -> matmuls(g).anyMatch(m -> m.inputs().stream().anyMatch(in -> in.op() instanceof MatMul)));
    features.put("dead parameter", g -> users(g).entrySet().stream().anyMatch(e -> e.getKey().op().isVariable() && e.getValue().isEmpty()));
    features.put("column broadcast", g -> g.nodes().stream().anyMatch(n -> n.inputs().size() == 2 && n.shape().rank() == 2 && n.shape().cols() > 1
        && n.inputs().stream().anyMatch(in -> in.shape().rank() == 2 && in.shape().cols() == 1 && in.shape().rows() == n.shape().rows())));
    for (String op : List.of("relu", "sigmoid", "tanh", "hard_sigmoid", "hard_tanh", "leaky_relu", "elu", "softplus", "swish", "prelu",
        "gelu", "gelu_tanh", "maxout", "softmax", "log_softmax", "transpose", "dropout_mask", "mse", "bce_with_logits", "bce",
        "half_mse", "softmax_cross_entropy", "cross_entropy", "neg", "square", "exp", "log", "sqrt", "abs", "div", "sum", "mean")) {
      features.put("op " + op, g -> g.nodes().stream().anyMatch(n -> n.op().name().equals(op)));
    }
    Map<String, Integer> counts = new TreeMap<>();
    for (long seed = 1; seed <= 500; seed++) {
      Graph g = RandomGraphs.forward(seed);
      features.forEach((name, has) -> counts.merge(name, has.test(g) ? 1 : 0, Integer::sum));
    }
    assertThat(counts).as("graphs of the first 500 seeds with each feature").allSatisfy((name, n) -> assertThat(n).as(name).isGreaterThanOrEqualTo(5));
  }

  private static java.util.stream.Stream<Node> matmuls(Graph g) {
    return g.nodes().stream().filter(n -> n.op() instanceof MatMul);
  }

  private static Map<Node, List<Node>> users(Graph g) {
    return g.users();
  }
}
