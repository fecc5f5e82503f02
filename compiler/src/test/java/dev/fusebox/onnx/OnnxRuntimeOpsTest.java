package dev.fusebox.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Target;
import dev.fusebox.builder.Activation;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Shape;
import dev.fusebox.ops.Axis;
import dev.fusebox.ops.BroadcastTo;
import dev.fusebox.ops.Catalogue;
import dev.fusebox.ops.Catalogue.Entry;
import dev.fusebox.ops.Catalogue.Kind;
import dev.fusebox.ops.SumTo;
import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Standardizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every op of the catalogue (and the internal ones a graph built with {@code GraphBuilder.add} can
 * hold), exported from a graph built for 32 rows and run in ONNX Runtime at 1 and 1000 rows, against
 * Fusebox's forward pass compiled and interpreted at those sizes: the same values within 1e-5 relative
 * (to the larger of 1 and the value), whatever the batch size. Reductions over the batch and matrix
 * products that contract it sum over the rows given, as Fusebox's program built for that many rows does.
 */
class OnnxRuntimeOpsTest {
  static final int FEATURES = 6;
  static final double TOLERANCE = 1e-5;
  static final Map<String, Double> MEASURED = new LinkedHashMap<>();

  /**
   * A graph of {@code y} from inputs {@code x} (normal) and {@code p} (positive), for a batch size; the
   * catalogue ops it uses; the relative difference it must stay within.
   */
  record Case(String label, List<String> ops, BiFunction<GraphBuilder, Integer, Tensor> body, double tolerance) {
    Case(String label, List<String> ops, BiFunction<GraphBuilder, Integer, Tensor> body) {
      this(label, ops, body, TOLERANCE);
    }

    @Override
    public String toString() {
      return label;
    }

    Graph graph(int batch) {
      GraphBuilder g = GraphBuilder.create(9);
      return g.output("y", body.apply(g, batch)).build();
    }
  }

  static Tensor x(GraphBuilder g, int batch) {
    return input(g, "x", batch);
  }

  static Tensor p(GraphBuilder g, int batch) {
    return input(g, "p", batch);
  }

  /** The features input of that name, declared on first use. */
  private static Tensor input(GraphBuilder g, String name, int batch) {
    return g.graph().find(name) != null ? g.tensor(g.graph().find(name)) : g.input(name, batch, FEATURES);
  }

  static Tensor w(GraphBuilder g, String name, int... dims) {
    return g.parameter(name, dev.fusebox.runtime.init.Initializers.uniform(-1, 1), dims);
  }

  static List<Case> cases() {
    List<Case> c = new ArrayList<>();
    c.add(new Case("matmul x·W", List.of("matmul"), (g, b) -> g.matmul(x(g, b), w(g, "w", FEATURES, 3))));
    c.add(new Case("matmul x·Wᵀ", List.of("matmul"), (g, b) -> g.matmul(x(g, b), w(g, "w", 3, FEATURES), false, true)));
    c.add(new Case("matmul xᵀ·p (over the batch)", List.of("matmul"), (g, b) -> g.matmul(x(g, b), p(g, b), true, false)));
    c.add(new Case("matmul x·pᵀ (batch × batch)", List.of("matmul"), (g, b) -> g.matmul(x(g, b), p(g, b), false, true)));
    c.add(new Case("matmul Wᵀ·xᵀ", List.of("matmul"), (g, b) -> g.matmul(w(g, "w", FEATURES, 3), x(g, b), true, true)));
    c.add(new Case("add, sub, mul, div", List.of("add", "sub", "mul", "div"), (g, b) -> {
      Tensor x = x(g, b), p = p(g, b);
      return g.div(g.mul(g.sub(g.add(x, w(g, "bias", FEATURES)), g.constant(0.5)), x), g.add(p, g.constant(1)));
    }));
    c.add(new Case("neg, exp, square, abs", List.of("neg", "exp", "square", "abs"),
        (g, b) -> g.add(g.exp(g.neg(g.abs(x(g, b)))), g.square(x(g, b)))));
    c.add(new Case("log, sqrt", List.of("log", "sqrt"), (g, b) -> g.add(g.log(p(g, b)), g.sqrt(p(g, b)))));
    for (Axis axis : Axis.values()) {
      // ONNX Runtime sums in float32, Fusebox in double: the 6,000 terms of a whole-tensor sum cancel to about 1, and
      // float32's rounding of the partial sums (about 10 each) reaches 3e-5 of it.
      c.add(new Case("sum, mean " + axis.text(), List.of("sum", "mean"), (g, b) -> {
        Tensor s = g.sum(x(g, b), axis), m = g.mean(p(g, b), axis);
        return g.add(s, m);
      }, axis == Axis.ALL ? 1e-4 : TOLERANCE));
    }
    c.add(new Case("transpose", List.of("transpose"), (g, b) -> g.transpose(x(g, b))));
    c.add(new Case("centre by the batch mean", List.of("sub", "mean"), (g, b) -> g.sub(x(g, b), g.mean(x(g, b), Axis.PER_COLUMN))));
    c.add(new Case("softmax", List.of("softmax"), (g, b) -> g.softmax(g.scale(x(g, b), 20))));
    c.add(new Case("log_softmax", List.of("log_softmax"), (g, b) -> g.logSoftmax(g.scale(x(g, b), 20))));
    c.add(new Case("scale", List.of("scale"), (g, b) -> g.affine(x(g, b), -1.5, 0.25)));
    c.add(new Case("broadcast", List.of("broadcast"),
        (g, b) -> g.add(new BroadcastTo(Shape.of(b, FEATURES)), null, g.sum(x(g, b), Axis.PER_ROW))));
    c.add(new Case("sum_to columns", List.of("sum_to"), (g, b) -> g.add(new SumTo(Shape.of(FEATURES)), null, x(g, b))));
    c.add(new Case("sum_to rows", List.of("sum_to"), (g, b) -> g.add(new SumTo(Shape.of(b, 1)), null, x(g, b))));
    c.add(new Case("dropout", List.of(), (g, b) -> g.tanh(g.dropout(g.relu(x(g, b)), 0.5))));
    c.add(new Case("scalar input, at its initial value", List.of(), (g, b) -> g.mul(x(g, b), g.scalar("temperature", 2.5))));
    return c;
  }

  static Stream<Case> allCases() {
    return cases().stream();
  }

  @Test
  void theCasesUseEveryOpOfTheCatalogue() {
    TreeSet<String> used = new TreeSet<>();
    cases().forEach(c -> used.addAll(c.ops()));
    assertThat(used).containsAll(Catalogue.entries(Kind.OP).stream().map(Entry::name).toList());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allCases")
  void runsInOnnxRuntimeAsInFusebox(Case c) throws Exception {
    SplittableRandom random = new SplittableRandom(c.label().hashCode());
    Graph exported = c.graph(32);
    NamedTensors parameters = OnnxExportTest.parameters(exported);
    OnnxModel model = OnnxExport.of(exported, parameters).export();
    try (OnnxRuntimeSession onnx = new OnnxRuntimeSession(model.bytes(), true)) {
      for (int rows : new int[] {1, 1000}) {
        Map<String, FloatTensor> inputs = new LinkedHashMap<>();
        for (OnnxModel.Tensor in : model.inputs()) {
          if (in.name().equals("temperature")) continue;
          float[] v = new float[rows * FEATURES];
          for (int i = 0; i < v.length; i++) v[i] = (float) (in.name().equals("p") ? random.nextDouble(0.1, 3) : random.nextGaussian());
          inputs.put(in.name(), new FloatTensor(new int[] {rows, FEATURES}, v));
        }
        OnnxRuntimeSession.Output out = onnx.run(inputs).get("y");
        Compiler.Compilation reference = Compiler.inference(c.graph(rows), CompileOptions.defaults());
        for (Target target : List.of(Target.auto(), Target.interpreter())) {
          try (Program fusebox = reference.program(target)) {
            fusebox.load(parameters);
            inputs.forEach((name, t) -> fusebox.setInput(name, t.data()));
            fusebox.forward();
            float[] expected = fusebox.read("y");
            assertThat(out.shape()).as("%s at %d rows: shape", c, rows).containsExactly(toLongs(fusebox.shape("y")));
            double worst = 0;
            for (int i = 0; i < expected.length; i++) {
              worst = Math.max(worst, Math.abs(out.get(i) - expected[i]) / Math.max(1, Math.abs(expected[i])));
            }
            assertThat(worst).as(String.format(Locale.ROOT, "%s at %d rows, against %s", c, rows, target.kind().text()))
                .isLessThanOrEqualTo(c.tolerance());
            MEASURED.merge(c.label(), worst, Math::max);
          }
        }
      }
    }
  }

  /** Far out, at the kinks and at the corners of the hard functions (±2 for hard-sigmoid's 0.25, ±1 for hard-tanh). */
  static final float[] EXTREMES = {-100, -88, -50, -20, -10, -4, -2.0001f, -2, -1.9999f, -1, -0.5f, -1e-3f, 0, 1e-3f, 0.5f, 1,
      1.9999f, 2, 2.0001f, 4, 10, 20, 50, 88, 90, 100};

  static Stream<String> layerActivations() {
    return Catalogue.layerActivations().stream().flatMap(e -> e.learned() != null && !e.alwaysLearned()
        ? Stream.of(e.name(), e.name() + "(learned)") : Stream.of(e.name()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("layerActivations")
  void activationsAgreeFarOutAndAtTheirKinks(String name) throws Exception {
    int cols = EXTREMES.length;
    BiFunction<GraphBuilder, Integer, Tensor> body = (g, b) -> g.activation(g.input("x", b, cols), Activation.parse(name), "layer");
    Case c = new Case(name, List.of(), body);
    NamedTensors parameters = new NamedTensors();
    for (dev.fusebox.ir.Node n : c.graph(2).trainableParameters()) {
      float[] v = new float[n.shape().size()];
      for (int i = 0; i < v.length; i++) v[i] = 0.1f + 0.07f * i;
      parameters.put(n.name(), new FloatTensor(n.shape().dims(), v));
    }
    float[] x = new float[2 * cols];
    for (int i = 0; i < cols; i++) {
      x[i] = EXTREMES[i];
      x[cols + i] = -EXTREMES[cols - 1 - i] / 3;
    }
    OnnxModel model = OnnxExport.of(c.graph(32), parameters).export();
    try (OnnxRuntimeSession onnx = new OnnxRuntimeSession(model.bytes(), true);
        Program fusebox = Compiler.inference(c.graph(2), CompileOptions.defaults()).program(Target.interpreter())) {
      OnnxRuntimeSession.Output out = onnx.run(Map.of("x", new FloatTensor(new int[] {2, cols}, x))).get("y");
      fusebox.load(parameters);
      fusebox.setInput("x", x);
      fusebox.forward();
      float[] expected = fusebox.read("y");
      for (int i = 0; i < expected.length; i++) {
        assertThat(Math.abs(out.get(i) - expected[i]) / Math.max(1, Math.abs(expected[i])))
            .as("%s of %s: ONNX Runtime %s, Fusebox %s", name, x[i], out.get(i), expected[i]).isLessThanOrEqualTo(TOLERANCE);
      }
    }
  }

  @Test
  void standardisationInTheModelIsTheStandardizers() throws Exception {
    Standardizer s = Standardizer.of(new double[] {1, -2, 0.5, 3, 0, 10}, new double[] {2, 0.5, 1, 4, 1, 20});
    Case c = new Case("standardised", List.of(), (g, b) -> g.tanh(x(g, b)));
    SplittableRandom random = new SplittableRandom(7);
    float[] raw = new float[100 * FEATURES];
    for (int i = 0; i < raw.length; i++) raw[i] = (float) (5 * random.nextGaussian());
    float[] standardised = raw.clone();
    for (int i = 0; i < raw.length; i++) standardised[i] = (float) ((raw[i] - s.mean()[i % FEATURES]) / s.scale()[i % FEATURES]);

    OnnxModel model = OnnxExport.of(c.graph(32), new NamedTensors()).withStandardization("x", s).export();
    try (OnnxRuntimeSession onnx = new OnnxRuntimeSession(model.bytes(), true);
        Program fusebox = Compiler.inference(c.graph(100), CompileOptions.defaults()).program(Target.interpreter())) {
      OnnxRuntimeSession.Output out = onnx.run(Map.of("x", new FloatTensor(new int[] {100, FEATURES}, raw))).get("y");
      fusebox.setInput("x", standardised);
      fusebox.forward();
      float[] expected = fusebox.read("y");
      for (int i = 0; i < expected.length; i++) assertThat(out.get(i)).as("element %d", i).isCloseTo(expected[i], within());
    }
  }

  @AfterAll
  static void report() {
    System.out.println("ONNX Runtime against Fusebox, max relative difference (batches 1 and 1000, compiled and interpreted):");
    MEASURED.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-40s %.2e%n", k, v));
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(TOLERANCE);
  }

  private static long[] toLongs(int[] v) {
    long[] l = new long[v.length];
    for (int i = 0; i < v.length; i++) l[i] = v[i];
    return l;
  }
}
