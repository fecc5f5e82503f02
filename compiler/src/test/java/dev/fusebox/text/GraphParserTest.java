package dev.fusebox.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusebox.autodiff.Autodiff;
import dev.fusebox.builder.Activation;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.GraphException;
import dev.fusebox.ir.GraphPrinter;
import dev.fusebox.model.ModelSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Printing and parsing are inverses: print(parse(print(g))) == print(g). */
class GraphParserTest {

  static Stream<String> specs() {
    // Every activation a layer takes, by name, and the arguments the names alone do not show.
    List<String> names = new ArrayList<>(Activation.NAMES);
    names.addAll(List.of("hard_sigmoid(0.2)", "leaky_relu(0.1)", "swish(learned)", "maxout(3)"));
    String[] activations = names.toArray(String[]::new);
    String[] optimizers = {"{\"type\": \"sgd\", \"lr\": 0.1, \"momentum\": 0.9, \"dampening\": 0.1}", "{\"type\": \"adam\", \"amsgrad\": true}",
        "{\"type\": \"adamw\"}", "{\"type\": \"rmsprop\", \"centered\": true, \"momentum\": 0.5}", "{\"type\": \"adagrad\", \"lr_decay\": 0.01}"};
    String[] losses = {"softmax_cross_entropy", "mse", "half_mse"};
    Stream.Builder<String> s = Stream.builder();
    for (int i = 0; i < activations.length; i++) {
      s.add(String.format("{\"input\": 5, \"layers\": [{\"units\": 6, \"activation\": \"%s\", \"dropout\": 0.2}, {\"units\": 3}],"
          + " \"loss\": \"%s\", \"optimizer\": %s, \"batch\": 4, \"l2\": 0.01, \"clip_grad_norm\": 1.0}",
          activations[i], losses[i % losses.length], optimizers[i % optimizers.length]));
    }
    return s.build();
  }

  @ParameterizedTest
  @MethodSource("specs")
  void trainingGraphsRoundTrip(String spec) {
    Graph g = ModelSpec.parse(spec, "spec.json").training();
    String text = GraphPrinter.print(g);
    assertThat(GraphPrinter.print(GraphParser.parse(text))).isEqualTo(text);
  }

  @Test
  void readsHandWrittenText() {
    Graph g = GraphParser.parse("""
        // a comment
        x = input[features] : f32[2, 3]
        w = param[zeros] : f32[4, 3]
        z = matmul[transB](x, w) : f32[2, 4]   # Model.java:3
        a = relu(z) : f32[2, 4]
        s = sum(a) : f32[]
        output loss = s
        """);
    assertThat(g.node("z").site()).isEqualTo("Model.java:3");
    assertThat(GraphPrinter.print(Autodiff.differentiate(g))).contains("w.grad = matmul[transA]");
  }

  @Test
  void errorsNameTheLine() {
    assertThatThrownBy(() -> GraphParser.parse("x = input[features] : f32[2, 3]\ny = relu(q) : f32[2, 3]\n"))
        .isInstanceOf(GraphException.class).hasMessageStartingWith("line 2: no node named 'q' before this line");
    assertThatThrownBy(() -> GraphParser.parse("x = input[features] : f32[2, 3]\ny = relu(x) : f32[3, 2]\n"))
        .hasMessageStartingWith("line 2: 'y' is annotated f32[3, 2] but its op gives f32[2, 3]");
    assertThatThrownBy(() -> GraphParser.parse("x = frobnicate : f32[2]")).hasMessageStartingWith("line 1: unknown op 'frobnicate'");
  }
}
