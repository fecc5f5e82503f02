package dev.fusebox.ops;

import dev.fusebox.autodiff.Autodiff;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.interp.Interpreter;
import dev.fusebox.interp.Interpreter.Precision;
import dev.fusebox.ir.Graph;
import dev.fusebox.runtime.init.Initializers;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds a small graph with {@link GraphBuilder}, remembers the values its inputs and parameters
 * should hold, and runs it on the reference interpreter. Tests build a fresh harness per case.
 */
public final class OpHarness {
  private final GraphBuilder g = GraphBuilder.create();
  private final Map<String, double[]> floats = new LinkedHashMap<>();
  private final Map<String, int[]> labels = new LinkedHashMap<>();
  private final Map<String, double[]> variables = new LinkedHashMap<>();
  private int validRows;

  public static OpHarness create() {
    return new OpHarness();
  }

  public GraphBuilder g() {
    return g;
  }

  /** Float features {@code [rows, cols]} holding {@code values} (row-major). */
  public Tensor input(String name, int rows, int cols, double... values) {
    Tensor t = g.input(name, rows, cols);
    floats.put(name, values.clone());
    return t;
  }

  /** Float regression targets {@code [rows, cols]}. */
  public Tensor targets(String name, int rows, int cols, double... values) {
    Tensor t = g.targets(name, rows, cols);
    floats.put(name, values.clone());
    return t;
  }

  /** One-hot (or soft) class targets {@code [rows, classes]}. */
  public Tensor oneHot(String name, int rows, int classes, double... values) {
    Tensor t = g.oneHot(name, rows, classes);
    floats.put(name, values.clone());
    return t;
  }

  /** Integer labels {@code [values.length]} in {@code [0, classes)}. */
  public Tensor labels(String name, int classes, int... values) {
    Tensor t = g.labels(name, values.length, classes);
    labels.put(name, values.clone());
    return t;
  }

  /** A trainable parameter of shape {@code dims} that holds {@code values} when the run starts. */
  public Tensor parameter(String name, int[] dims, double... values) {
    Tensor t = g.parameter(name, Initializers.zeros(), dims);
    variables.put(name, values.clone());
    return t;
  }

  /** Losses average over the first {@code rows} rows only. */
  public OpHarness validRows(int rows) {
    this.validRows = rows;
    return this;
  }

  /** The graph built so far, with {@code out} as output "out". */
  public Graph graph(Tensor out) {
    g.output("out", out);
    return g.build();
  }

  /** The graph built so far with {@code loss} as its loss, plus the gradients of the loss with respect to {@code wrt}. */
  public Graph withGradients(Tensor loss, String... wrt) {
    g.loss(loss);
    return Autodiff.differentiate(g.build(), loss.name(), wrt);
  }

  /** An interpreter of {@code graph} with every remembered input, parameter and valid-row count set. */
  public Interpreter start(Graph graph, Precision precision) {
    Interpreter it = Interpreter.create(graph, precision);
    floats.forEach(it::setInput);
    labels.forEach(it::setLabels);
    variables.forEach(it::writeDouble);
    if (validRows > 0) it.setValidRows(validRows);
    return it;
  }

  /** Runs a forward (inference) pass and returns the value of {@code out}. */
  public double[] eval(Tensor out, Precision precision) {
    Interpreter it = start(graph(out), precision);
    it.forward();
    return it.readDouble("out");
  }

  /** {@link #eval} of a one-element tensor. */
  public double scalar(Tensor out, Precision precision) {
    double[] v = eval(out, precision);
    if (v.length != 1) throw new AssertionError("expected one value, got " + v.length);
    return v[0];
  }
}
