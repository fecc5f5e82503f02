package dev.fusebox.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusebox.ir.GraphException;
import dev.fusebox.runtime.init.Initializers;
import org.junit.jupiter.api.Test;

/** Every kind of bad builder call fails at once, naming the op, the node, the shapes and the caller's line. */
class GraphBuilderErrorsTest {

  /** This file's name and the line of the statement that follows the call. */
  private static String here(int delta) {
    return "GraphBuilderErrorsTest.java:" + (new Throwable().getStackTrace()[1].getLineNumber() + delta);
  }

  @Test
  void matmulShapeMismatchNamesOpNodeShapesDimensionAndLine() {
    GraphBuilder g = GraphBuilder.create();
    Tensor x = g.input("x", 32, 784);
    Tensor w = g.parameter("w", Initializers.zeros(), 128, 10);
    String line = here(1);
    assertThatThrownBy(() -> g.matmul(x, w))
        .isInstanceOf(GraphException.class)
        .hasMessageContaining("matmul 'matmul_2' at " + line)
        .hasMessageContaining("inner dimensions differ")
        .hasMessageContaining("784 != 128")
        .hasMessageContaining("x f32[32, 784]")
        .hasMessageContaining("w f32[128, 10]");
  }

  @Test
  void denseNeedsAMatrixInput() {
    GraphBuilder g = GraphBuilder.create();
    Tensor v = g.parameter("v", Initializers.zeros(), 3);
    String line = here(1);
    assertThatThrownBy(() -> g.dense("layer", v, 5, Activation.RELU))
        .isInstanceOf(GraphException.class)
        .hasMessage("dense 'layer' at " + line + ": input 'v' must be [batch, features], not [3]");
  }

  @Test
  void broadcastMismatchNamesBothShapes() {
    GraphBuilder g = GraphBuilder.create();
    Tensor a = g.input("a", 4, 3);
    Tensor b = g.parameter("b", Initializers.zeros(), 4);
    String line = here(1);
    assertThatThrownBy(() -> g.add(a, b))
        .isInstanceOf(GraphException.class)
        .hasMessageContaining("add 'add_2' at " + line + ": shapes [4, 3] and [4] do not broadcast");
  }

  @Test
  void nonPositiveSizesAreRejected() {
    GraphBuilder g = GraphBuilder.create();
    String line = here(1);
    assertThatThrownBy(() -> g.input("x", 0, 3))
        .isInstanceOf(GraphException.class)
        .hasMessage("input 'x' at " + line + ": shape [0, 3] has a non-positive dimension");
    assertThatThrownBy(() -> g.parameter("w", Initializers.zeros(), 3, -2))
        .isInstanceOf(GraphException.class).hasMessageContaining("param 'w'").hasMessageContaining("[3, -2] has a non-positive dimension");
    Tensor x = g.input("x", 2, 3);
    assertThatThrownBy(() -> g.dense("d", x, 0, Activation.RELU))
        .isInstanceOf(GraphException.class).hasMessageContaining("dense 'd'").hasMessageContaining("units must be positive, got 0");
    assertThatThrownBy(() -> g.labels("y", 2, 1))
        .isInstanceOf(GraphException.class).hasMessageContaining("needs at least 2 classes, got 1");
  }

  @Test
  void nonFiniteConstantsAreRejected() {
    GraphBuilder g = GraphBuilder.create();
    assertThatThrownBy(() -> g.constant(Double.NaN))
        .isInstanceOf(GraphException.class).hasMessageContaining("constant value NaN at index 0 is not finite");
    assertThatThrownBy(() -> g.constant(new double[] {1, Double.POSITIVE_INFINITY}, 2))
        .isInstanceOf(GraphException.class).hasMessageContaining("Infinity at index 1");
    Tensor x = g.input("x", 1, 1);
    assertThatThrownBy(() -> g.scale(x, Double.NaN)).isInstanceOf(GraphException.class).hasMessageContaining("not finite");
    assertThatThrownBy(() -> Initializers.constant(Double.NaN)).hasMessageContaining("finite value");
  }

  @Test
  void duplicateNamesNameTheFirstUse() {
    GraphBuilder g = GraphBuilder.create();
    String first = here(1);
    g.input("x", 2, 2);
    assertThatThrownBy(() -> g.parameter("x", Initializers.zeros(), 2))
        .isInstanceOf(GraphException.class)
        .hasMessageContaining("param 'x'")
        .hasMessageContaining("the name 'x' is already used by input 'x' (#0) at " + first);
    Tensor y = g.input("y", 2, 2);
    assertThatThrownBy(() -> g.relu(y).named("x")).isInstanceOf(GraphException.class).hasMessageContaining("already used");
  }

  @Test
  void nodesOfTwoBuildersCannotBeMixed() {
    GraphBuilder a = GraphBuilder.create(), b = GraphBuilder.create();
    Tensor x = a.input("x", 2, 2);
    Tensor y = b.input("y", 2, 2);
    assertThatThrownBy(() -> a.add(x, y))
        .isInstanceOf(GraphException.class)
        .hasMessage("tensor 'y' belongs to another graph builder; nodes of two builders cannot be mixed");
  }

  @Test
  void unknownActivationsListTheKnownOnes() {
    assertThatThrownBy(() -> Activation.parse("relux"))
        .isInstanceOf(GraphException.class)
        .hasMessageStartingWith("unknown activation 'relux'; known: identity, sigmoid, tanh, hard_sigmoid")
        .hasMessageContaining("maxout");
    assertThatThrownBy(() -> Activation.parse("leaky_relu(x)")).hasMessageContaining("'x' is not a number");
    assertThatThrownBy(() -> Activation.parse("relu(2)")).hasMessageContaining("takes no argument");
    assertThatThrownBy(() -> Activation.parse("maxout(1)")).hasMessageContaining("at least 2 pieces");
    assertThat(Activation.parse(" Leaky_ReLU(0.2) ")).isEqualTo(Activation.leakyRelu(0.2));
    assertThat(Activation.parse("swish(learned)")).isEqualTo(Activation.SWISH_LEARNED);
  }

  @Test
  void labelsForTakesRowsAndClassesFromTheLogits() {
    GraphBuilder g = GraphBuilder.create();
    Tensor logits = g.input("z", 8, 10);
    Tensor y = g.labelsFor("y", logits);
    Tensor spelledOut = g.labels("y2", 8, 10);
    assertThat(y.shape()).isEqualTo(spelledOut.shape());
    assertThat(y.shape().dims()).containsExactly(8);
    assertThat(y.node().op()).isEqualTo(spelledOut.node().op());
    g.output("prediction", logits).loss(g.softmaxCrossEntropy(logits, y));
    assertThat(g.build().node("y").shape().dims()).containsExactly(8);
    Tensor vector = g.parameter("b", Initializers.zeros(), 10);
    assertThatThrownBy(() -> g.labelsFor("y3", vector)).isInstanceOf(GraphException.class)
        .hasMessageContaining("input 'y3'").hasMessageContaining("labels are declared for logits [rows, classes]");
  }

  @Test
  void lossesCheckTheirTargets() {
    GraphBuilder g = GraphBuilder.create();
    Tensor logits = g.input("z", 8, 10);
    Tensor labels = g.labels("y", 8, 5);
    assertThatThrownBy(() -> g.softmaxCrossEntropy(logits, labels))
        .isInstanceOf(GraphException.class)
        .hasMessageContaining("softmax_cross_entropy")
        .hasMessageContaining("labels 'y' have 5 classes but the prediction has 10 columns");
    Tensor wrongRows = g.labels("y2", 4, 10);
    assertThatThrownBy(() -> g.softmaxCrossEntropy(logits, wrongRows)).hasMessageContaining("labels must have shape [8] (one per row), not [4]");
    Tensor goodLabels = g.labels("y3", 8, 10);
    assertThatThrownBy(() -> g.mse(logits, goodLabels)).hasMessageContaining("needs float targets shaped like the prediction, not integer labels");
    Tensor t = g.targets("t", 8, 1);
    assertThatThrownBy(() -> g.mse(logits, t)).hasMessageContaining("target shape [8, 1] differs from prediction shape [8, 10]");
    assertThatThrownBy(() -> g.loss(logits)).hasMessage("loss 'z' must be a scalar, not [8, 10]");
  }

  @Test
  void labelsCannotFeedFloatOps() {
    GraphBuilder g = GraphBuilder.create();
    Tensor y = g.labels("y", 4, 3);
    assertThatThrownBy(() -> g.relu(y)).isInstanceOf(GraphException.class).hasMessageContaining("operand 'y' must be f32, not i32");
  }

  @Test
  void explicitSitesReplaceJavaCallSites() {
    GraphBuilder g = GraphBuilder.create().at("spec.json: layers[1]");
    Tensor x = g.input("x", 4, 3);
    assertThat(x.node().site()).isEqualTo("spec.json: layers[1]");
    assertThatThrownBy(() -> g.dense("d", x, 0, Activation.RELU)).hasMessageContaining("dense 'd' at spec.json: layers[1]");
    g.at(null);
    assertThat(g.input("x2", 4, 3).node().site()).startsWith("GraphBuilderErrorsTest.java:");
  }

  @Test
  void namingIsOnlyAllowedBeforeUse() {
    GraphBuilder g = GraphBuilder.create();
    Tensor x = g.input("x", 2, 2);
    Tensor h = g.relu(x);
    g.tanh(h);
    assertThatThrownBy(() -> h.named("h")).isInstanceOf(GraphException.class).hasMessageContaining("already used by another node");
  }
}
