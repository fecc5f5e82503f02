package dev.fusebox.interp;

import dev.fusebox.ir.Buffer;
import dev.fusebox.ir.DType;
import dev.fusebox.ir.EvalContext;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.GraphPrinter;
import dev.fusebox.ir.Node;
import dev.fusebox.ops.Input;
import dev.fusebox.ops.Variable;
import dev.fusebox.runtime.AbstractProgram;
import dev.fusebox.runtime.InputKind;
import dev.fusebox.runtime.InputSpec;
import java.util.Arrays;
import java.util.List;

/**
 * Runs a graph op by op with each op's reference semantics: the definition of what a graph means,
 * the oracle compiled programs are tested against, and the baseline the benchmarks compare with.
 * In {@link Precision#FLOAT32} every node's value is stored as float32 (ops compute internally in
 * double and round on store); {@link Precision#FLOAT64} keeps doubles throughout, for gradient checks.
 *
 * <p>{@link #forward} evaluates what the outputs need, leaving out the backward pass; {@link #step}
 * evaluates everything the outputs and updates need, then applies all updates together. The
 * contract's checks and messages are {@link AbstractProgram}'s, shared with generated programs.
 */
public final class Interpreter extends AbstractProgram {

  /** What every node's value is stored as. */
  public enum Precision {
    /** Float32, as generated programs store them: for comparing with compiled code. */
    FLOAT32,
    /** Float64 throughout: for gradient checks. */
    FLOAT64
  }

  private final Graph graph;
  private final Precision precision;
  private final Buffer[] buffers;
  private final Buffer[][] args;
  private final List<Node> forwardOrder;
  private final List<Node> stepOrder;
  private final List<Node> lossOrder;
  private final boolean[] evaluated;
  private final EvalContext ctx;
  private final Node loss;
  private final Node[] updateTargets;
  private final Node[] updateValues;
  private final Buffer[] staged;
  private long steps;

  private Interpreter(Graph graph, Precision precision) {
    super(graph.batchSize());
    this.graph = graph;
    this.precision = precision;
    int n = graph.size();
    buffers = new Buffer[n];
    args = new Buffer[n][];
    evaluated = new boolean[n];
    for (Node node : graph.nodes()) {
      buffers[node.id()] = Buffer.allocate(node.shape(), node.dtype(), precision == Precision.FLOAT64);
      args[node.id()] = node.inputs().stream().map(in -> buffers[in.id()]).toArray(Buffer[]::new);
      if (node.op() instanceof Input in) {
        declareInput(new InputSpec(node.name(), node.shape().dims(), in.kind(), in.classes()));
        if (in.kind() == InputKind.SCALAR) buffers[node.id()].set(0, in.initial());
      }
      if (node.op() instanceof Variable v) {
        declareVariable(node.name(), node.shape().dims(), v.trainable());
        buffers[node.id()].copyFrom(v.initialValues());
      }
      if (node.op().isConstant()) node.op().eval(new Buffer[0], buffers[node.id()], null);
    }
    ctx = new EvalContext(batchSize());
    updateTargets = graph.updates().keySet().toArray(new Node[0]);
    updateValues = graph.updates().values().toArray(new Node[0]);
    staged = new Buffer[updateValues.length];
    for (int i = 0; i < staged.length; i++) {
      Node v = updateValues[i];
      if (v.op().isVariable()) staged[i] = Buffer.allocate(v.shape(), v.dtype(), precision == Precision.FLOAT64);
    }
    loss = graph.outputs().get("loss");
    forwardOrder = graph.forwardNodes();
    stepOrder = graph.stepNodes();
    lossOrder = loss == null || graph.backwardNodes().contains(loss) ? List.of() : graph.dependencies(List.of(loss));
  }

  /**
   * {@return a float32 interpreter of {@code graph}, its variables at their initial values; like every
   * program, not thread-safe}
   *
   * @param graph any graph: a forward, training or fused one
   */
  public static Interpreter create(Graph graph) {
    return new Interpreter(graph, Precision.FLOAT32);
  }

  /**
   * {@return an interpreter of {@code graph} in {@code precision}, its variables at their initial values}
   *
   * @param graph any graph: a forward, training or fused one
   * @param precision what values are stored as
   */
  public static Interpreter create(Graph graph, Precision precision) {
    return new Interpreter(graph, precision);
  }

  /** {@return the graph this interpreter runs} */
  public Graph graph() {
    return graph;
  }

  /** {@return what values are stored as} */
  public Precision precision() {
    return precision;
  }

  /**
   * Sets a float input from doubles, keeping full precision in a float64 run.
   *
   * @param name a float input's name
   * @param values its values, row-major, as many as its shape holds
   * @throws IllegalArgumentException if there is no such float input or the length does not fit
   */
  public void setInput(String name, double[] values) {
    requireFloatInput(name, values.length);
    Buffer b = buffers[graph.node(name).id()];
    for (int i = 0; i < values.length; i++) b.set(i, values[i]);
  }

  @Override
  protected void storeInput(String name, float[] values) {
    buffers[graph.node(name).id()].copyFrom(values);
  }

  @Override
  protected void storeInputRows(String name, float[] values, int offset, int length) {
    Buffer b = buffers[graph.node(name).id()];
    for (int i = 0; i < length; i++) b.set(i, values[offset + i]);
  }

  @Override
  protected void storeLabels(String name, int[] labels) {
    buffers[graph.node(name).id()].copyLabels(labels);
  }

  @Override
  protected void storeScalar(String name, float value) {
    buffers[graph.node(name).id()].set(0, value);
  }

  @Override
  protected void storeValidRows(int rows) {
    ctx.setValidRows(rows);
  }

  @Override
  protected void storeVariable(String name, float[] values) {
    buffers[graph.node(name).id()].copyFrom(values);
  }

  @Override
  protected float[] variableValues(String name) {
    return buffers[graph.node(name).id()].toFloats();
  }

  @Override
  public void forward() {
    ctx.setTraining(false);
    run(forwardOrder);
  }

  @Override
  public float step() {
    ctx.setTraining(true);
    ctx.setStep(steps);
    run(stepOrder);
    double value = loss == null ? Double.NaN : buffers[loss.id()].get(0);
    // Updates are simultaneous. A new value computed by an op is unaffected by the copies; one that
    // is itself a variable (a <- b, b <- a) is staged first so that no update sees another's result.
    for (int i = 0; i < updateValues.length; i++) {
      if (staged[i] != null) staged[i].copyFrom(buffers[updateValues[i].id()]);
    }
    for (int i = 0; i < updateTargets.length; i++) {
      buffers[updateTargets[i].id()].copyFrom(staged[i] != null ? staged[i] : buffers[updateValues[i].id()]);
    }
    steps++;
    return (float) value;
  }

  @Override
  public long stepCount() {
    return steps;
  }

  @Override
  public void setStepCount(long steps) {
    if (steps < 0) throw new IllegalArgumentException("a step count cannot be negative, not " + steps);
    this.steps = steps;
  }

  /**
   * Evaluates everything a step would (forward and backward) without applying updates or advancing
   * the step counter, so repeated calls see the same dropout masks. For gradient checks and debugging.
   *
   * @param training whether dropout is on
   * @return the loss, in full precision
   * @throws IllegalStateException if the graph has no {@code loss} output
   */
  public double evaluate(boolean training) {
    ctx.setTraining(training);
    ctx.setStep(steps);
    run(stepOrder);
    return lossValue();
  }

  /**
   * {@return the loss, in full precision} Like {@link #evaluate} but only the forward nodes the loss needs.
   *
   * @param training whether dropout is on
   * @throws IllegalStateException if the graph has no {@code loss} output
   */
  public double evaluateLoss(boolean training) {
    ctx.setTraining(training);
    ctx.setStep(steps);
    run(lossOrder);
    return lossValue();
  }

  /**
   * {@return the loss of the last step or forward run, in full precision}
   *
   * @throws IllegalStateException if the graph has no {@code loss} output
   */
  public double lossValue() {
    if (loss == null) throw new IllegalStateException("graph has no 'loss' output");
    return buffers[loss.id()].get(0);
  }

  private void run(List<Node> order) {
    Arrays.fill(evaluated, false);
    for (Node node : order) {
      node.op().eval(args[node.id()], buffers[node.id()], ctx);
      evaluated[node.id()] = true;
    }
  }

  /** Inputs, variables and constants hold a value whatever has run; other nodes only once computed. */
  private boolean available(Node node) {
    return evaluated[node.id()] || node.op().isSource();
  }

  @Override
  public float[] read(String name) {
    return value(name).toFloats();
  }

  /**
   * {@return a node's value in full precision, row-major (a copy)}
   *
   * @param name an output role ({@code loss}, {@code w.grad}) or a node's name
   * @throws IllegalArgumentException if there is no such node
   * @throws IllegalStateException if the last run did not compute it
   */
  public double[] readDouble(String name) {
    return value(name).toDoubles();
  }

  /** A node by output role ({@code loss}, {@code w.grad}) or by name. */
  private Node resolve(String name) {
    Node node = graph.outputs().get(name);
    return node != null ? node : graph.find(name);
  }

  private Buffer value(String name) {
    Node node = resolve(name);
    if (node == null) throw new IllegalArgumentException("no node named '" + name + "'");
    if (!available(node)) {
      throw new IllegalStateException("node '" + name + "' was not computed by the last run"
          + (stepOrder.contains(node) ? "; it is part of the backward pass: call step()" : ""));
    }
    return buffers[node.id()];
  }

  @Override
  public int[] shape(String name) {
    Node node = resolve(name);
    if (node == null) throw new IllegalArgumentException("no node named '" + name + "'");
    return node.shape().dims();
  }

  /**
   * Overwrites a variable's value (parameter or state) in full precision.
   *
   * @param name the variable's name
   * @param values its values, row-major, as many as its shape holds
   * @throws IllegalArgumentException if there is no such variable or the length does not fit
   */
  public void writeDouble(String name, double[] values) {
    requireVariable(name, values.length);
    Buffer b = buffers[graph.node(name).id()];
    for (int i = 0; i < values.length; i++) b.set(i, values[i]);
  }

  @Override
  public String firstNonFinite() {
    for (Node node : graph.nodes()) {
      if (!available(node) || node.dtype() != DType.F32) continue;
      Buffer b = buffers[node.id()];
      for (int i = 0; i < b.size(); i++) {
        double v = b.get(i);
        if (!Double.isFinite(v)) {
          int cols = node.shape().cols();
          return node.describe() + (node.site().isEmpty() ? "" : " at " + node.site()) + " produced " + v
              + " at [" + (i / cols) + ", " + (i % cols) + "]";
        }
      }
    }
    return null;
  }

  @Override
  public String source() {
    return GraphPrinter.print(graph);
  }
}
