package dev.fusebox.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Target;
import dev.fusebox.builder.Activation;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Node;
import dev.fusebox.ops.Catalogue;
import dev.fusebox.ops.Catalogue.ActivationEntry;
import dev.fusebox.ops.Catalogue.Entry;
import dev.fusebox.ops.Catalogue.Kind;
import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Models with every activation and every loss head, exported to ONNX from a graph built for 32 rows,
 * run in ONNX Runtime on random inputs of 1 and 1000 rows (with and without its graph optimizations),
 * and compared with Fusebox's own forward pass of the same parameters, compiled and interpreted, at
 * those batch sizes. The activations and losses come from the op catalogue, so a new row is checked here
 * without being listed. The measured differences are printed at the end.
 */
class OnnxRuntimeRoundTripTest {
  static final int EXPORT_BATCH = 32;
  static final int[] BATCHES = {1, 1000};
  static final int FEATURES = 5;
  static final int HIDDEN = 7;
  static final int CLASSES = 4;
  /** On probabilities, absolute; on logits and values, relative to max(1, |value|). */
  static final double TOLERANCE = 1e-5;

  static final Map<String, Double> MEASURED = new LinkedHashMap<>();

  /** A network: a hidden activation, a loss head, and whether a dropout layer follows the hidden layers. */
  record Case(String label, Activation activation, String head, boolean dropout) {
    @Override
    public String toString() {
      return label;
    }
  }

  static Stream<Case> activations() {
    List<Case> cases = new ArrayList<>();
    cases.add(new Case("identity", Activation.IDENTITY, "softmax_cross_entropy", false));
    for (ActivationEntry e : Catalogue.layerActivations()) {
      cases.add(new Case(e.name(), Activation.parse(e.name()), "softmax_cross_entropy", false));
      if (e.learned() != null && !e.alwaysLearned()) {
        cases.add(new Case(e.name() + "(learned)", Activation.parse(e.name() + "(learned)"), "softmax_cross_entropy", false));
      }
    }
    // Parameters other than the defaults: ONNX's HardSigmoid defaults to slope 0.2, PyTorch's hardsigmoid has 1/6.
    for (String a : List.of("hard_sigmoid(0.2)", "hard_sigmoid(0.16666666666666666)", "leaky_relu(0.2)", "elu(0.5)", "swish(2.5)",
        "maxout(3)")) {
      cases.add(new Case(a, Activation.parse(a), "softmax_cross_entropy", false));
    }
    return cases.stream();
  }

  static Stream<Case> heads() {
    List<Case> cases = new ArrayList<>();
    for (Entry e : Catalogue.entries(Kind.LOSS)) cases.add(new Case("head " + e.name(), Activation.TANH, e.name(), true));
    cases.add(new Case("head softmax_cross_entropy(one-hot)", Activation.RELU, "softmax_cross_entropy(one-hot)", true));
    return cases.stream();
  }

  /** The network as trained (with its loss) or as Fusebox's reference for the exported outputs (no loss). */
  static Graph network(Case c, int batch, boolean reference) {
    GraphBuilder g = GraphBuilder.create(5);
    Tensor h = g.dense("layers.0", g.input("x", batch, FEATURES), HIDDEN, c.activation());
    h = g.dense("layers.1", h, HIDDEN, c.activation());
    if (c.dropout()) h = g.dropout(h, 0.3);
    boolean binary = c.head().startsWith("bce");
    Tensor z = g.dense("layers.2", h, binary ? 1 : CLASSES, Activation.IDENTITY);
    Tensor prediction = switch (c.head()) {
      case "bce" -> g.sigmoid(z);
      case "cross_entropy" -> g.softmax(z);
      default -> z;
    };
    g.output("prediction", prediction);
    if (reference) {
      g.output("logits", z);
      if (binary) g.output("probability", g.sigmoid(z));
      else if (!c.head().contains("mse")) g.output("probabilities", g.softmax(z));
      return g.build();
    }
    Tensor loss = switch (c.head()) {
      case "softmax_cross_entropy" -> g.softmaxCrossEntropy(prediction, g.labelsFor("y", z));
      case "softmax_cross_entropy(one-hot)" -> g.softmaxCrossEntropy(prediction, g.oneHot("y", batch, CLASSES));
      case "cross_entropy" -> g.crossEntropy(prediction, g.labelsFor("y", z));
      case "bce_with_logits" -> g.bceWithLogits(prediction, g.targets("y", batch, 1));
      case "bce" -> g.bce(prediction, g.targets("y", batch, 1));
      case "mse" -> g.mse(prediction, g.targets("y", batch, CLASSES));
      case "half_mse" -> g.halfMse(prediction, g.targets("y", batch, CLASSES));
      default -> throw new IllegalArgumentException("no test network for the head of " + c.head());
    };
    return g.loss(loss).build();
  }

  /** Random parameters, spread so that every activation's pieces are reached (hard-sigmoid saturates, slopes vary). */
  static NamedTensors parameters(Graph g, SplittableRandom random) {
    NamedTensors p = new NamedTensors();
    for (Node n : g.trainableParameters()) {
      int[] shape = n.shape().dims();
      float[] v = new float[n.shape().size()];
      String name = n.name();
      for (int i = 0; i < v.length; i++) {
        if (name.endsWith(".alpha")) v[i] = (float) random.nextDouble(-0.5, 1.2);
        else if (name.endsWith(".beta") && shape.length == 1 && !name.contains("bias")) v[i] = (float) random.nextDouble(0.2, 2.5);
        else if (name.endsWith(".weight")) v[i] = (float) (random.nextDouble(-1.6, 1.6) / Math.sqrt(shape[1]));
        else v[i] = (float) random.nextDouble(-0.5, 0.5);
      }
      p.put(name, new FloatTensor(shape, v));
    }
    return p;
  }

  static FloatTensor features(int rows, SplittableRandom random) {
    float[] x = new float[rows * FEATURES];
    for (int i = 0; i < x.length; i++) x[i] = (float) (2 * random.nextGaussian());
    return new FloatTensor(new int[] {rows, FEATURES}, x);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("activations")
  void everyActivationRunsInOnnxRuntimeAsInFusebox(Case c) throws Exception {
    roundTrip(c);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("heads")
  void everyLossHeadRunsInOnnxRuntimeAsInFusebox(Case c) throws Exception {
    roundTrip(c);
  }

  private static void roundTrip(Case c) throws Exception {
    SplittableRandom random = new SplittableRandom(c.label().hashCode());
    Graph trained = network(c, EXPORT_BATCH, false);
    NamedTensors parameters = parameters(trained, random);
    OnnxModel model = OnnxExport.of(trained, parameters).export();
    if (c.dropout()) assertThat(model.operators()).as("dropout is removed").doesNotContain("Mul");
    for (boolean optimized : new boolean[] {true, false}) {
      try (OnnxRuntimeSession onnx = new OnnxRuntimeSession(model.bytes(), optimized)) {
        assertThat(onnx.shape("x")).isEqualTo("[batch, " + FEATURES + "]");
        for (int rows : BATCHES) {
          FloatTensor x = features(rows, random);
          Map<String, OnnxRuntimeSession.Output> out = onnx.run(Map.of("x", x));
          assertThat(out.keySet()).as("outputs").containsExactlyElementsOf(model.outputs().stream().map(OnnxModel.Tensor::name).toList());
          Compiler.Compilation reference = Compiler.inference(network(c, rows, true), CompileOptions.defaults());
          for (Target target : List.of(Target.auto(), Target.interpreter())) {
            try (Program fusebox = reference.program(target)) {
              fusebox.load(parameters);
              fusebox.setInput("x", x.data());
              fusebox.forward();
              compare(c, rows, optimized, target, fusebox, out);
            }
          }
        }
      }
    }
  }

  /** Every ONNX output against the Fusebox output of the same name; classes against the Fusebox logits. */
  private static void compare(Case c, int rows, boolean optimized, Target target, Program fusebox,
      Map<String, OnnxRuntimeSession.Output> onnx) {
    float[] logits = fusebox.read("logits");
    for (Map.Entry<String, OnnxRuntimeSession.Output> e : onnx.entrySet()) {
      String name = e.getKey();
      OnnxRuntimeSession.Output o = e.getValue();
      String what = String.format(Locale.ROOT, "%s: %s at %d rows, ONNX Runtime %s vs %s", c, name, rows,
          optimized ? "optimized" : "unoptimized", target.kind().text());
      if (name.equals("class")) {
        int width = logits.length / rows;
        assertThat(o.size()).as(what).isEqualTo(rows);
        for (int r = 0; r < rows; r++) {
          if (width == 1) {
            if (Math.abs(logits[r]) > TOLERANCE) assertThat(o.get(r)).as(what + " row %d", r).isEqualTo(logits[r] > 0 ? 1.0 : 0.0);
          } else if (!nearTie(logits, r, width)) {
            assertThat(o.get(r)).as(what + " row %d", r).isEqualTo((double) argmax(logits, r, width));
          }
        }
        continue;
      }
      float[] expected = fusebox.read(name);
      assertThat(o.size()).as(what).isEqualTo(expected.length);
      boolean probabilities = name.startsWith("probabilit");
      double worst = 0;
      for (int i = 0; i < expected.length; i++) {
        double diff = Math.abs(o.get(i) - expected[i]);
        worst = Math.max(worst, probabilities ? diff : diff / Math.max(1, Math.abs(expected[i])));
      }
      assertThat(worst).as(what + (probabilities ? ": max absolute difference" : ": max relative difference")).isLessThanOrEqualTo(TOLERANCE);
      if (probabilities || c.head().contains("mse")) MEASURED.merge(c.label() + " " + name, worst, Math::max);
    }
  }

  private static int argmax(float[] v, int row, int width) {
    int best = 0;
    for (int j = 1; j < width; j++) if (v[row * width + j] > v[row * width + best]) best = j;
    return best;
  }

  /** Whether the two largest logits of a row are too close for two float computations to agree on the order. */
  private static boolean nearTie(float[] v, int row, int width) {
    int best = argmax(v, row, width);
    for (int j = 0; j < width; j++) if (j != best && v[row * width + best] - v[row * width + j] < TOLERANCE) return true;
    return false;
  }

  @AfterAll
  static void report() {
    System.out.println("ONNX Runtime against Fusebox, max absolute difference on probabilities, relative on regression values"
        + " (batches 1 and 1000, compiled and interpreted, ONNX Runtime optimized and not):");
    MEASURED.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-52s %.2e%n", k, v));
  }
}
