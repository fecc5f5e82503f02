package dev.fusebox.spark;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Target;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.LabelKind;
import dev.fusebox.runtime.train.ReductionTree;
import dev.fusebox.runtime.train.Schedule;
import dev.fusebox.runtime.train.Trainer;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.CollectionAccumulator;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * One epoch of data-parallel training as a barrier task: worker {@code rank} (its partition id) gets the
 * rows of its micro-batches of every global batch of the epoch, starts from the epoch's checkpoint, and
 * for each global batch computes its micro-batches' gradients, reduces them to the nodes of its
 * {@link ReductionTree#cover}, exchanges those with every other worker ({@link PeerExchange}), finishes
 * the tree in its fixed order and applies the update itself. Every worker so holds the same bits after
 * every step, and none of them depend on who computed what; at the end they compare hashes of their
 * state, and rank 0 sends it back as the next checkpoint.
 */
final class EpochTask extends AbstractFunction1<Iterator<TrainingRow>, Iterator<EpochTask.Result>> implements Serializable {
  private static final long serialVersionUID = 1L;
  /**
   * Test hook: {@code EPOCH:STEP:RANK:FILE} fails that worker once, after that step's exchange, if it can
   * create FILE (so a retried stage runs through).
   */
  static final String FAIL_PROPERTY = "fusebox.test.failTask";
  // Per JVM: the two programs of a spec at a micro-batch size, compiled once (the classes through OnceLoader).
  private static final ConcurrentMap<String, Compiler.DataParallel> COMPILED = new ConcurrentHashMap<>();

  /** Where an epoch left training, as the driver keeps it between epochs. */
  record Checkpoint(byte[] state, long programSteps, long step) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /**
   * What a worker reports: rank 0 the new state (null from the others), every worker its time computing
   * gradients and waiting in the exchange, and the epoch's row-weighted loss sum.
   */
  record Result(int rank, byte[] state, long programSteps, double lossSum, long rows, int steps, String nonFinite,
      long computeNanos, long exchangeNanos, long updateNanos) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  private final String specJson;
  private final String specSource;
  private final MicroBatchPlan plan;
  private final int epoch;
  private final Broadcast<Checkpoint> checkpoint;
  private final Target.Kind kind;
  private final int threads;
  private final CollectionAccumulator<String> notices;

  EpochTask(ModelSpec spec, MicroBatchPlan plan, int epoch, Broadcast<Checkpoint> checkpoint, Target.Kind kind, int threads,
      CollectionAccumulator<String> notices) {
    this.specJson = spec.toJson();
    this.specSource = spec.source();
    this.plan = plan;
    this.epoch = epoch;
    this.checkpoint = checkpoint;
    this.kind = kind;
    this.threads = threads;
    this.notices = notices;
  }

  /** The gradient and update programs of {@code spec} for micro-batches of {@code micro} rows, once per JVM. */
  static Compiler.DataParallel compiled(ModelSpec spec, int micro) {
    return COMPILED.computeIfAbsent(spec.toJson() + "/" + micro, k -> {
      ModelSpec s = spec.withBatch(micro);
      CompileOptions options = CompileOptions.defaults().withClipGradNorm(s.clipGradNorm()).withLoader(OnceLoader.executor());
      return Compiler.dataParallel(s.forward(), s.optimizer(), options);
    });
  }

  @Override
  public Iterator<Result> apply(Iterator<TrainingRow> input) {
    BarrierTaskContext ctx = BarrierTaskContext.get();
    int rank = ctx.partitionId();
    if (ctx.getTaskInfos().length != plan.workers()) {
      throw new IllegalStateException("fusebox: the barrier stage has " + ctx.getTaskInfos().length + " tasks, not the plan's "
          + plan.workers());
    }
    List<TrainingRow> rows = new ArrayList<>();
    input.foreach(r -> rows.add(r));
    rows.sort(Comparator.comparingInt(TrainingRow::position));
    ModelSpec spec = ModelSpec.parse(specJson, specSource);
    Compiler.DataParallel split = compiled(spec, plan.micro());
    Target target = ExecutorTarget.resolve(new Target(kind, threads > 0 ? threads : Math.max(1, ctx.cpus())), notices::add);
    try (Program grads = split.gradients().program(target); Program update = split.update().program(target);
        PeerExchange peers = PeerExchange.connect(ctx)) {
      Result r = run(peers, rank, rows, spec, split.parameters(), grads, update);
      return CollectionConverters.asScala(List.of(r).iterator());
    }
  }

  private Result run(PeerExchange peers, int rank, List<TrainingRow> rows, ModelSpec spec, List<String> params,
      Program grads, Program update) {
    Checkpoint start = checkpoint.value();
    NamedTensors state = Wire.decode(start.state());
    update.load(state);
    update.setStepCount(start.programSteps());
    grads.load(state.filter(params::contains));
    boolean classes = spec.labelKind() == LabelKind.CLASS;
    Schedule schedule = spec.schedule();
    int d = spec.input();
    int micro = plan.micro();
    int kMax = plan.microBatchesPerBatch();
    float[] x = new float[micro * d];
    int[] labels = new int[micro];
    float[] targets = new float[micro];
    int p = params.size();
    int[] sizes = new int[p];
    float[][] sums = new float[p][];
    float[][][] scratch = new float[p][][];
    for (int i = 0; i < p; i++) {
      sizes[i] = update.read(params.get(i)).length;
      sums[i] = new float[sizes[i]];
      scratch[i] = new float[ReductionTree.depth(kMax)][sizes[i]];
    }
    int[] fail = failAt(rank);
    long compute = 0, exchange = 0, updating = 0;
    double lossSum = 0;
    long lossRows = 0;
    String nonFinite = null;
    int next = 0; // the next of this worker's rows, in position order
    int steps = plan.stepsPerEpoch();
    int done = 0;
    for (int s = 0; s < steps && nonFinite == null; s++) {
      long t0 = System.nanoTime();
      long globalStep = start.step() + s;
      int k = plan.microBatchesOf(s);
      int batchRows = plan.rowsOf(s);
      int first = Math.min(plan.firstOwned(rank), k);
      int end = Math.min(rank + 1 == plan.workers() ? kMax : plan.firstOwned(rank + 1), k);
      float[][][] leaves = new float[end - first][][];
      float[] losses = new float[end - first];
      for (int m = first; m < end; m++) {
        int n = Math.min(micro, batchRows - m * micro);
        int position = s * plan.batch() + m * micro;
        Arrays.fill(x, 0f);
        Arrays.fill(labels, 0);
        Arrays.fill(targets, 0f);
        for (int i = 0; i < n; i++, next++) {
          TrainingRow row = rows.get(next);
          if (row.position() != position + i) {
            throw new IllegalStateException("fusebox: worker " + rank + " expected the row at position " + (position + i)
                + " of epoch " + epoch + " but has " + row.position());
          }
          System.arraycopy(row.features(), 0, x, i * d, d);
          if (classes) labels[i] = (int) row.label();
          else targets[i] = row.label();
        }
        grads.setInput("x", x);
        if (classes) grads.setLabels("y", labels);
        else grads.setInput("y", targets);
        grads.setValidRows(n);
        grads.setScalar("loss_scale", (float) n / batchRows);
        // Dropout's masks follow the program's step count: make it the micro-batch's global index.
        grads.setStepCount(globalStep * kMax + m);
        losses[m - first] = grads.step();
        float[][] leaf = new float[p][];
        for (int i = 0; i < p; i++) leaf[i] = grads.read(params.get(i) + ".grad");
        leaves[m - first] = leaf;
      }
      // This worker's nodes of the tree, each parameter's partial sum, after its micro-batches' losses.
      List<ReductionTree.Node> cover = first < end ? ReductionTree.cover(k, first, end) : List.of();
      int length = losses.length;
      for (ReductionTree.Node node : cover) for (int i = 0; i < p; i++) length += sizes[i];
      float[] message = new float[length];
      System.arraycopy(losses, 0, message, 0, losses.length);
      int at = losses.length;
      for (ReductionTree.Node node : cover) {
        for (int i = 0; i < p; i++) {
          int q = i;
          ReductionTree.Sums.node(node, (lo, hi, out) -> {
            if (hi - lo != 1) return false; // a leaf: its micro-batch's gradient; the tree sums the rest
            System.arraycopy(leaves[lo - first][q], 0, out, 0, out.length);
            return true;
          }, sums[i], scratch[i]);
          System.arraycopy(sums[i], 0, message, at, sizes[i]);
          at += sizes[i];
        }
      }
      long t1 = System.nanoTime();
      byte[][] all = peers.exchange(Wire.bytes(message, length));
      long t2 = System.nanoTime();
      if (fail != null && fail[0] == epoch && fail[1] == s) injectFailure(rank);

      // Every worker's partials, by tree node, combined in the tree's order: the same bits everywhere.
      Map<ReductionTree.Node, float[][]> partials = new HashMap<>();
      for (int w = 0; w < all.length; w++) {
        float[] got = Wire.floats(all[w]);
        int wFirst = Math.min(plan.firstOwned(w), k);
        int wEnd = Math.min(w + 1 == plan.workers() ? kMax : plan.firstOwned(w + 1), k);
        int pos = 0;
        for (int m = wFirst; m < wEnd; m++, pos++) {
          float loss = got[pos];
          int n = Math.min(micro, batchRows - m * micro);
          if (!Float.isFinite(loss) && nonFinite == null) {
            nonFinite = "the loss of micro-batch " + m + " of step " + (globalStep + 1) + " (epoch " + (epoch + 1) + ") is " + loss;
          }
          lossSum += (double) loss * n;
          lossRows += n;
        }
        if (wFirst >= wEnd) continue;
        for (ReductionTree.Node node : ReductionTree.cover(k, wFirst, wEnd)) {
          float[][] part = new float[p][];
          for (int i = 0; i < p; i++) {
            part[i] = Arrays.copyOfRange(got, pos, pos + sizes[i]);
            pos += sizes[i];
          }
          partials.put(node, part);
        }
      }
      if (nonFinite != null) break;
      for (int i = 0; i < p; i++) {
        int q = i;
        ReductionTree.Sums.root(k, (lo, hi, out) -> {
          float[][] part = partials.get(new ReductionTree.Node(lo, hi));
          if (part == null) return false;
          System.arraycopy(part[q], 0, out, 0, out.length);
          return true;
        }, sums[i], scratch[i]);
        update.setInput(params.get(i) + ".grad", sums[i]);
      }
      update.setScalar(Trainer.LR, (float) schedule.lr(epoch, globalStep));
      update.step();
      grads.load(update.state().filter(params::contains));
      long t3 = System.nanoTime();
      compute += t1 - t0;
      exchange += t2 - t1;
      updating += t3 - t2;
      done++;
    }
    // The same bits on every worker, or a bug: compare before anyone reports.
    byte[] bytes = Wire.encode(update.state());
    byte[][] hashes = peers.exchange(Wire.sha256(bytes).getBytes(StandardCharsets.US_ASCII));
    for (int w = 1; w < hashes.length; w++) {
      if (!Arrays.equals(hashes[w], hashes[0])) {
        throw new IllegalStateException("fusebox: after epoch " + (epoch + 1) + " worker " + w + "'s state differs from worker 0's");
      }
    }
    return new Result(rank, rank == 0 ? bytes : null, update.stepCount(), lossSum, lossRows, done, nonFinite, compute, exchange,
        updating);
  }

  /** The failure the test hook asks this worker for, if any: {epoch, step}. */
  private static int[] failAt(int rank) {
    String spec = System.getProperty(FAIL_PROPERTY);
    if (spec == null) return null;
    String[] parts = spec.split(":", 4);
    if (Integer.parseInt(parts[2]) != rank) return null;
    return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
  }

  private static void injectFailure(int rank) {
    Path marker = Path.of(System.getProperty(FAIL_PROPERTY).split(":", 4)[3]);
    try {
      Files.createFile(marker);
    } catch (FileAlreadyExistsException e) {
      return; // failed once already
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException("fusebox: injected failure of worker " + rank + " (" + FAIL_PROPERTY + ")");
  }
}
