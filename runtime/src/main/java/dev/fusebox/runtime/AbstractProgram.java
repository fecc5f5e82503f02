package dev.fusebox.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
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
  /** Values per row of each batched float input, for {@link #setInputRows}. */
  private final Map<String, Integer> rowWidths = new HashMap<>();

  /**
   * A program whose batched inputs have {@code batchSize} rows.
   *
   * @param batchSize 1 or more
   * @throws IllegalArgumentException if {@code batchSize} is less than 1
   */
  protected AbstractProgram(int batchSize) {
    if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    this.batchSize = batchSize;
  }

  // ---- declarations, made by the subclass's constructor

  /**
   * Declares an input the caller sets.
   *
   * @param input its name, shape, kind and classes
   * @throws IllegalStateException if an input of that name was declared before
   */
  protected final void declareInput(InputSpec input) {
    if (inputs.put(input.name(), input) != null) throw new IllegalStateException("program declares input '" + input.name() + "' twice");
    int[] shape = input.shape();
    if (input.kind() != InputKind.LABELS && shape.length > 0 && shape[0] == batchSize) {
      rowWidths.put(input.name(), BatchRows.width("input", input.name(), shape, batchSize));
    }
  }

  /**
   * Declares a parameter or an optimizer state tensor, which {@link #state()} and {@link #load} see.
   *
   * @param name unique among the variables
   * @param shape its dimensions (copied)
   * @param trainable true for a parameter (listed by {@link #parameterNames()}), false for optimizer state
   * @throws IllegalStateException if a variable of that name was declared before
   */
  protected final void declareVariable(String name, int[] shape, boolean trainable) {
    if (variables.put(name, new Variable(name, shape.clone(), trainable)) != null) {
      throw new IllegalStateException("program declares variable '" + name + "' twice");
    }
  }

  // ---- storage, implemented by the subclass; called with checked arguments only

  /**
   * Copies the values of a float input (features, targets, one-hot rows or a scalar).
   *
   * @param name a declared float input
   * @param values exactly its size
   */
  protected abstract void storeInput(String name, float[] values);

  /**
   * Copies leading rows into a float input (its first {@code length} values), leaving the rest as they were.
   *
   * @param name a declared batched float input
   * @param values where the rows are read from
   * @param offset index in {@code values} of the first value
   * @param length how many values to copy: whole rows, checked
   */
  protected abstract void storeInputRows(String name, float[] values, int offset, int length);

  /**
   * Copies class labels into a labels input.
   *
   * @param name a declared labels input
   * @param labels one per row, each a valid class
   */
  protected abstract void storeLabels(String name, int[] labels);

  /**
   * Sets a float input of one value.
   *
   * @param name a declared float input of size 1
   * @param value its new value
   */
  protected abstract void storeScalar(String name, float value);

  /**
   * Records how many leading rows of the batch are real data.
   *
   * @param rows in {@code [1, batchSize()]}
   */
  protected abstract void storeValidRows(int rows);

  /**
   * Replaces a variable's values.
   *
   * @param name a declared variable
   * @param values exactly its size, all finite
   */
  protected abstract void storeVariable(String name, float[] values);

  /**
   * {@return a copy of a variable's values, row-major}
   *
   * @param name a declared variable
   */
  protected abstract float[] variableValues(String name);

  // ---- checks

  /**
   * {@return the named input, checked to hold floats and take {@code length} values}
   *
   * @param name the input's name
   * @param length the number of values the caller has for it
   * @throws IllegalArgumentException saying what is wrong: no such input, a labels input, or another length
   */
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
   * Checks that the named variable exists and takes {@code length} values, for subclasses that write
   * variables in other ways than {@link #load}.
   *
   * @param name the variable's name
   * @param length the number of values the caller has for it
   * @throws IllegalArgumentException saying what is wrong: no such variable, or another size
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
  public final void setInputRows(String name, float[] values, int offset, int rows) {
    InputSpec in = input(name);
    if (in.kind() == InputKind.LABELS) throw new IllegalArgumentException("input '" + name + "' holds integer labels: use setLabels");
    Integer width = rowWidths.get(name);
    if (width == null) BatchRows.width("input", name, in.shape(), batchSize); // throws: not batched
    BatchRows.check("input", name, rows, batchSize, width, values.length, offset);
    storeInputRows(name, values, offset, rows * width);
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

  @Override
  public final void copyVariables(String[] names, float[][] values) {
    if (names.length != values.length) throw new IllegalArgumentException(names.length + " names but " + values.length + " arrays");
    for (int i = 0; i < names.length; i++) requireVariable(names[i], values[i].length);
    for (int i = 0; i < names.length; i++) storeVariable(names[i], values[i]);
    variablesChanged();
  }

  /**
   * Called after {@link #load} has written variables: a generated program refreshes what it keeps
   * derived from them (a weight's packed copy).
   */
  protected void variablesChanged() {}
}
