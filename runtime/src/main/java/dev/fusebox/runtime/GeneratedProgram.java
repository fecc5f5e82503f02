package dev.fusebox.runtime;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The base of every generated program: it implements the {@link Program} contract over the arrays a
 * generated subclass registers in its constructor, so that the subclass holds only its buffers, its
 * kernels and the schedules {@link #runForward()} and {@link #runStep()}. The contract's checks and
 * messages are {@link AbstractProgram}'s, shared with the interpreter. Only the runtime and the
 * generated code are needed to run a program: the compiler module is not.
 */
public abstract class GeneratedProgram extends AbstractProgram implements WorkerPool.Chunks {

  /** What a registered name is. */
  protected enum Role { INPUT, PARAMETER, STATE, VALUE }

  private record Entry(String name, Role role, int[] shape, float[] floats, int[] ints, String stored) {
    int size() {
      int n = 1;
      for (int d : shape) n *= d;
      return n;
    }
  }

  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private final Map<String, String> outputs = new LinkedHashMap<>();
  private String source = "(the generated source was not attached; dump it with -Dfusebox.dump)";

  /** Rows of the batch that hold data; the rest are padding that losses ignore. */
  protected int validRows;
  /** True during {@link #step()}: dropout is active. */
  protected boolean training;
  /** Steps taken so far; seeds dropout masks. */
  protected long steps;
  /** Threads the kernels may use; per-thread scratch is sized by it. */
  protected final int threads;
  /** The pool large matmuls run their row chunks on; null with one thread. */
  protected final WorkerPool pool;

  protected GeneratedProgram(int batchSize) {
    this(batchSize, 1);
  }

  protected GeneratedProgram(int batchSize, int threads) {
    super(batchSize);
    if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    this.validRows = batchSize;
    this.threads = threads;
    this.pool = threads > 1 ? new WorkerPool(threads) : null;
  }

  /** Runs chunk {@code chunk} of parallel task {@code task}; generated programs with parallel kernels override it. */
  @Override
  public void runChunk(int task, int chunk, int worker) {
    throw new IllegalStateException("generated program has no parallel task " + task);
  }

  /** Stops the worker threads, if any. */
  @Override
  public void close() {
    if (pool != null) pool.close();
  }

  /** Attaches the source this program was compiled from, for {@link #source()}; the loader calls it. */
  public final GeneratedProgram withSource(String source) {
    this.source = source;
    return this;
  }

  // ---- registration, called by generated constructors

  protected final void floatInput(String name, InputKind kind, int[] shape, float[] data) {
    put(new Entry(name, Role.INPUT, shape, data, null, null));
    declareInput(new InputSpec(name, shape, kind, 0));
  }

  protected final void labelInput(String name, int classes, int[] shape, int[] data) {
    put(new Entry(name, Role.INPUT, shape, null, data, null));
    declareInput(new InputSpec(name, shape, InputKind.LABELS, classes));
  }

  protected final void variable(String name, boolean trainable, int[] shape, float[] data) {
    put(new Entry(name, trainable ? Role.PARAMETER : Role.STATE, shape, data, null, null));
    declareVariable(name, shape, trainable);
  }

  /**
   * A computed value that {@link #read} can return: {@code data} holds it after a run (null if it is
   * not kept, then {@code where} says why, e.g. {@code "kept in registers by kernel 3"}).
   */
  protected final void value(String name, int[] shape, float[] data, String where) {
    put(new Entry(name, Role.VALUE, shape, data, null, where));
  }

  /**
   * Registers many values at once, as {@link #value} does one: {@code table} holds a line per value,
   * {@code name<TAB>d0,d1<TAB>where}, where {@code where} is the index of its array in {@code arrays}
   * or the reason it has none. One string constant instead of one per value keeps a deep network's
   * generated class within the JVM's limit of 65,535 constants.
   */
  protected final void values(String table, float[]... arrays) {
    for (String line : table.split("\n")) {
      String[] f = line.split("\t", 3);
      if (f.length != 3) throw new IllegalStateException("generated program: bad value table line '" + line + "'");
      String[] d = f[1].isEmpty() ? new String[0] : f[1].split(",");
      int[] shape = new int[d.length];
      for (int i = 0; i < d.length; i++) shape[i] = Integer.parseInt(d[i]);
      boolean stored = !f[2].isEmpty() && f[2].chars().allMatch(Character::isDigit);
      value(f[0], shape, stored ? arrays[Integer.parseInt(f[2])] : null, stored ? null : f[2]);
    }
  }

  /** Declares that output {@code role} ({@code loss}, {@code prediction}) is the value named {@code node}. */
  protected final void output(String role, String node) {
    if (!entries.containsKey(node)) throw new IllegalStateException("generated program: output '" + role + "' names unknown '" + node + "'");
    outputs.put(role, node);
  }

  /** An output role or a name, as {@link #read} takes it. */
  private Entry resolve(String name) {
    Entry e = entries.get(outputs.getOrDefault(name, name));
    if (e == null) throw new IllegalArgumentException("no value named '" + name + "' in this program");
    return e;
  }

  private void put(Entry e) {
    if (entries.put(e.name, e) != null) throw new IllegalStateException("generated program registers '" + e.name + "' twice");
    if (e.floats != null && e.floats.length < e.size() || e.ints != null && e.ints.length < e.size()) {
      throw new IllegalStateException("generated program: array for '" + e.name + "' is smaller than its shape " + Arrays.toString(e.shape));
    }
  }

  // ---- the schedules, generated

  /** Runs the kernels the outputs need, in inference mode. */
  protected abstract void runForward();

  /** Runs every kernel and applies the updates; returns the loss. */
  protected abstract float runStep();

  // ---- storage for the checked calls of AbstractProgram

  @Override
  protected final void storeInput(String name, float[] values) {
    System.arraycopy(values, 0, entries.get(name).floats, 0, values.length);
  }

  @Override
  protected final void storeInputRows(String name, float[] values, int offset, int length) {
    System.arraycopy(values, offset, entries.get(name).floats, 0, length);
  }

  @Override
  protected final void storeLabels(String name, int[] labels) {
    System.arraycopy(labels, 0, entries.get(name).ints, 0, labels.length);
  }

  @Override
  protected final void storeScalar(String name, float value) {
    entries.get(name).floats[0] = value;
  }

  @Override
  protected final void storeValidRows(int rows) {
    validRows = rows;
  }

  @Override
  protected final void storeVariable(String name, float[] values) {
    System.arraycopy(values, 0, entries.get(name).floats, 0, values.length);
  }

  @Override
  protected final float[] variableValues(String name) {
    Entry e = entries.get(name);
    return Arrays.copyOf(e.floats, e.size());
  }

  // ---- Program

  @Override
  public final void forward() {
    training = false;
    runForward();
  }

  @Override
  public final float step() {
    training = true;
    float loss = runStep();
    steps++;
    return loss;
  }

  @Override
  public final long stepCount() {
    return steps;
  }

  @Override
  public final void setStepCount(long steps) {
    if (steps < 0) throw new IllegalArgumentException("a step count cannot be negative, not " + steps);
    this.steps = steps;
  }

  @Override
  public final float[] read(String name) {
    Entry e = resolve(name);
    if (e.floats == null && e.ints == null) {
      throw new IllegalStateException("'" + name + "' is not stored by the compiled program (" + e.stored
          + "); read it from the interpreter, or compile with -Dfusebox.passes.disable=kernel_fusion");
    }
    float[] out = new float[e.size()];
    if (e.floats != null) System.arraycopy(e.floats, 0, out, 0, out.length);
    else for (int i = 0; i < out.length; i++) out[i] = e.ints[i];
    return out;
  }

  @Override
  public final void readRows(String name, float[] into, int offset, int rows) {
    Entry e = resolve(name);
    int width = BatchRows.width("value", name, e.shape, batchSize());
    BatchRows.check("value", name, rows, batchSize(), width, into.length, offset);
    // Labels, or a value kept in registers (read says why), go the long way.
    System.arraycopy(e.floats != null ? e.floats : read(name), 0, into, offset, rows * width);
  }

  @Override
  public final void readInto(String name, float[] into, int offset) {
    Entry e = resolve(name);
    float[] values = e.floats != null ? e.floats : read(name); // labels, or a value not stored: read says which
    int n = e.size();
    if (offset < 0 || offset > into.length - n) {
      throw new IllegalArgumentException("'" + name + "' has " + n + " values, which do not fit from " + offset
          + " into an array of " + into.length);
    }
    System.arraycopy(values, 0, into, offset, n);
  }

  @Override
  public final int[] shape(String name) {
    Entry e = resolve(name);
    return e.shape.clone();
  }

  @Override
  public final String firstNonFinite() {
    for (Entry e : entries.values()) {
      if (e.floats == null) continue;
      int cols = e.shape.length == 0 ? 1 : e.shape[e.shape.length - 1];
      for (int i = 0; i < e.size(); i++) {
        if (!Float.isFinite(e.floats[i])) {
          return "'" + e.name + "' holds " + e.floats[i] + " at [" + i / cols + ", " + i % cols + "]";
        }
      }
    }
    return null;
  }

  @Override
  public final String source() {
    return source;
  }
}
