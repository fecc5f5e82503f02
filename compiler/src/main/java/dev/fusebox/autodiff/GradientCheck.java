package dev.fusebox.autodiff;

import dev.fusebox.interp.Interpreter;
import dev.fusebox.interp.Interpreter.Precision;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Node;
import dev.fusebox.ops.Input;
import dev.fusebox.ops.Variable;
import dev.fusebox.runtime.InputKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Checks autodiff against numerical differentiation: for each element checked, the central difference
 * {@code (f(x+h) − f(x−h)) / 2h} of the loss, computed by the float64 interpreter, against the
 * gradient the backward graph computes. Run it when you add an op.
 *
 * <p>The relative error of an element is {@code |a − n| / max(|a|, |n|, absTolerance)}; an element
 * passes if its absolute or its relative error is within tolerance.
 *
 * <p>Points within h of a kink (ReLU at 0, a maxout tie, hard-tanh's corners) have no derivative to
 * compare with. They are recognised numerically, by one-sided differences that disagree, and reported
 * as skipped rather than compared.
 *
 * <pre>{@code
 * GradientCheck.Report r = GradientCheck.of(graph).seed(3).run();
 * assert r.passed() : r;
 * }</pre>
 */
public final class GradientCheck {
  private final Graph graph;
  private final Map<String, double[]> inputs = new LinkedHashMap<>();
  private final Map<String, int[]> labels = new LinkedHashMap<>();
  private final List<String> wrt = new ArrayList<>();
  private double h = 1e-6;
  private double absTolerance = 1e-6;
  private double relTolerance = 1e-5;
  private int maxPerTensor = 64;
  private long seed = 1;
  private double randomParameters = 0;
  private boolean training = true;
  private Precision analyticPrecision = Precision.FLOAT64;

  private GradientCheck(Graph graph) {
    this.graph = graph;
  }

  /**
   * {@return a check with the defaults below; a check is a mutable builder, not thread-safe}
   *
   * @param forward a forward graph (without gradients or updates) with a scalar {@code loss} output
   */
  public static GradientCheck of(Graph forward) {
    return new GradientCheck(forward);
  }

  /**
   * Sets a float input; inputs not set get seeded random values (labels: random classes).
   *
   * @param name the input's name
   * @param values its values, row-major, as many as its shape holds; copied
   * @return this check
   */
  public GradientCheck input(String name, double[] values) {
    inputs.put(name, values.clone());
    return this;
  }

  /**
   * Sets a labels input; labels not set are random classes.
   *
   * @param name the input's name
   * @param values one class index per row, each in {@code [0, classes)}; copied
   * @return this check
   */
  public GradientCheck labels(String name, int[] values) {
    labels.put(name, values.clone());
    return this;
  }

  /**
   * Checks only these nodes; default: every trainable parameter.
   *
   * @param names float nodes: parameters, inputs or intermediates
   * @return this check
   */
  public GradientCheck wrt(String... names) {
    wrt.addAll(List.of(names));
    return this;
  }

  /**
   * Sets the step h of the central difference.
   *
   * @param h positive; default 1e-6
   * @return this check
   */
  public GradientCheck step(double h) {
    this.h = h;
    return this;
  }

  /**
   * Sets the tolerances: an element passes if its absolute or its relative error is within tolerance.
   *
   * @param absolute the absolute tolerance, also the floor of the relative error's denominator; default 1e-6
   * @param relative the relative tolerance; default 1e-5
   * @return this check
   */
  public GradientCheck tolerance(double absolute, double relative) {
    this.absTolerance = absolute;
    this.relTolerance = relative;
    return this;
  }

  /**
   * Sets how many elements per tensor are checked, chosen at random.
   *
   * @param n at most this many; default 64
   * @return this check
   */
  public GradientCheck maxPerTensor(int n) {
    this.maxPerTensor = n;
    return this;
  }

  /**
   * Sets the seed of random inputs, the element sample and {@link #randomParameters}.
   *
   * @param seed the seed; default 1
   * @return this check
   */
  public GradientCheck seed(long seed) {
    this.seed = seed;
    return this;
  }

  /**
   * Replaces every parameter by N(0, scale²) values before checking, to test away from the initialiser's point.
   *
   * @param scale the standard deviation; 0 (the default) keeps the initialisers' values
   * @return this check
   */
  public GradientCheck randomParameters(double scale) {
    this.randomParameters = scale;
    return this;
  }

  /**
   * Sets the mode the graph is evaluated in.
   *
   * @param training true for training mode (dropout on, with a fixed mask; the default), false for inference
   * @return this check
   */
  public GradientCheck training(boolean training) {
    this.training = training;
    return this;
  }

  /**
   * Sets the precision of the analytic gradient; the numerical one is always float64.
   *
   * @param precision {@code FLOAT32} to check what training actually uses; default {@code FLOAT64}
   * @return this check
   */
  public GradientCheck analyticIn(Precision precision) {
    this.analyticPrecision = precision;
    return this;
  }

  /**
   * Runs the check on the reference interpreter; the graph is not changed.
   *
   * @return the outcome per tensor checked
   * @throws dev.fusebox.ir.GraphException if the graph has no scalar {@code loss} output, or names a node
   *     it does not have
   */
  public Report run() {
    List<String> targets = wrt.isEmpty()
        ? graph.nodes().stream().filter(n -> n.op() instanceof Variable v && v.trainable()).map(Node::name).toList()
        : wrt;
    Graph withGrads = Autodiff.differentiate(graph, graph.output("loss").name(), targets.toArray(new String[0]));
    SplittableRandom rng = new SplittableRandom(seed);
    Interpreter exact = Interpreter.create(withGrads, Precision.FLOAT64);
    Interpreter analytic = analyticPrecision == Precision.FLOAT64 ? exact : Interpreter.create(withGrads, analyticPrecision);
    prepare(withGrads, rng, exact, analytic);

    analytic.evaluate(training);
    Map<String, double[]> grads = new LinkedHashMap<>();
    for (String t : targets) grads.put(t, analytic.readDouble(withGrads.output(t + ".grad").name()));

    double f0 = exact.evaluateLoss(training);
    List<TensorReport> reports = new ArrayList<>();
    for (String t : targets) {
      Node node = withGrads.node(t);
      double[] x = node.op().isVariable() ? exact.readDouble(t) : valueOf(exact, node);
      double[] g = grads.get(t);
      TensorReport.Builder r = new TensorReport.Builder(t, node.shape().dims());
      for (int i : sample(x.length, rng)) {
        double saved = x[i];
        x[i] = saved + h;
        double fPlus = lossAt(exact, node, x);
        x[i] = saved - h;
        double fMinus = lossAt(exact, node, x);
        x[i] = saved;
        set(exact, node, x);
        double numeric = (fPlus - fMinus) / (2 * h);
        double oneSidedGap = Math.abs((fPlus - f0) - (f0 - fMinus)) / h;
        boolean kink = oneSidedGap > 10 * relTolerance * Math.max(1, Math.abs(numeric)) + 10 * absTolerance;
        r.add(i, g[i], numeric, kink, absTolerance, relTolerance);
      }
      reports.add(r.build());
    }
    return new Report(reports, absTolerance, relTolerance);
  }

  private void prepare(Graph g, SplittableRandom rng, Interpreter... programs) {
    for (Node n : g.nodes()) {
      if (n.op() instanceof Input in) {
        if (in.kind() == InputKind.LABELS) {
          int[] v = labels.getOrDefault(n.name(), rng.ints(n.shape().size(), 0, in.classes()).toArray());
          for (Interpreter p : programs) p.setLabels(n.name(), v);
        } else {
          double[] v = inputs.containsKey(n.name()) ? inputs.get(n.name()) : randomInput(in, n, rng);
          for (Interpreter p : programs) p.setInput(n.name(), v);
        }
      } else if (n.op() instanceof Variable v && v.trainable() && randomParameters > 0) {
        double[] values = new double[n.shape().size()];
        for (int i = 0; i < values.length; i++) values[i] = randomParameters * gaussian(rng);
        for (Interpreter p : programs) p.writeDouble(n.name(), values);
      }
    }
  }

  private static double[] randomInput(Input in, Node n, SplittableRandom rng) {
    double[] v = new double[n.shape().size()];
    if (in.kind() == InputKind.ONE_HOT) {
      int cols = n.shape().cols();
      for (int r = 0; r < n.shape().rows(); r++) v[r * cols + rng.nextInt(cols)] = 1;
    } else if (in.kind() == InputKind.TARGETS) {
      for (int i = 0; i < v.length; i++) v[i] = rng.nextDouble(); // in [0, 1): valid for BCE targets too
    } else {
      for (int i = 0; i < v.length; i++) v[i] = gaussian(rng);
    }
    return v;
  }

  private static double gaussian(SplittableRandom rng) {
    return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
  }

  private int[] sample(int n, SplittableRandom rng) {
    if (n <= maxPerTensor) return java.util.stream.IntStream.range(0, n).toArray();
    return rng.ints(0, n).distinct().limit(maxPerTensor).sorted().toArray();
  }

  private double lossAt(Interpreter p, Node node, double[] x) {
    set(p, node, x);
    return p.evaluateLoss(training);
  }

  private static void set(Interpreter p, Node node, double[] x) {
    if (node.op().isVariable()) p.writeDouble(node.name(), x);
    else if (node.op() instanceof Input) p.setInput(node.name(), x);
    else throw new IllegalArgumentException("gradient check can perturb parameters and inputs, not '" + node.name() + "'");
  }

  private static double[] valueOf(Interpreter p, Node node) {
    if (!(node.op() instanceof Input)) {
      throw new IllegalArgumentException("gradient check can perturb parameters and inputs, not '" + node.name() + "'");
    }
    return p.readDouble(node.name());
  }

  /**
   * Per tensor: how many elements were compared and skipped, and the worst absolute and relative error.
   *
   * @param name the tensor's name
   * @param checked elements compared
   * @param skippedAtKinks elements skipped because they lie within h of a kink
   * @param failed elements compared whose absolute and relative errors both exceed their tolerances
   * @param maxAbsError the largest absolute error
   * @param maxAbsAt its element's index ({@code [3]} for a bias, {@code [1, 2]} for a weight); {@code -} if none compared
   * @param maxRelError the largest relative error
   * @param maxRelAt its element's index; {@code -} if none compared
   * @param analyticAtWorst the analytic gradient at the element of the largest absolute error
   * @param numericAtWorst the central difference there
   */
  public record TensorReport(String name, int checked, int skippedAtKinks, int failed, double maxAbsError, String maxAbsAt,
      double maxRelError, String maxRelAt, double analyticAtWorst, double numericAtWorst) {

    static final class Builder {
      private final String name;
      private final int[] dims;
      private int checked, skipped, failed;
      private double maxAbs = 0, maxRel = 0, analytic, numeric;
      private String absAt = "-", relAt = "-";

      Builder(String name, int[] dims) {
        this.name = name;
        this.dims = dims;
      }

      void add(int i, double a, double n, boolean kink, double atol, double rtol) {
        if (kink) {
          skipped++;
          return;
        }
        checked++;
        double abs = Math.abs(a - n);
        // Relative to the larger magnitude, floored at the absolute tolerance so that noise on a
        // near-zero gradient does not read as a 100% error.
        double rel = abs / Math.max(Math.max(Math.abs(a), Math.abs(n)), atol);
        if (!(abs <= atol || rel <= rtol)) failed++;
        if (!(abs <= maxAbs)) {
          maxAbs = abs;
          absAt = index(i);
          analytic = a;
          numeric = n;
        }
        if (!(rel <= maxRel)) {
          maxRel = rel;
          relAt = index(i);
        }
      }

      /** Element {@code i} of a row-major tensor as an index of its own rank: {@code [3]} for a bias, {@code [1, 2]} for a weight. */
      String index(int i) {
        int[] at = new int[dims.length];
        for (int d = dims.length - 1; d >= 0; d--) {
          at[d] = i % dims[d];
          i /= dims[d];
        }
        return Arrays.toString(at);
      }

      TensorReport build() {
        return new TensorReport(name, checked, skipped, failed, maxAbs, absAt, maxRel, relAt, analytic, numeric);
      }
    }
  }

  /**
   * The outcome for every tensor; {@link #toString} is a table.
   *
   * @param tensors one report per tensor checked, in order
   * @param absTolerance the absolute tolerance used
   * @param relTolerance the relative tolerance used
   */
  public record Report(List<TensorReport> tensors, double absTolerance, double relTolerance) {

    /** {@return whether every tensor had an element checked and none failed} */
    public boolean passed() {
      return tensors.stream().allMatch(t -> t.failed() == 0 && t.checked() > 0);
    }

    /**
     * {@return the report of one tensor}
     *
     * @param name a tensor checked
     * @throws IllegalArgumentException if that tensor was not checked
     */
    public TensorReport tensor(String name) {
      return tensors.stream().filter(t -> t.name().equals(name)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no tensor '" + name + "' in this report"));
    }

    @Override
    public String toString() {
      StringBuilder b = new StringBuilder(String.format("gradient check (pass: abs <= %.1e or rel <= %.1e)%n", absTolerance, relTolerance));
      b.append(String.format("%-28s %7s %7s %6s %11s %-10s %11s %-10s%n", "tensor", "checked", "kinks", "failed", "max abs", "at", "max rel", "at"));
      for (TensorReport t : tensors) {
        b.append(String.format("%-28s %7d %7d %6d %11.3e %-10s %11.3e %-10s%n", t.name(), t.checked(), t.skippedAtKinks(), t.failed(),
            t.maxAbsError(), t.maxAbsAt(), t.maxRelError(), t.maxRelAt()));
      }
      return b.toString();
    }
  }
}
