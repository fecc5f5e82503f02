package dev.fusebox.runtime.train;

import dev.fusebox.runtime.AbstractProgram;
import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.InputKind;
import dev.fusebox.runtime.InputSpec;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.WorkerPool;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A training program over global batches of B rows whose step is data-parallel: each global batch is
 * cut into micro-batches of M rows (the gradient programs' batch size; the last may have fewer), the
 * micro-batches are shared out in contiguous ranges among worker threads, each owning a gradient
 * program ({@link GradientWorker}), their gradients are summed in the one order {@link ReductionTree}
 * fixes by micro-batch index, and one update program applies the optimizer to the sum
 * ({@link GradientCombiner}); the new parameters are handed back to every worker before it runs again.
 * So the weights are the same to the bit for any number of workers and on every run, and equal, up to
 * float rounding, to one program stepping the whole batch.
 *
 * <p>It is a {@link Program} of batch size B, so everything that drives a program drives it as it is:
 * the {@link Trainer} (schedules, shuffling, validation, checkpoints, exact resuming), the
 * {@link Evaluator}, model files. Its inputs are the gradient program's data inputs with B rows and the
 * scalar inputs of both programs ({@code lr}); its state is the update program's (parameters and
 * optimizer state, named as in the fused step, so that files move between the two) plus any parameter
 * no gradient reaches. {@link #forward()} runs the micro-batches on the workers too. {@link #read}
 * knows {@code loss} (the mean over the valid rows of the global batch), {@code prediction}, the
 * parameters and state, the scalar inputs and {@code <param>.grad}, the gradient last summed.
 *
 * <p>Threads: the caller and workers − 1 pool threads run the ranges; which thread runs a range
 * varies (a thread that is late leaves its range to the others), what a range computes does not. The
 * update runs on the caller. Workers beyond the micro-batch count of a full batch would have nothing to
 * do, so there are at most that many. A step allocates nothing once every buffer has grown; a
 * program is, as every program, used by one thread at a time.
 */
public final class DataParallelProgram extends AbstractProgram implements WorkerPool.Chunks {
  private static final int STEP = 0;
  private static final int FORWARD = 1;

  private final GradientWorker[] workers;
  private final Rows[] sources;
  private final GradientCombiner combiner;
  private final Program update;
  private final WorkerPool pool;
  private final int microBatch;
  private final List<String> updated;
  private final Map<String, Integer> gradientOffsets = new HashMap<>();

  // The batch as the caller set it, B rows, which the workers slice into micro-batches.
  private final String[] dataNames;
  private final boolean[] labelInputs;
  private final int[] widths;
  private final float[][] stagedFloats;
  private final int[][] stagedLabels;
  private final Map<String, Integer> dataIndex = new HashMap<>();
  private final Set<String> workerScalars = new HashSet<>();
  private final Set<String> updateScalars = new HashSet<>();
  private final Set<String> updateVariables = new HashSet<>();
  private final Set<String> variables = new HashSet<>();

  private final int predictionWidth; // values per row of output 'prediction', 0 without one
  private final int[] predictionShape;
  private final float[] prediction;
  private final float[][] workerPredictions;

  private final Split[] splits; // by micro-batch count, made on first use
  private final float[][][] partials; // [worker][cover node], grown on first use
  private final float[] losses; // by micro-batch
  private final int[] lastMicroBatch; // by worker, for messages
  private final long[] loaded; // the parameter version each worker holds
  private long version = 1;
  private final ReductionTree.Sums gathered = this::gathered;

  private int validRows;
  private long steps;
  private float loss = Float.NaN;
  private int k; // micro-batches of the run under way

  private DataParallelProgram(Program update, List<Program> gradients, int batchSize) {
    super(batchSize);
    Program first = gradients.get(0);
    this.update = update;
    this.microBatch = first.batchSize();
    List<String> names = new ArrayList<>();
    List<Boolean> labels = new ArrayList<>();
    List<Integer> rowWidths = new ArrayList<>();
    for (InputSpec in : first.inputs()) {
      switch (in.kind()) {
        case SCALAR -> {
          if (in.name().equals(GradientWorker.LOSS_SCALE)) continue;
          declareInput(in);
          workerScalars.add(in.name());
        }
        case GRADIENT -> throw new IllegalArgumentException("a gradient program takes no gradient inputs, but this one has " + in);
        default -> {
          int[] shape = in.shape();
          shape[0] = batchSize;
          declareInput(new InputSpec(in.name(), shape, in.kind(), in.classes()));
          dataIndex.put(in.name(), names.size());
          names.add(in.name());
          labels.add(in.kind() == InputKind.LABELS);
          rowWidths.add(in.size() / microBatch);
        }
      }
    }
    for (InputSpec in : update.inputs()) {
      switch (in.kind()) {
        case SCALAR -> {
          if (!workerScalars.contains(in.name())) declareInput(in);
          updateScalars.add(in.name());
        }
        case GRADIENT -> { } // the combiner's
        default -> throw new IllegalArgumentException("an update program takes no data, but this one has input " + in);
      }
    }
    dataNames = names.toArray(String[]::new);
    labelInputs = new boolean[names.size()];
    widths = new int[names.size()];
    stagedFloats = new float[names.size()][];
    stagedLabels = new int[names.size()][];
    for (int i = 0; i < dataNames.length; i++) {
      labelInputs[i] = labels.get(i);
      widths[i] = rowWidths.get(i);
      if (labelInputs[i]) stagedLabels[i] = new int[batchSize];
      else stagedFloats[i] = new float[Math.multiplyExact(batchSize, widths[i])];
    }

    updated = update.parameterNames();
    NamedTensors updateState = update.state();
    NamedTensors gradientState = first.state();
    Set<String> gradientParameters = new HashSet<>(first.parameterNames());
    for (String name : gradientState.names()) {
      int[] shape = gradientState.get(name).shape();
      if (updateState.contains(name) && !Arrays.equals(updateState.get(name).shape(), shape)) {
        throw new IllegalArgumentException("'" + name + "' has shape " + Arrays.toString(shape) + " in the gradient program but "
            + updateState.get(name).shapeString() + " in the update program");
      }
      declareVariable(name, shape, gradientParameters.contains(name));
      variables.add(name);
    }
    Set<String> updateParameters = new HashSet<>(updated);
    for (String name : updateState.names()) {
      updateVariables.add(name);
      if (variables.add(name)) declareVariable(name, updateState.get(name).shape(), updateParameters.contains(name));
    }

    combiner = new GradientCombiner(update, updated);
    for (int p = 0; p < updated.size(); p++) gradientOffsets.put(updated.get(p) + ".grad", p);
    int n = gradients.size();
    workers = new GradientWorker[n];
    sources = new Rows[n];
    for (int w = 0; w < n; w++) {
      if (gradients.get(w).batchSize() != microBatch) {
        throw new IllegalArgumentException("gradient programs of different batch sizes: " + microBatch + " and "
            + gradients.get(w).batchSize());
      }
      workers[w] = new GradientWorker(gradients.get(w), updated, batchSize);
      sources[w] = new Rows();
    }
    if (workers[0].size() != combiner.size()) {
      throw new IllegalArgumentException("the gradient program's gradients have " + workers[0].size() + " values, the update "
          + "program's inputs " + combiner.size());
    }

    int[] shape = predictionShape(first);
    predictionShape = shape;
    predictionWidth = shape == null ? 0 : Arrays.stream(shape).skip(1).reduce(1, Math::multiplyExact);
    prediction = shape == null ? null : new float[Math.multiplyExact(batchSize, predictionWidth)];
    workerPredictions = new float[n][];
    for (int w = 0; w < n && shape != null; w++) workerPredictions[w] = new float[microBatch * predictionWidth];

    int perBatch = workers[0].microBatches(batchSize);
    splits = new Split[perBatch + 1];
    partials = new float[n][0][];
    losses = new float[perBatch];
    lastMicroBatch = new int[n];
    loaded = new long[n];
    validRows = batchSize;
    pool = n > 1 ? new WorkerPool(n, "fusebox-data-parallel") : null;
  }

  /**
   * A data-parallel program over global batches of {@code batchSize} rows, taking ownership of the
   * programs: {@code update} (the optimizer over summed gradients) and {@code gradients}, which makes
   * one gradient program per worker (micro-batches of its batch size). {@code workers} is capped at the
   * micro-batches of a full batch, since more would have nothing to do. On failure every program made
   * or given is closed.
   *
   * @param update the update program (closed with this one)
   * @param gradients makes one gradient program per worker, each for a micro-batch (closed with this one)
   * @param batchSize rows of a global batch
   * @param workers worker threads wanted, 1 or more
   * @return the program, its workers started
   * @throws IllegalArgumentException if {@code workers} is below 1, the micro-batch is larger than the
   *     batch, or the programs do not fit each other (the message says how)
   */
  public static DataParallelProgram create(Program update, Supplier<? extends Program> gradients, int batchSize, int workers) {
    Objects.requireNonNull(update, "update program");
    Objects.requireNonNull(gradients, "gradient programs");
    List<Program> made = new ArrayList<>();
    try {
      if (workers < 1) throw new IllegalArgumentException("workers must be at least 1, not " + workers);
      if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, not " + batchSize);
      made.add(Objects.requireNonNull(gradients.get(), "gradient program"));
      int microBatch = made.get(0).batchSize();
      if (microBatch > batchSize) {
        throw new IllegalArgumentException("a micro-batch of " + microBatch + " rows is larger than the batch of " + batchSize);
      }
      int perBatch = (batchSize + microBatch - 1) / microBatch;
      while (made.size() < Math.min(workers, perBatch)) made.add(Objects.requireNonNull(gradients.get(), "gradient program"));
      return new DataParallelProgram(update, made, batchSize);
    } catch (RuntimeException | Error e) {
      for (Program p : made) p.close();
      update.close();
      throw e;
    }
  }

  /** {@return rows of a micro-batch} */
  public int microBatch() {
    return microBatch;
  }

  /** {@return worker threads: as asked, or the micro-batches of a full batch if fewer} */
  public int workers() {
    return workers.length;
  }

  /** {@return micro-batches of a full batch} */
  public int microBatches() {
    return losses.length;
  }

  // ---- the step

  @Override
  public float step() {
    begin();
    run(STEP);
    combiner.apply(k, gathered);
    version++; // the workers load the new parameters when they next run
    steps++;
    loss = meanLoss();
    return loss;
  }

  @Override
  public void forward() {
    begin();
    run(FORWARD);
    loss = meanLoss();
  }

  /** Micro-batches of the valid rows, their ranges' cover nodes and the buffers for them, made once per count. */
  private void begin() {
    k = workers[0].microBatches(validRows);
    Split split = splits[k];
    if (split == null) split = splits[k] = new Split(k, workers.length);
    for (int w = 0; w < workers.length; w++) {
      int need = split.covers.get(w).size();
      if (partials[w].length >= need) continue;
      float[][] grown = Arrays.copyOf(partials[w], need);
      for (int j = partials[w].length; j < need; j++) grown[j] = new float[combiner.size()];
      partials[w] = grown;
    }
  }

  private void run(int task) {
    if (pool == null) runChunk(task, 0, 0);
    else pool.run(this, task, workers.length);
  }

  /** Worker {@code w}'s range of micro-batches, on whichever thread the pool gives it. */
  @Override
  public void runChunk(int task, int w, int thread) {
    int from = from(w, k);
    int to = from(w + 1, k);
    if (from == to) return;
    lastMicroBatch[w] = to - 1;
    try {
      if (loaded[w] != version) {
        workers[w].loadParameters(combiner);
        loaded[w] = version;
      }
      if (task == STEP) workers[w].partials(steps, validRows, splits[k].covers.get(w), sources[w], partials[w], losses);
      else forwardRange(w, from, to);
    } catch (RuntimeException e) {
      throw new IllegalStateException("data-parallel worker " + w + " of " + workers.length + " (micro-batches [" + from + ", " + to
          + ")): " + e.getMessage(), e);
    }
  }

  /** Worker {@code w}'s micro-batches [from, to) forward, their predictions copied into the batch's. */
  private void forwardRange(int w, int from, int to) {
    GradientWorker worker = workers[w];
    for (int m = from; m < to; m++) {
      losses[m] = worker.forward(m, validRows, sources[w]);
      if (prediction == null) continue;
      worker.program().readInto(Evaluator.PREDICTION, workerPredictions[w], 0);
      int offset = m * microBatch * predictionWidth;
      System.arraycopy(workerPredictions[w], 0, prediction, offset, worker.rowsOf(m, validRows) * predictionWidth);
    }
  }

  /** The first micro-batch of worker {@code w} (or the end, for w = workers) when there are {@code k}. */
  private int from(int w, int k) {
    return (int) ((long) w * k / workers.length);
  }

  /** The partial sums the workers handed on: the nodes of their covers. */
  private boolean gathered(int lo, int hi, float[] out) {
    Split split = splits[k];
    for (int w = 0; w < workers.length; w++) {
      List<ReductionTree.Node> cover = split.covers.get(w);
      for (int j = 0; j < cover.size(); j++) {
        ReductionTree.Node n = cover.get(j);
        if (n.lo() == lo && n.hi() == hi) {
          System.arraycopy(partials[w][j], 0, out, 0, out.length);
          return true;
        }
      }
    }
    return false;
  }

  /** The global batch's mean loss: the micro-batches' means weighted by their valid rows, in index order. */
  private float meanLoss() {
    double sum = 0;
    for (int m = 0; m < k; m++) sum += (double) losses[m] * workers[0].rowsOf(m, validRows);
    return (float) (sum / validRows);
  }

  /** Each worker's contiguous range of k micro-batches and the tree nodes covering it. */
  private static final class Split {
    final List<List<ReductionTree.Node>> covers = new ArrayList<>();

    Split(int k, int workers) {
      for (int w = 0; w < workers; w++) {
        int from = (int) ((long) w * k / workers);
        int to = (int) ((long) (w + 1) * k / workers);
        covers.add(from == to ? List.of() : ReductionTree.cover(k, from, to));
      }
    }
  }

  /** A worker's micro-batches, sliced from the staged batch into arrays of its own. */
  private final class Rows implements MicroBatchSource {
    private final float[][] floats = new float[dataNames.length][];
    private final int[][] labels = new int[dataNames.length][];

    Rows() {
      for (int i = 0; i < dataNames.length; i++) {
        if (labelInputs[i]) labels[i] = new int[microBatch];
        else floats[i] = new float[microBatch * widths[i]];
      }
    }

    @Override
    public void load(int m, Program program) {
      int first = m * microBatch;
      int rows = Math.min(microBatch, validRows - first); // rows past the valid ones are zeros, as the contract says
      for (int i = 0; i < dataNames.length; i++) {
        if (labelInputs[i]) {
          System.arraycopy(stagedLabels[i], first, labels[i], 0, rows);
          Arrays.fill(labels[i], rows, microBatch, 0);
          program.setLabels(dataNames[i], labels[i]);
        } else {
          int w = widths[i];
          System.arraycopy(stagedFloats[i], first * w, floats[i], 0, rows * w);
          Arrays.fill(floats[i], rows * w, floats[i].length, 0f);
          program.setInput(dataNames[i], floats[i]);
        }
      }
    }
  }

  // ---- storage for the checked calls of AbstractProgram

  @Override
  protected void storeInput(String name, float[] values) {
    Integer i = dataIndex.get(name);
    if (i == null) storeScalar(name, values[0]);
    else System.arraycopy(values, 0, stagedFloats[i], 0, values.length);
  }

  @Override
  protected void storeInputRows(String name, float[] values, int offset, int length) {
    System.arraycopy(values, offset, stagedFloats[dataIndex.get(name)], 0, length);
  }

  @Override
  protected void storeLabels(String name, int[] values) {
    System.arraycopy(values, 0, stagedLabels[dataIndex.get(name)], 0, values.length);
  }

  @Override
  protected void storeScalar(String name, float value) {
    if (updateScalars.contains(name)) update.setScalar(name, value);
    if (workerScalars.contains(name)) for (GradientWorker w : workers) w.program().setScalar(name, value);
  }

  @Override
  protected void storeValidRows(int rows) {
    validRows = rows;
  }

  @Override
  protected void storeVariable(String name, float[] values) {
    NamedTensors one = new NamedTensors().put(name, new FloatTensor(shape(name), values));
    if (updateVariables.contains(name)) update.load(one);
    else for (GradientWorker w : workers) w.program().load(one); // a parameter no gradient reaches: the workers' alone
  }

  @Override
  protected void variablesChanged() {
    combiner.refresh();
    version++;
  }

  @Override
  protected float[] variableValues(String name) {
    return updateVariables.contains(name) ? update.read(name) : workers[0].program().read(name);
  }

  // ---- the rest of Program

  @Override
  public long stepCount() {
    return steps;
  }

  @Override
  public void setStepCount(long steps) {
    if (steps < 0) throw new IllegalArgumentException("a step count cannot be negative, not " + steps);
    this.steps = steps;
  }

  @Override
  public float[] read(String name) {
    if (name.equals(Evaluator.LOSS)) return new float[] {loss};
    if (name.equals(Evaluator.PREDICTION) && prediction != null) return prediction.clone();
    if (variables.contains(name)) return variableValues(name);
    if (updateScalars.contains(name)) return update.read(name);
    if (workerScalars.contains(name)) return workers[0].program().read(name);
    Integer p = gradientOffsets.get(name);
    if (p != null) {
      int from = combiner.offset(p);
      return Arrays.copyOfRange(combiner.sum(), from, from + Arrays.stream(shape(name)).reduce(1, Math::multiplyExact));
    }
    throw unknown(name);
  }

  @Override
  public int[] shape(String name) {
    if (name.equals(Evaluator.LOSS)) return workers[0].program().shape(Evaluator.LOSS);
    if (name.equals(Evaluator.PREDICTION) && prediction != null) return predictionShape.clone();
    if (variables.contains(name)) return updateVariables.contains(name) ? update.shape(name) : workers[0].program().shape(name);
    if (updateScalars.contains(name) || workerScalars.contains(name)) return new int[0];
    if (gradientOffsets.containsKey(name)) return update.shape(name.substring(0, name.length() - ".grad".length()));
    throw unknown(name);
  }

  private static IllegalArgumentException unknown(String name) {
    return new IllegalArgumentException("no value named '" + name + "' in this data-parallel program, which reads loss, "
        + "prediction, the parameters and optimizer state, its scalar inputs and the summed gradients <parameter>.grad; read "
        + "other values from a gradient program");
  }

  @Override
  public String firstNonFinite() {
    for (int w = 0; w < workers.length; w++) {
      String f = workers[w].program().firstNonFinite();
      if (f != null) return "in the gradient program after micro-batch " + lastMicroBatch[w] + ": " + f;
    }
    String f = update.firstNonFinite();
    return f == null ? null : "in the update program: " + f;
  }

  @Override
  public String source() {
    return "// The gradient program each worker runs\n" + workers[0].program().source() + "\n// The update program\n"
        + update.source();
  }

  /** Stops the worker threads and closes every program. */
  @Override
  public void close() {
    if (pool != null) pool.close();
    for (GradientWorker w : workers) w.program().close();
    update.close();
  }

  /** The batch-shaped output {@code prediction} of a gradient program, with B rows; null without one. */
  private int[] predictionShape(Program gradients) {
    int[] shape;
    try {
      shape = gradients.shape(Evaluator.PREDICTION);
    } catch (IllegalArgumentException e) {
      return null; // no prediction: the program trains, and Evaluator says what it lacks
    }
    if (shape.length == 0 || shape[0] != microBatch) return null;
    shape[0] = batchSize();
    return shape;
  }
}
