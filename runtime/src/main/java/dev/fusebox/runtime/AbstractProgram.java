package dev.fusebox.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of the {@link Program} contract that does not depend on how a program computes: which
 * inputs and variables it has, and every check of what a caller hands it (input names, kinds and
 * lengths, class labels, valid rows, tensors to load), each with its message. Generated programs
 * ({@link GeneratedProgram}) and the reference interpreter both extend it, so that a mistake reads
 * the same whichever program runs.
 *
 * <p>A subclass declares its inputs and variables in its constructor, in the order {@link #inputs()}
 * and {@link #state()} list them, and stores what the checked calls hand it: the {@code store...}
 * methods are only ever called with arguments that passed the checks.
 */
public abstract class AbstractProgram implements Program {

  private record Variable(String name, int[] shape, boolean trainable) {
    int size() {
      int n = 1;
      for (int d : shape) n *= d;
      return n;
    }
  }

  private final int batchSize;
  private final Map<String, InputSpec> inputs = new LinkedHashMap<>();
  private final Map<String, Variable> variables = new LinkedHashMap<>();

  /** A program whose batched inputs have {@code batchSize} rows. */
  protected AbstractProgram(int batchSize) {
    if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    this.batchSize = batchSize;
  }

  // ---- declarations, made by the subclass's constructor

  /** Declares an input the caller sets. */
  protected final void declareInput(InputSpec input) {
    if (inputs.put(input.name(), input) != null) throw new IllegalStateException("program declares input '" + input.name() + "' twice");
  }

  /** Declares a parameter ({@code trainable}) or an optimizer state tensor, which {@link #state()} and {@link #load} see. */
  protected final void declareVariable(String name, int[] shape, boolean trainable) {
    if (variables.put(name, new Variable(name, shape.clone(), trainable)) != null) {
      throw new IllegalStateException("program declares variable '" + name + "' twice");
    }
  }

  // ---- storage, implemented by the subclass; called with checked arguments only

  /** Copies the values of a float input (features, targets, one-hot rows or a scalar), exactly its size. */
  protected abstract void storeInput(String name, float[] values);

  /** Copies class labels, one per row, each a valid class, into a labels input. */
  protected abstract void storeLabels(String name, int[] labels);

  /** Sets a float input of one value. */
  protected abstract void storeScalar(String name, float value);

  /** Records how many leading rows of the batch are real data, in {@code [1, batchSize()]}. */
  protected abstract void storeValidRows(int rows);

  /** Replaces a variable's values, exactly its size and all finite. */
  protected abstract void storeVariable(String name, float[] values);

  /** A copy of a variable's values. */
  protected abstract float[] variableValues(String name);

  // ---- checks

  /** The named input, which must hold floats and take {@code length} values; else an exception saying what is wrong. */
  protected final InputSpec requireFloatInput(String name, int length) {
    InputSpec in = input(name);
    if (in.kind() == InputKind.LABELS) throw new IllegalArgumentException("input '" + name + "' holds integer labels: use setLabels");
    requireLength(in, length);
    return in;
  }

  private InputSpec input(String name) {
    InputSpec in = inputs.get(name);
    if (in == null) throw new IllegalArgumentException("no input named '" + name + "'; inputs are " + List.copyOf(inputs.keySet()));
    return in;
  }

  private static void requireLength(InputSpec in, int length) {
    if (length != in.size()) {
      throw new IllegalArgumentException("input '" + in.name() + "' of shape " + Arrays.toString(in.shape()) + " takes " + in.size()
          + " values, got " + length);
    }
  }

  private Variable variable(String name) {
    Variable v = variables.get(name);
    if (v == null) {
      throw new IllegalArgumentException("tensor '" + name + "' is not a parameter or state of this program; it has "
          + List.copyOf(variables.keySet()));
    }
    return v;
  }

  /**
   * The named variable, which must take {@code length} values; else an exception saying what is wrong.
   * For subclasses that write variables in other ways than {@link #load}.
   */
  protected final void requireVariable(String name, int length) {
    Variable v = variable(name);
    if (length != v.size()) {
      throw new IllegalArgumentException("tensor '" + name + "' has " + length + " values, the program's has shape "
          + Arrays.toString(v.shape()) + " (" + v.size() + " values)");
    }
  }

  // ---- Program

  @Override
  public final List<InputSpec> inputs() {
    return List.copyOf(inputs.values());
  }

  @Override
  public final int batchSize() {
    return batchSize;
  }

  @Override
  public final void setInput(String name, float[] values) {
    requireFloatInput(name, values.length);
    storeInput(name, values);
  }

  @Override
  public final void setLabels(String name, int[] labels) {
    InputSpec in = input(name);
    if (in.kind() != InputKind.LABELS) throw new IllegalArgumentException("input '" + name + "' is " + in.kind() + ", not labels: use setInput");
    requireLength(in, labels.length);
    for (int r = 0; r < labels.length; r++) {
      if (labels[r] < 0 || labels[r] >= in.classes()) {
        throw new IllegalArgumentException("input '" + name + "': label " + labels[r] + " in row " + r + " is outside [0, "
            + in.classes() + ")");
      }
    }
    storeLabels(name, labels);
  }

  @Override
  public final void setScalar(String name, float value) {
    requireFloatInput(name, 1);
    storeScalar(name, value);
  }

  @Override
  public final void setValidRows(int rows) {
    if (rows < 1 || rows > batchSize) throw new IllegalArgumentException("valid rows must be in [1, " + batchSize + "], got " + rows);
    storeValidRows(rows);
  }

  @Override
  public final List<String> parameterNames() {
    List<String> out = new ArrayList<>();
    for (Variable v : variables.values()) if (v.trainable()) out.add(v.name());
    return out;
  }

  @Override
  public final NamedTensors state() {
    NamedTensors t = new NamedTensors();
    for (Variable v : variables.values()) t.put(v.name(), new FloatTensor(v.shape().clone(), variableValues(v.name())));
    return t;
  }

  @Override
  public final void load(NamedTensors values) {
    for (String name : values.names()) {
      Variable v = variable(name);
      FloatTensor t = values.get(name);
      if (!Arrays.equals(t.shape(), v.shape())) {
        throw new IllegalArgumentException("tensor '" + name + "' has shape " + Arrays.toString(t.shape()) + ", the program's has "
            + Arrays.toString(v.shape()));
      }
      float[] d = t.data();
      for (int i = 0; i < d.length; i++) {
        if (!Float.isFinite(d[i])) throw new IllegalArgumentException("tensor '" + name + "' holds " + d[i] + " at index " + i);
      }
    }
    for (String name : values.names()) storeVariable(name, values.get(name).data());
    variablesChanged();
  }

  /**
   * Called after {@link #load} has written variables: a generated program refreshes what it keeps
   * derived from them (a weight's packed copy).
   */
  protected void variablesChanged() {}
}
