package dev.fusebox.ir;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.autodiff.Autodiff;
import dev.fusebox.builder.Activation;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The text and DOT forms show every node with its op, shape and origin. */
class GraphPrinterTest {

  private static Graph tiny() {
    GraphBuilder g = GraphBuilder.create(3).at("model.json: layers[0]");
    Tensor x = g.input("x", 4, 2);
    Tensor y = g.labels("y", 4, 3);
    Tensor logits = g.dense("layers.0", x, 3, Activation.RELU);
    return g.output("prediction", logits).loss(g.softmaxCrossEntropy(logits, y)).build();
  }

  @Test
  void printsTheForwardGraphExactly() {
    assertThat(GraphPrinter.print(tiny())).isEqualTo(String.join("\n",
        "x = input[features] : f32[4, 2]                                   # model.json: layers[0]",
        "y = input[labels,classes=3] : i32[4]                              # model.json: layers[0]",
        "layers.0.weight = param[fan_in_uniform] : f32[3, 2]               # model.json: layers[0]",
        "layers.0.bias = param[fan_in_uniform] : f32[3]                    # model.json: layers[0]",
        "layers.0.xw = matmul[transB](x, layers.0.weight) : f32[4, 3]      # model.json: layers[0]",
        "layers.0.z = add(layers.0.xw, layers.0.bias) : f32[4, 3]          # model.json: layers[0]",
        "layers.0.a = relu(layers.0.z) : f32[4, 3]                         # model.json: layers[0]",
        "softmax_cross_entropy_7 = softmax_cross_entropy(layers.0.a, y) : f32[]  # model.json: layers[0]",
        "output prediction = layers.0.a",
        "output loss = softmax_cross_entropy_7",
        ""));
  }

  @Test
  void backwardNodesSayWhichForwardNodeTheyCameFrom() {
    String text = GraphPrinter.print(Autodiff.differentiate(tiny()));
    assertThat(text).contains("layers.0.z.grad = relu_grad{select(gt(x0, 0), x1, 0)}(layers.0.a, "); // from the output: z is not needed
    assertThat(text).containsPattern("layers\\.0\\.weight\\.grad = matmul\\[transA\\]\\(layers\\.0\\.z\\.grad, x\\) : f32\\[3, 2\\] +# grad of layers\\.0\\.xw");
    assertThat(text).containsPattern("layers\\.0\\.bias\\.grad = sum_to\\[to=\\[3\\]\\]\\(layers\\.0\\.z\\.grad\\) : f32\\[3\\] +# grad of layers\\.0\\.z");
    assertThat(text).contains("output layers.0.weight.grad = layers.0.weight.grad");
  }

  @Test
  void dotHasEveryNodeAndEdgeAndColoursBackwardNodes() {
    Graph g = Autodiff.differentiate(tiny());
    String dot = Dot.render(g);
    assertThat(dot).startsWith("digraph fusebox {").endsWith("}\n");
    // One node statement per graph node, labelled with name, op and shape.
    Matcher nodes = Pattern.compile("^  n(\\d+) \\[label=\"([^\"\\\\]|\\\\.)*\"", Pattern.MULTILINE).matcher(dot);
    int count = 0;
    while (nodes.find()) count++;
    assertThat(count).isEqualTo(g.size());
    assertThat(dot).contains("n4 [label=\"layers.0.xw\\nmatmul[transB]\\nf32[4, 3]\"");
    // Every edge joins defined nodes, and there is one per input.
    Matcher edges = Pattern.compile("^  n(\\d+) -> n(\\d+)", Pattern.MULTILINE).matcher(dot);
    int edgeCount = 0;
    while (edges.find()) {
      assertThat(Integer.parseInt(edges.group(1))).isLessThan(g.size());
      assertThat(Integer.parseInt(edges.group(2))).isLessThan(g.size());
      edgeCount++;
    }
    assertThat(edgeCount).isEqualTo(g.nodes().stream().mapToInt(n -> n.inputs().size()).sum());
    String weightGrad = "n" + g.node("layers.0.weight.grad").id() + " [";
    assertThat(dot.lines().filter(l -> l.startsWith("  " + weightGrad)).findFirst().orElseThrow()).contains("#fde2e2");
    assertThat(dot.lines().filter(l -> l.startsWith("  n0 [")).findFirst().orElseThrow()).contains("#dbeafe");
    assertThat(dot.lines().filter(l -> l.startsWith("  n2 [")).findFirst().orElseThrow()).contains("#fef3c7");
  }
}
