package dev.fusebox.runtime.train;

import dev.fusebox.runtime.InputKind;
import dev.fusebox.runtime.InputSpec;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One worker of data-parallel training: a gradient program (a micro-batch's gradients of
 * {@code loss · loss_scale} as outputs {@code <param>.grad}, as the compiler's data-parallel split makes
 * it) and the buffers to sum what it computes. Given the micro-batches [from, to) of a global batch,
 * it computes the sums of the {@link ReductionTree#cover} nodes of that range, each a flat gradient
 * (every parameter's gradient, in the order of the parameter list, one after another), and hands
 * them to whoever finishes the tree ({@link GradientCombiner}). A thread in one JVM or a task on a
 * cluster plays this part alike: what it computes depends on the micro-batch indices alone.
 *
 * <p>Micro-batch {@code m} of a global batch of {@code n} valid rows holds rows [m·M, m·M + M) of it,
 * M the gradient program's batch size; its valid rows are {@code n_m = min(M, n − m·M)}, its loss is
 * scaled by {@code n_m / n} (so that the micro-batches' gradients add up to the mean over the global
 * batch), and it runs as the gradient program's step {@code s·K + m} for global step {@code s}, K the
 * micro-batches of a full batch, which seeds its dropout masks: each micro-batch draws its own, and
 * with one micro-batch a batch they are the fused step's.
 *
 * <p>Not thread-safe: one thread at a time. Allocates nothing per call once its scratch has grown to
 * the deepest node it was given.
 */
public final class GradientWorker {
  /** The gradient program's scalar input that scales a micro-batch's loss by its share of the global batch. */
  public static final String LOSS_SCALE = "loss_scale";

  private final Program program;
  private final String[] gradients;
  private final int[] offsets;
  private final int size;
  private final int microBatch;
  private final int batchSize;
  private final int perBatch;
  private final ReductionTree.Sums leaves = this::leaf;
  private final float[] loss = new float[1];
  private float[][] scratch = new float[0][];

  // The call under way, read by leaf(): fields rather than a capturing lambda, so that a call allocates nothing.
  private long step;
  private int rows;
  private MicroBatchSource source;
  private float[] losses;

  /**
   * A worker running {@code gradients} on the micro-batches of global batches of {@code batchSize} rows.
   *
   * @param gradients the gradient program, compiled for one micro-batch
   * @param batchSize rows of a global batch
   * @param parameters the parameters whose gradients are summed, in the order of the flat layout
   * @throws IllegalArgumentException if the program lacks {@code loss_scale} or a parameter's {@code .grad}
   *     output, or its micro-batch is larger than {@code batchSize}
   */
  public GradientWorker(Program gradients, List<String> parameters, int batchSize) {
    this.program = Objects.requireNonNull(gradients, "gradient program");
    this.microBatch = gradients.batchSize();
    if (batchSize < microBatch) {
      throw new IllegalArgumentException("a micro-batch of " + microBatch + " rows is larger than the batch of " + batchSize
          + "; compile the gradient program for at most " + batchSize + " rows");
    }
    this.batchSize = batchSize;
    this.perBatch = (batchSize + microBatch - 1) / microBatch;
    InputSpec scale = gradients.inputs().stream().filter(in -> in.name().equals(LOSS_SCALE)).findFirst().orElse(null);
    if (scale == null || scale.kind() != InputKind.SCALAR) {
      throw new IllegalArgumentException("a gradient program has a scalar input '" + LOSS_SCALE + "', this one has inputs "
          + gradients.inputs() + "; make it with the compiler's data-parallel split");
    }
    if (parameters.isEmpty()) throw new IllegalArgumentException("no parameters to compute gradients of");
    this.gradients = new String[parameters.size()];
    this.offsets = new int[parameters.size()];
    int at = 0;
    for (int p = 0; p < parameters.size(); p++) {
      String name = parameters.get(p) + ".grad";
      int[] shape;
      try {
        shape = gradients.shape(name);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("the gradient program has no output '" + name + "' for parameter '"
            + parameters.get(p) + "'", e);
      }
      this.gradients[p] = name;
      this.offsets[p] = at;
      at = Math.addExact(at, Arrays.stream(shape).reduce(1, Math::multiplyExact));
    }
    this.size = at;
  }

  /** {@return the gradient program this worker runs} */
  public Program program() {
    return program;
  }

  /** {@return floats in a flat gradient: every parameter's gradient, one after another} */
  public int size() {
    return size;
  }

  /** {@return rows of a micro-batch: the gradient program's batch size} */
  public int microBatch() {
    return microBatch;
  }

  /**
   * Micro-batches in a global batch of {@code rows} valid rows: {@code ceil(rows / microBatch())}.
   *
   * @param rows valid rows of the global batch
   * @return how many micro-batches
   */
  public int microBatches(int rows) {
    if (rows < 1 || rows > batchSize) throw new IllegalArgumentException("valid rows must be in [1, " + batchSize + "], got " + rows);
    return (rows + microBatch - 1) / microBatch;
  }

  /**
   * Valid rows of micro-batch {@code m} of a global batch of {@code rows} valid rows.
   *
   * @param m the micro-batch, from 0
   * @param rows valid rows of the global batch
   * @return between 1 and {@link #microBatch()}
   */
  public int rowsOf(int m, int rows) {
    return Math.min(microBatch, rows - m * microBatch);
  }

  /**
   * Replaces the gradient program's parameters with these (see {@link Program#load}).
   *
   * @param parameters values by name for every parameter
   */
  public void loadParameters(NamedTensors parameters) {
    program.load(parameters);
  }

  /**
   * Replaces the gradient program's parameters with the combiner's, as of its last step: what a worker
   * does before each global step. Allocates nothing, and takes non-finite values as they are, so that
   * a diverging run shows as a non-finite loss, as one program's would.
   *
   * @param combiner the combiner whose parameters to take
   */
  public void loadParameters(GradientCombiner combiner) {
    program.copyVariables(combiner.names(), combiner.values());
  }

  /**
   * The sums of {@code cover}'s nodes (the {@link ReductionTree#cover} of this worker's micro-batches) of
   * global step {@code step}, a global batch of {@code rows} valid rows: {@code out[j]} gets node j's
   * flat gradient, summed in tree order, and {@code losses[m]} each micro-batch's mean loss. Micro-batches
   * run in index order.
   *
   * @param step the global step, from 0
   * @param rows valid rows of the global batch
   * @param cover this worker's nodes of the reduction tree
   * @param source copies micro-batches into the program
   * @param out at least {@code cover.size()} arrays of {@link #size()} floats
   * @param losses indexed by micro-batch, at least as long as the highest index covered
   */
  public void partials(long step, int rows, List<ReductionTree.Node> cover, MicroBatchSource source, float[][] out,
      float[] losses) {
    int k = microBatches(rows);
    if (out.length < cover.size()) throw new IllegalArgumentException(cover.size() + " nodes but " + out.length + " arrays for them");
    for (int j = 0; j < cover.size(); j++) {
      ReductionTree.Node n = cover.get(j);
      if (n.hi() > k) throw new IllegalArgumentException("node [" + n.lo() + ", " + n.hi() + ") is outside the " + k + " micro-batches");
      if (out[j].length != size) throw new IllegalArgumentException("partial " + j + " has " + out[j].length + " floats, not " + size);
      growScratch(ReductionTree.depth(n.hi() - n.lo()));
    }
    this.step = step;
    this.rows = rows;
    this.source = Objects.requireNonNull(source, "source");
    this.losses = losses;
    try {
      for (int j = 0; j < cover.size(); j++) ReductionTree.Sums.node(cover.get(j), leaves, out[j], scratch);
    } finally {
      this.source = null;
      this.losses = null;
    }
  }

  /**
   * Runs micro-batch {@code m} of a global batch of {@code rows} valid rows forward in inference mode
   * (the program's outputs, {@code prediction} among them, can then be read) and returns its mean loss.
   *
   * @param m the micro-batch, from 0
   * @param rows valid rows of the global batch
   * @param source copies micro-batches into the program
   * @return the micro-batch's mean loss over its valid rows
   */
  public float forward(int m, int rows, MicroBatchSource source) {
    int k = microBatches(rows);
    if (m < 0 || m >= k) throw new IllegalArgumentException("micro-batch " + m + " is not one of the " + k + " of " + rows + " rows");
    try {
      source.load(m, program);
      program.setValidRows(rowsOf(m, rows));
      program.forward();
      program.readInto(Evaluator.LOSS, loss, 0);
    } catch (RuntimeException e) {
      throw failed("the forward pass of micro-batch " + m, e);
    }
    return loss[0];
  }

  /** A leaf is its micro-batch's gradient, computed when the tree asks for it; other nodes are summed. */
  private boolean leaf(int lo, int hi, float[] out) {
    if (hi - lo != 1) return false;
    int n = rowsOf(lo, rows);
    try {
      source.load(lo, program);
      program.setValidRows(n);
      program.setScalar(LOSS_SCALE, (float) n / rows);
      program.setStepCount(step * perBatch + lo);
      losses[lo] = program.step();
      for (int p = 0; p < gradients.length; p++) program.readInto(gradients[p], out, offsets[p]);
    } catch (RuntimeException e) {
      throw failed("the gradient of micro-batch " + lo + " of global step " + step, e);
    }
    return true;
  }

  /** An exception naming the micro-batch that failed, around what made it fail. */
  private static IllegalStateException failed(String what, RuntimeException cause) {
    return new IllegalStateException(what + " failed: " + cause.getMessage(), cause);
  }

  private void growScratch(int levels) {
    if (scratch.length >= levels) return;
    float[][] grown = Arrays.copyOf(scratch, levels);
    for (int i = scratch.length; i < levels; i++) grown[i] = new float[size];
    scratch = grown;
  }
}
