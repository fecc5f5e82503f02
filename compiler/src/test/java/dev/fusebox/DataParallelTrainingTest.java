package dev.fusebox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.InputSpec;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.train.DataParallelProgram;
import dev.fusebox.runtime.train.ReductionTree;
import dev.fusebox.runtime.train.Trainer;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Data-parallel training on threads ({@link DataParallelProgram}): the same weights to the bit for any
 * number of workers, however late any of them is, on every run; equal to one thread summing the same
 * micro-batches in tree order; with one micro-batch a batch, equal to the fused step within float32
 * rounding; a partial last batch (and a partial last micro-batch) included. A step allocates nothing
 * on any thread, a failing worker surfaces as an error naming its micro-batch, and closing stops the
 * threads.
 */
class DataParallelTrainingTest {
  // Dropout, weight decay and clipping: each is a way a split step could drift from the fused one.
  static final ModelSpec SPEC = ModelSpec.parse("""
      {"input": 6, "layers": [{"units": 12, "activation": "tanh", "dropout": 0.1}, {"units": 3}],
       "loss": "softmax_cross_entropy", "optimizer": {"type": "adamw", "lr": 0.01, "weight_decay": 0.01},
       "batch": 24, "seed": 5, "l2": 0.001, "clip_grad_norm": 1.0}""", "dp.json");
  static final int BATCH = 24;
  static final int ROWS = 100; // four full batches and one of 4 rows, fewer than a micro-batch
  static final String POOL = "fusebox-data-parallel";

  static final Map<Integer, Compiler.DataParallel> SPLITS = new HashMap<>();

  static Compiler.DataParallel split(int microBatch) {
    return SPLITS.computeIfAbsent(microBatch, m -> Compiler.dataParallel(SPEC.withBatch(m).forward(), SPEC.optimizer(),
        CompileOptions.defaults().withDebug(0).withClipGradNorm(SPEC.clipGradNorm())));
  }

  static Dataset data(int rows, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] x = new float[rows * 6];
    int[] y = new int[rows];
    for (int r = 0; r < rows; r++) {
      double s = 0;
      for (int c = 0; c < 6; c++) s += (x[r * 6 + c] = (float) rng.nextGaussian()) * (c - 2.5);
      y[r] = s < -1 ? 0 : s < 1 ? 1 : 2;
    }
    return Dataset.ofClasses(x, 6, y, 3);
  }

  static NamedTensors train(Program program, int epochs) {
    try (program) {
      Trainer.builder(program, data(ROWS, 11)).batchSize(BATCH).seed(SPEC.seed()).epochs(epochs).quiet().build().fit();
      return program.state();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  static NamedTensors trainDataParallel(int microBatch, int workers) {
    return train(split(microBatch).program(Target.vector(), BATCH, workers), 3);
  }

  static void assertSameBits(NamedTensors actual, NamedTensors expected, String what) {
    assertThat(actual.names()).as(what).containsExactlyInAnyOrderElementsOf(expected.names());
    for (String name : expected.names()) {
      int[] a = bits(actual.get(name).data()), e = bits(expected.get(name).data());
      assertThat(a).as("%s: %s", what, name).isEqualTo(e);
    }
  }

  static int[] bits(float[] values) {
    int[] out = new int[values.length];
    for (int i = 0; i < values.length; i++) out[i] = Float.floatToRawIntBits(values[i]);
    return out;
  }

  @Test
  void oneTwoThreeAndFourWorkersGiveTheSameBitsOnEveryRun() {
    NamedTensors one = trainDataParallel(5, 1);
    NamedTensors initial;
    try (Program untrained = split(5).program(Target.vector(), BATCH, 1)) {
      initial = untrained.state();
    }
    assertThat(bits(one.get("layers.0.weight").data())).as("training changed the weights").isNotEqualTo(bits(initial.get("layers.0.weight").data()));
    for (int workers = 2; workers <= 4; workers++) assertSameBits(trainDataParallel(5, workers), one, workers + " workers");
    assertSameBits(trainDataParallel(5, 4), one, "4 workers, again");
    // More workers than a batch has micro-batches: the extra ones have nothing to do.
    try (DataParallelProgram nine = split(5).program(Target.vector(), BATCH, 9)) {
      assertThat(nine.workers()).isEqualTo(5);
    }
  }

  @Test
  void workersThatRunLateInAnyOrderChangeNothing() {
    NamedTensors steady = trainDataParallel(4, 1);
    SplittableRandom rng = new SplittableRandom(17);
    Compiler.DataParallel split = split(4);
    // Each gradient step of every worker is held up by a random 0 to 0.5 ms: partial sums arrive in
    // a different order on every step, which must not change the order they are summed in.
    Supplier<Program> jittery = () -> new Delegate(split.gradients().program(Target.vector())) {
      @Override
      public float step() {
        long pause;
        synchronized (rng) {
          pause = rng.nextLong(500_000);
        }
        LockSupport.parkNanos(pause);
        return super.step();
      }
    };
    NamedTensors late = train(DataParallelProgram.create(split.update().program(Target.vector()), jittery, BATCH, 3), 3);
    assertSameBits(late, steady, "3 workers with random delays");
  }

  /**
   * The reference here is independent of {@link DataParallelProgram}: one gradient program stepped over
   * the micro-batches in index order, each weighted by its share of the valid rows and seeded as
   * micro-batch m of step s (step s·K + m), the gradients summed leaf by leaf in tree order.
   */
  @Test
  void equalsOneThreadSummingTheSameMicroBatchesInTreeOrder() {
    int micro = 5;
    int perBatch = (BATCH + micro - 1) / micro;
    Compiler.DataParallel split = split(micro);
    List<String> parameters = split.parameters();
    SplittableRandom rng = new SplittableRandom(3);
    try (DataParallelProgram parallel = split.program(Target.vector(), BATCH, 3);
        Program gradients = split.gradients().program(Target.vector()); Program update = split.update().program(Target.vector())) {
      for (int step = 0; step < 5; step++) {
        int rows = step == 3 ? 13 : step == 4 ? 3 : BATCH; // partial batches: a partial micro-batch, and one micro-batch
        float[] x = new float[BATCH * 6];
        for (int i = 0; i < rows * 6; i++) x[i] = (float) rng.nextGaussian();
        int[] y = new int[BATCH];
        for (int r = 0; r < rows; r++) y[r] = rng.nextInt(3);
        parallel.setInput("x", x);
        parallel.setLabels("y", y);
        parallel.setValidRows(rows);
        float loss = parallel.step();

        int k = (rows + micro - 1) / micro;
        float[][][] leaves = new float[k][][];
        double lossSum = 0;
        for (int m = 0; m < k; m++) {
          int n = Math.min(micro, rows - m * micro);
          gradients.setInput("x", Arrays.copyOfRange(x, m * micro * 6, (m + 1) * micro * 6));
          gradients.setLabels("y", Arrays.copyOfRange(y, m * micro, (m + 1) * micro));
          gradients.setValidRows(n);
          gradients.setScalar("loss_scale", (float) n / rows);
          gradients.setStepCount((long) step * perBatch + m);
          lossSum += (double) gradients.step() * n;
          leaves[m] = parameters.stream().map(p -> gradients.read(p + ".grad")).toArray(float[][]::new);
        }
        for (int p = 0; p < parameters.size(); p++) {
          int q = p;
          float[] sum = new float[leaves[0][p].length];
          ReductionTree.Sums.root(k, (lo, hi, out) -> {
            if (hi - lo != 1) return false;
            System.arraycopy(leaves[lo][q], 0, out, 0, out.length);
            return true;
          }, sum, new float[ReductionTree.depth(k)][sum.length]);
          update.setInput(parameters.get(p) + ".grad", sum);
          assertThat(bits(parallel.read(parameters.get(p) + ".grad"))).as("summed gradient of %s, step %d", parameters.get(p), step)
              .isEqualTo(bits(sum));
        }
        update.step();
        gradients.load(update.state().filter(parameters::contains));
        assertThat(loss).as("loss of step %d", step).isEqualTo((float) (lossSum / rows));
      }
      assertSameBits(parallel.state().filter(update.state()::contains), update.state(), "after 5 steps");
    }
  }

  /**
   * With one micro-batch a batch the split step computes what the fused step does, in another
   * arrangement of kernels: equal within float32 rounding, which over 15 steps of AdamW stays below
   * 1e-6 (measured: see the report this prints).
   */
  @Test
  void oneMicroBatchPerBatchMatchesTheFusedStepWithinRounding() {
    NamedTensors fused = train(Compiler.compile(SPEC.forward(), SPEC.optimizer(),
        CompileOptions.defaults().withDebug(0).withClipGradNorm(SPEC.clipGradNorm())).program(Target.vector()), 3);
    NamedTensors split = trainDataParallel(BATCH, 1);
    assertThat(split.names()).containsExactlyInAnyOrderElementsOf(fused.names());
    double maxAbs = 0, maxRel = 0;
    for (String name : fused.names()) {
      float[] a = fused.get(name).data(), b = split.get(name).data();
      for (int i = 0; i < a.length; i++) {
        double d = Math.abs((double) a[i] - b[i]);
        maxAbs = Math.max(maxAbs, d);
        maxRel = Math.max(maxRel, d / Math.max(Math.abs(a[i]), 1e-3));
      }
    }
    System.out.printf("micro-batch = batch vs fused, 15 steps: max |difference| %s, max relative %s%n", maxAbs, maxRel);
    assertThat(maxAbs).as("max |difference| of any parameter or state value").isLessThan(1e-5);
    assertThat(maxRel).as("max relative difference").isLessThan(1e-4);
  }

  @Test
  void aWarmStepAllocatesNothingOnAnyThread() {
    Compiler.DataParallel split = split(5);
    try (DataParallelProgram p = split.program(Target.vector(), BATCH, 2)) {
      SplittableRandom rng = new SplittableRandom(1);
      float[] x = new float[BATCH * 6];
      for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
      p.setInput("x", x);
      p.setLabels("y", rng.ints(BATCH, 0, 3).toArray());
      p.setValidRows(BATCH - 3);
      p.step();
      var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long[] ids = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t == Thread.currentThread() || t.getName().startsWith(POOL)).mapToLong(Thread::getId).toArray();
      assertThat(ids).as("the caller and one pool thread").hasSize(2);
      long allocated = Long.MAX_VALUE;
      for (int round = 0; round < 30 && allocated != 0; round++) {
        for (int i = 0; i < 2000; i++) p.step();
        long before = allocated(threads, ids);
        for (int i = 0; i < 500; i++) p.step();
        allocated = allocated(threads, ids) - before;
      }
      assertThat(allocated).as("bytes allocated by 500 warm data-parallel steps on all threads").isZero();
    }
  }

  /** Bytes the threads have allocated, read without allocating (a stream here would count itself). */
  private static long allocated(com.sun.management.ThreadMXBean threads, long[] ids) {
    long sum = 0;
    for (long id : ids) sum += threads.getThreadAllocatedBytes(id);
    return sum;
  }

  /** Parameters that overflow reach the workers as they are: the next loss is not finite, and no worker fails. */
  @Test
  void aDivergingRunShowsAsANonFiniteLossAsOneProgramWould() {
    try (DataParallelProgram p = split(5).program(Target.vector(), BATCH, 2)) {
      SplittableRandom rng = new SplittableRandom(2);
      float[] x = new float[BATCH * 6];
      for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
      p.setInput("x", x);
      p.setLabels("y", rng.ints(BATCH, 0, 3).toArray());
      p.setScalar("lr", 1e37f); // AdamW's decay by lr · 0.01 overflows on the second step
      float loss = 0;
      for (int step = 0; step < 4 && Float.isFinite(loss); step++) loss = p.step();
      assertThat(Float.isFinite(loss)).as("the loss %s is finite once the parameters have overflowed", loss).isFalse();
      assertThat(p.firstNonFinite()).isNotNull();
    }
  }

  @Test
  void aFailingWorkerIsAnErrorNamingItsMicroBatchAndCloseStopsTheThreads() {
    Compiler.DataParallel split = split(5);
    Supplier<Program> failing = () -> new Delegate(split.gradients().program(Target.vector())) {
      @Override
      public float step() {
        if (stepCount() == 5 + 3) throw new IllegalStateException("injected failure");
        return super.step();
      }
    };
    DataParallelProgram p = DataParallelProgram.create(split.update().program(Target.vector()), failing, BATCH, 3);
    try {
      List<Thread> pool = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(POOL)).toList();
      assertThat(pool).hasSize(2).allMatch(Thread::isDaemon);
      p.setInput("x", new float[BATCH * 6]);
      p.setLabels("y", new int[BATCH]);
      p.step(); // step 0
      float[] before = p.read("layers.0.weight");
      // Step 1, micro-batch 3: worker 2 of 0..2 owns micro-batches [3, 5).
      assertThatThrownBy(p::step).isInstanceOf(IllegalStateException.class)
          .hasMessage("data-parallel worker 2 of 3 (micro-batches [3, 5)): the gradient of micro-batch 3 of global step 1 "
              + "failed: injected failure");
      assertThat(bits(p.read("layers.0.weight"))).as("no update after a failed step").isEqualTo(bits(before));
      p.close();
      for (Thread t : pool) {
        t.join(10_000);
        assertThat(t.isAlive()).as("%s after close", t.getName()).isFalse();
      }
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    } finally {
      p.close();
    }
  }

  /** A program that forwards every call, for tests that change what one call does. */
  static class Delegate implements Program {
    private final Program p;

    Delegate(Program p) {
      this.p = p;
    }

    @Override public List<InputSpec> inputs() { return p.inputs(); }
    @Override public int batchSize() { return p.batchSize(); }
    @Override public void setInput(String name, float[] values) { p.setInput(name, values); }
    @Override public void setLabels(String name, int[] labels) { p.setLabels(name, labels); }
    @Override public void setScalar(String name, float value) { p.setScalar(name, value); }
    @Override public void setValidRows(int rows) { p.setValidRows(rows); }
    @Override public void forward() { p.forward(); }
    @Override public float step() { return p.step(); }
    @Override public long stepCount() { return p.stepCount(); }
    @Override public void setStepCount(long steps) { p.setStepCount(steps); }
    @Override public float[] read(String name) { return p.read(name); }
    @Override public void readInto(String name, float[] into, int offset) { p.readInto(name, into, offset); }
    @Override public int[] shape(String name) { return p.shape(name); }
    @Override public List<String> parameterNames() { return p.parameterNames(); }
    @Override public NamedTensors state() { return p.state(); }
    @Override public void load(NamedTensors values) { p.load(values); }
    @Override public void copyVariables(String[] names, float[][] values) { p.copyVariables(names, values); }
    @Override public String firstNonFinite() { return p.firstNonFinite(); }
    @Override public String source() { return p.source(); }
    @Override public void close() { p.close(); }
  }
}
