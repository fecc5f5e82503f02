package dev.fusebox.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.autodiff.Autodiff;
import dev.fusebox.builder.Activation;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.GraphPrinter;
import dev.fusebox.ir.Op;
import dev.fusebox.ir.Shape;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.ops.Catalogue.ActivationEntry;
import dev.fusebox.ops.Catalogue.Entry;
import dev.fusebox.ops.Catalogue.Kind;
import dev.fusebox.ops.Catalogue.LossEntry;
import dev.fusebox.ops.Catalogue.SpecLoss;
import dev.fusebox.runtime.data.LabelKind;
import dev.fusebox.runtime.init.Initializers;
import dev.fusebox.text.GraphParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The op catalogue is the one table every reader takes op names from: the README's lists match it,
 * and every row works in every reader (the builder and spec files by name, the text IR reading back
 * what was printed), so that adding a row is all a new activation or loss needs besides its semantics.
 */
class CatalogueTest {
  static final Path README = Path.of("..", "README.md");

  /** The source files that read the table, besides the table itself and tests: the places that name ops. */
  static final List<String> READERS = List.of("builder/Activation.java", "builder/GraphBuilder.java", "cli/PredictionCsv.java",
      "cli/Scores.java", "model/ModelSpec.java", "text/OpText.java");

  /** A use of the table in code: its import, or (in its own package) a member of it. */
  static final Pattern READS = Pattern.compile("import dev\\.fusebox\\.ops\\.Catalogue|\\bCatalogue\\.[a-zA-Z]");

  private static String readme() throws IOException {
    assertThat(README).as("the README at the repository root").exists();
    return Files.readString(README, StandardCharsets.UTF_8).replaceAll("\\s+", " ");
  }

  /** The lower-case names in backticks between {@code from} and the first {@code to} after it. */
  private static List<String> namesBetween(String text, String from, String to) {
    int start = text.indexOf(from);
    assertThat(start).as("README has '%s'", from).isNotNegative();
    int end = text.indexOf(to, start + from.length());
    assertThat(end).as("README has '%s' after '%s'", to, from).isPositive();
    List<String> names = new ArrayList<>();
    Matcher m = Pattern.compile("`([^`]*)`").matcher(text.substring(start + from.length(), end));
    while (m.find()) for (String word : m.group(1).split(" ")) if (word.matches("[a-z_]+")) names.add(word);
    return names;
  }

  private static List<String> names(Kind kind) {
    return Catalogue.entries(kind).stream().map(Entry::name).toList();
  }

  @Test
  void theReadmeListsEveryDocumentedOpInTheTablesOrder() throws IOException {
    String readme = readme();
    assertThat(namesBetween(readme, "Ops:", "Activations:")).as("README's ops").isEqualTo(names(Kind.OP));
    assertThat(namesBetween(readme, "Activations:", "Losses (")).as("README's activations").isEqualTo(names(Kind.ACTIVATION));
    assertThat(namesBetween(readme, "Losses (means over the batch's valid rows):", ";")).as("README's losses")
        .isEqualTo(names(Kind.LOSS));
    assertThat(namesBetween(readme, " Losses: ", "; optimizers")).as("README's spec losses")
        .isEqualTo(Catalogue.specLosses().stream().map(SpecLoss::name).toList());
  }

  @Test
  void namesAreUniqueAndEveryActivationADenseLayerTakesIsASpecName() {
    List<String> all = Catalogue.entries().stream().map(Entry::name).toList();
    assertThat(all).doesNotHaveDuplicates();
    List<String> layer = Catalogue.layerActivations().stream().map(ActivationEntry::name).toList();
    assertThat(Activation.NAMES).containsExactlyElementsOf(Stream.concat(Stream.of("identity"), layer.stream()).toList());
    for (String name : Activation.NAMES) {
      ModelSpec spec = ModelSpec.parse("""
          {"input": 3, "layers": [{"units": 4, "activation": "%s"}, {"units": 2}], "loss": "mse",
           "optimizer": {"type": "sgd"}}""".formatted(name), "s.json");
      assertThat(spec.layers().get(0).activation().name()).isEqualTo(name);
      if (!name.equals("identity")) {
        assertThat(spec.forward().nodes()).as(name).anyMatch(n -> n.op().name().equals(name));
      }
    }
  }

  @Test
  void everySpecLossBuildsItsOpOnTheLabelsItsRowSays() {
    for (SpecLoss loss : Catalogue.specLosses()) {
      int units = loss.prediction() == Catalogue.Prediction.BINARY_PROBABILITY ? 1 : 3;
      ModelSpec spec = ModelSpec.parse("""
          {"input": 3, "layers": [{"units": %d}], "loss": "%s", "optimizer": {"type": "sgd"}}""".formatted(units, loss.name()), "s.json");
      LossEntry entry = spec.lossEntry();
      assertThat(entry.spec()).isEqualTo(loss);
      assertThat(spec.labelKind()).isEqualTo(loss.labels());
      Graph g = spec.forward();
      assertThat(g.output("loss").op()).isEqualTo(entry.op());
      assertThat(g.node("y").dtype().name()).isEqualTo(loss.labels() == LabelKind.CLASS ? "I32" : "F32");
    }
  }

  static Stream<Entry> documented() {
    return Catalogue.entries().stream().filter(e -> e.kind() != Kind.INTERNAL);
  }

  /** A graph applying the row's op (with its gradients, so that their ops are printed too). */
  private static Graph using(Entry entry) {
    GraphBuilder g = GraphBuilder.create(3);
    Tensor x = g.parameter("x", Initializers.uniform(0.1, 0.9), 4, 6);
    Tensor y;
    if (entry instanceof ActivationEntry a && a.inLayers()) {
      y = g.dense("layer", x, 2, Activation.parse(a.name()));
    } else if (entry instanceof ActivationEntry a) {
      y = g.add(a.op(Double.NaN), null, x);
    } else if (entry instanceof LossEntry l) {
      Tensor target = g.sigmoid(g.parameter("t", Initializers.normal(0, 1), 4, 6));
      y = g.add(l.op(), null, l.op().name().startsWith("softmax") ? x : g.sigmoid(x), target);
    } else {
      Op op = entry.fromText(new Attributes("", Map.of(), Shape.scalar()));
      Tensor[] inputs = new Tensor[op.arity()];
      for (int i = 0; i < inputs.length; i++) inputs[i] = op instanceof MatMul && i == 1 ? g.transpose(x) : x;
      y = g.add(op, null, inputs);
    }
    Tensor loss = y.shape().isScalar() ? y : g.sum(y);
    return Autodiff.differentiate(g.output("y", y).loss(loss).build());
  }

  @ParameterizedTest
  @MethodSource("documented")
  void theTextIrReadsBackEveryRow(Entry entry) {
    Graph g = using(entry);
    assertThat(g.nodes()).as(entry.name()).anyMatch(n -> n.op().name().equals(entry.name()));
    String text = GraphPrinter.print(g);
    assertThat(GraphPrinter.print(GraphParser.parse(text))).isEqualTo(text);
  }

  @Test
  void theReadersOfTheTableAreTheOnesItsJavadocNames() throws IOException {
    Path main = Path.of("src/main/java/dev/fusebox");
    TreeSet<String> readers = new TreeSet<>();
    try (Stream<Path> files = Files.walk(main)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String rel = main.relativize(f).toString().replace('\\', '/');
        if (!rel.equals("ops/Catalogue.java") && READS.matcher(Files.readString(f)).find()) readers.add(rel);
      }
    }
    assertThat(readers).containsExactlyElementsOf(READERS);
  }
}
