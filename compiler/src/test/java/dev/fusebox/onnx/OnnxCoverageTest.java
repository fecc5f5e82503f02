package dev.fusebox.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.builder.Activation;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Op;
import dev.fusebox.ir.Shape;
import dev.fusebox.ops.Attributes;
import dev.fusebox.ops.Catalogue;
import dev.fusebox.ops.Catalogue.ActivationEntry;
import dev.fusebox.ops.Catalogue.Entry;
import dev.fusebox.ops.Catalogue.Kind;
import dev.fusebox.ops.Catalogue.LossEntry;
import dev.fusebox.ops.Catalogue.Prediction;
import dev.fusebox.ops.Loss;
import dev.fusebox.ops.MatMul;
import dev.fusebox.runtime.init.Initializers;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One op, one place, and the ONNX export complete: every op class of the compiler has a translation
 * or a stated reason why inference never computes it, every loss has a head, and every row of the op
 * catalogue exports. A new op, activation or loss fails here until its export is decided.
 */
class OnnxCoverageTest {
  static final Path MAIN = Path.of("src/main/java");

  /** Every concrete class of the compiler's main sources (nested ones too) that implements {@link Op}. */
  static List<Class<?>> opClasses() throws IOException, ClassNotFoundException {
    List<Class<?>> out = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(MAIN)) {
      files = walk.filter(p -> p.toString().endsWith(".java") && !p.endsWith("package-info.java")).sorted().toList();
    }
    for (Path f : files) {
      String name = MAIN.relativize(f).toString().replace('\\', '/').replace('/', '.').replaceAll("\\.java$", "");
      collect(Class.forName(name, false, OnnxCoverageTest.class.getClassLoader()), out);
    }
    return out;
  }

  private static void collect(Class<?> c, List<Class<?>> out) {
    if (Op.class.isAssignableFrom(c) && !c.isInterface() && !Modifier.isAbstract(c.getModifiers())) out.add(c);
    for (Class<?> nested : c.getDeclaredClasses()) collect(nested, out);
  }

  @Test
  void everyOpClassIsTranslatedOrNeverComputedByInference() throws Exception {
    List<Class<?>> ops = opClasses();
    assertThat(ops).as("op classes found").hasSizeGreaterThan(15).contains(MatMul.class);
    List<String> missing = new ArrayList<>();
    for (Class<?> c : ops) {
      boolean loss = Loss.class.isAssignableFrom(c);
      boolean decided = Translations.translated().contains(c) || Translations.notExported().containsKey(c)
          || (loss && Head.lossClasses().contains(c));
      if (!decided) missing.add(c.getName() + (loss ? " (a loss without an inference head in onnx.Head)" : ""));
    }
    assertThat(missing).as("op classes with no ONNX translation in onnx.Translations, nor a reason why none is needed").isEmpty();
    assertThat(new TreeSet<>(Translations.translated().stream().map(Class::getName).toList()))
        .as("translations of classes that no longer exist").isSubsetOf(ops.stream().map(Class::getName).toList());
  }

  @Test
  void nativeOperatorsStandForCatalogueActivationsWithTheirParameters() {
    for (Map.Entry<String, String> n : Translations.nativeActivations().entrySet()) {
      Entry e = Catalogue.find(n.getKey()).orElseThrow(() -> new AssertionError("no catalogue row named " + n.getKey()));
      assertThat(e).as(n.getKey()).isInstanceOf(ActivationEntry.class);
      Catalogue.Param param = ((ActivationEntry) e).param();
      assertThat(n.getValue()).as("the parameter of " + n.getKey()).isEqualTo(param == null ? "" : param.name());
    }
  }

  @Test
  void everySpecLossReadsItsOutputsAsItsHeadDoes() {
    for (Entry e : Catalogue.entries(Kind.LOSS)) {
      LossEntry l = (LossEntry) e;
      Head head = Head.of(l.op()).orElseThrow(() -> new AssertionError("no head for " + l.name()));
      if (l.spec() == null) continue;
      Head expected = switch (l.spec().prediction()) {
        case CLASS_PROBABILITIES -> Head.SOFTMAX_OF_LOGITS;
        case BINARY_PROBABILITY -> Head.SIGMOID_OF_LOGITS;
        case VALUES -> Head.VALUES;
      };
      assertThat(head).as(l.name() + " (" + Prediction.class.getSimpleName() + " " + l.spec().prediction() + ")").isEqualTo(expected);
    }
  }

  static Stream<Entry> documented() {
    return Catalogue.entries().stream().filter(e -> e.kind() != Kind.INTERNAL);
  }

  /** A forward graph applying the row's op to a features input; losses through a dense layer. */
  private static Graph using(Entry entry) {
    GraphBuilder g = GraphBuilder.create(3);
    Tensor x = g.input("x", 4, 6);
    if (entry instanceof ActivationEntry a && a.inLayers()) {
      return g.output("y", g.dense("layer", x, 2, Activation.parse(a.name()))).build();
    }
    if (entry instanceof ActivationEntry a) return g.output("y", g.add(a.op(Double.NaN), null, x)).build();
    if (entry instanceof LossEntry l) {
      Tensor z = g.dense("layer", x, 3, Activation.IDENTITY);
      Tensor p = l.op().name().startsWith("softmax") || l.op().name().contains("with_logits") ? z
          : l.op().name().equals("cross_entropy") ? g.softmax(z) : g.sigmoid(z);
      return g.loss(g.add(l.op(), null, p, l.op().acceptsLabels() ? g.labelsFor("y", z) : g.targets("y", 4, 3))).build();
    }
    Op op = entry.fromText(new Attributes("", Map.of(), Shape.scalar()));
    Tensor[] inputs = new Tensor[op.arity()];
    for (int i = 0; i < inputs.length; i++) inputs[i] = op instanceof MatMul && i == 1 ? g.parameter("w", Initializers.zeros(), 6, 3) : x;
    return g.output("y", g.add(op, null, inputs)).build();
  }

  @ParameterizedTest
  @MethodSource("documented")
  void everyCatalogueRowExports(Entry entry) {
    OnnxModel model = OnnxExportTest.export(using(entry));
    assertThat(model.operators()).as(entry.name()).isNotEmpty();
    assertThat(model.outputs()).as(entry.name()).isNotEmpty();
    if (entry instanceof LossEntry l) {
      assertThat(model.outputs().get(0).name()).isEqualTo(Head.of(l.op()).orElseThrow().output);
    }
  }
}
