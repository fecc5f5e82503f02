package dev.fusebox.spark;

import static org.apache.spark.sql.functions.col;

import dev.fusebox.Compiler;
import dev.fusebox.Target;
import dev.fusebox.model.ModelMetadata;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.model.SavedModel;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.LabelKind;
import dev.fusebox.runtime.data.Standardizer;
import dev.fusebox.runtime.train.TrainingState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;
import scala.reflect.ClassTag$;

/**
 * Trains a Fusebox model spec on a DataFrame with data-parallel workers on Spark's executors, and
 * returns the trained model as a {@link FuseboxModel}, the same weights to the bit for any number of
 * workers and any partitioning of the input.
 *
 * <pre>{@code
 * FuseboxEstimator estimator = new FuseboxEstimator().setSpec(ModelSpec.read(Path.of("digits.json")))
 *     .setLabelCol("label").setStandardize(true).setPartitions(2).setMicroBatch(16);
 * FuseboxModel model = estimator.fit(train);          // a Transformer: rawPrediction, probability, prediction
 * Dataset<Row> scored = model.transform(test);
 * }</pre>
 *
 * <p>One estimator for classifiers and regressions alike: the spec's loss decides which it is, as it
 * decides {@link FuseboxModel}'s output columns, so separate classifier and regressor classes would
 * repeat every parameter to tell apart what the spec already says.
 *
 * <p><b>Data.</b> Features come from the vector column {@link #featuresCol} if the data has one, else from
 * the numeric columns {@link #inputCols} names, else from every column but the label, in the table's
 * order ({@code fusebox train}'s rule). The label column holds class indices 0..k−1 for
 * {@code softmax_cross_entropy}, or one target per row. Rows are numbered 0..n−1 in the DataFrame's order
 * (its partitions in order, each in order): that index alone decides, with the seed and the epoch,
 * which global batch and micro-batch a row is in and so which worker computes it.
 *
 * <p><b>How it runs.</b> Each epoch is one Spark barrier stage of {@link #partitions} tasks, one per
 * worker, ranked by partition id. The rows of the epoch are sent (one shuffle) to the worker that owns
 * their micro-batches; each global batch of the spec's {@code batch} rows is cut into micro-batches of
 * {@link #microBatch} rows, and worker w owns a contiguous range of them. Per global batch every worker
 * computes its micro-batches' gradients, reduces them in the fixed {@code ReductionTree} order, and sends
 * its partial sums to all others, once (over sockets between the tasks, whose addresses one
 * {@code allGather} per stage publishes; {@code allGather} itself answers no sooner than once a second);
 * each then finishes the tree in the same order and applies the optimizer itself, so all hold the same bits and no float is ever summed in an
 * order that depends on arrival (no {@code reduce}, no {@code treeAggregate}). The state after each epoch
 * is the checkpoint: a failed task fails the stage, which runs again from that checkpoint (up to
 * {@link #maxEpochAttempts} times), and the result is unchanged. Standardisation statistics are exact
 * sums, the same for any partitioning ({@code ExactStandardizer}).
 *
 * <p>The weights equal those of a single-JVM loop over the same micro-batches summed in the same tree
 * (the tests compute that loop), for 1, 2, 4 or any number of workers up to the micro-batches of a batch.
 * The micro-batch size is part of the result: by default it is the batch divided by the partitions, so
 * set it explicitly to compare runs on different numbers of workers.
 */
public final class FuseboxEstimator extends Estimator<FuseboxModel> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(FuseboxEstimator.class);

  /** One epoch done: its mean training loss, steps, and where the time went (the slowest worker's). */
  public record Epoch(int epoch, int epochs, double loss, int steps, double seconds, double computeSeconds,
      double exchangeSeconds, double updateSeconds, int attempts) {}

  private final String uid;
  private final Param<String> spec;
  private final Param<String> labelCol;
  private final Param<String> featuresCol;
  private final StringArrayParam inputCols;
  private final IntParam partitions;
  private final IntParam microBatch;
  private final IntParam epochs;
  private final BooleanParam standardize;
  private final BooleanParam shuffle;
  private final Param<String> target;
  private final IntParam threads;
  private final IntParam maxEpochAttempts;
  private transient Consumer<Epoch> onEpoch = e -> {};

  public FuseboxEstimator() {
    this(Identifiable.randomUID("fuseboxEstimator"));
  }

  public FuseboxEstimator(String uid) {
    this.uid = uid;
    spec = new Param<>(this, "spec", "the model spec, as JSON (what fusebox train reads from SPEC.json)");
    labelCol = new Param<>(this, "labelCol", "the label column: class indices 0..k-1, or the target");
    featuresCol = new Param<>(this, "featuresCol", "a vector column of features, used if the data has it");
    inputCols = new StringArrayParam(this, "inputCols", "numeric feature columns (default: every column but the label)");
    partitions = new IntParam(this, "partitions", "workers (barrier tasks); 0: the context's default parallelism",
        ParamValidators.gtEq(0));
    microBatch = new IntParam(this, "microBatch", "rows of a micro-batch; 0: the batch divided by the partitions",
        ParamValidators.gtEq(0));
    epochs = new IntParam(this, "epochs", "passes over the data; 0: the spec's", ParamValidators.gtEq(0));
    standardize = new BooleanParam(this, "standardize", "standardise features by the training data's mean and deviation");
    shuffle = new BooleanParam(this, "shuffle", "visit the rows in a new seeded order every epoch");
    target = new Param<>(this, "target", "where programs run: auto, vector, scalar or interpreter",
        ParamValidators.inArray(Target.names().toArray(new String[0])));
    threads = new IntParam(this, "threads", "threads for each task's large matmuls; 0: the task's spark.task.cpus",
        ParamValidators.gtEq(0));
    maxEpochAttempts = new IntParam(this, "maxEpochAttempts", "times an epoch is run from its checkpoint before fit fails",
        ParamValidators.gtEq(1));
    setDefault(labelCol, "label");
    setDefault(featuresCol, "features");
    setDefault(inputCols, new String[0]);
    setDefault(partitions, 0);
    setDefault(microBatch, 0);
    setDefault(epochs, 0);
    setDefault(standardize, false);
    setDefault(shuffle, true);
    setDefault(target, "auto");
    setDefault(threads, 0);
    setDefault(maxEpochAttempts, 3);
  }

  @Override
  public String uid() {
    return uid;
  }

  public FuseboxEstimator setSpec(ModelSpec value) {
    set(spec, value.toJson());
    return this;
  }

  public FuseboxEstimator setLabelCol(String value) {
    set(labelCol, value);
    return this;
  }

  public FuseboxEstimator setFeaturesCol(String value) {
    set(featuresCol, value);
    return this;
  }

  public FuseboxEstimator setInputCols(String... value) {
    set(inputCols, value);
    return this;
  }

  public FuseboxEstimator setPartitions(int value) {
    set(partitions, value);
    return this;
  }

  public FuseboxEstimator setMicroBatch(int value) {
    set(microBatch, value);
    return this;
  }

  public FuseboxEstimator setEpochs(int value) {
    set(epochs, value);
    return this;
  }

  public FuseboxEstimator setStandardize(boolean value) {
    set(standardize, value);
    return this;
  }

  public FuseboxEstimator setShuffle(boolean value) {
    set(shuffle, value);
    return this;
  }

  /** {@code auto}, {@code vector}, {@code scalar} or {@code interpreter} (any case). */
  public FuseboxEstimator setTarget(String value) {
    set(target, Target.parse(value).kind().text());
    return this;
  }

  public FuseboxEstimator setThreads(int value) {
    set(threads, value);
    return this;
  }

  public FuseboxEstimator setMaxEpochAttempts(int value) {
    set(maxEpochAttempts, value);
    return this;
  }

  /** Called on the driver after every epoch (progress, timing). */
  public FuseboxEstimator onEpoch(Consumer<Epoch> listener) {
    this.onEpoch = Objects.requireNonNull(listener, "listener");
    return this;
  }

  public Param<String> spec() {
    return spec;
  }

  public Param<String> labelCol() {
    return labelCol;
  }

  public Param<String> featuresCol() {
    return featuresCol;
  }

  public StringArrayParam inputCols() {
    return inputCols;
  }

  public IntParam partitions() {
    return partitions;
  }

  public IntParam microBatch() {
    return microBatch;
  }

  public IntParam epochs() {
    return epochs;
  }

  public BooleanParam standardize() {
    return standardize;
  }

  public BooleanParam shuffle() {
    return shuffle;
  }

  public Param<String> target() {
    return target;
  }

  public IntParam threads() {
    return threads;
  }

  public IntParam maxEpochAttempts() {
    return maxEpochAttempts;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    features(schema);
    return schema;
  }

  @Override
  public FuseboxEstimator copy(ParamMap extra) {
    FuseboxEstimator copy = copyValues(new FuseboxEstimator(uid), extra);
    copy.onEpoch = onEpoch;
    return copy;
  }

  @Override
  public FuseboxModel fit(Dataset<?> dataset) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("fusebox-fit-");
      Path file = dir.resolve("model.safetensors");
      fit(dataset, file);
      return FuseboxModel.fromFile(file);
    } catch (IOException e) {
      throw new UncheckedIOException("fusebox: cannot write the trained model to a temporary file: " + e.getMessage(), e);
    } finally {
      if (dir != null) delete(dir);
    }
  }

  /**
   * Trains as {@link #fit(Dataset)} and writes the model pair as {@code fusebox train} does: {@code file}
   * (parameters and description) and {@code NAME.optimizer.safetensors} beside it.
   */
  public FuseboxModel fit(Dataset<?> dataset, Path file) throws IOException {
    ModelSpec model = model();
    Features f = features(dataset.schema());
    String label = getOrDefault(labelCol);
    boolean classes = model.labelKind() == LabelKind.CLASS;
    if (!classes && model.outputs() != 1) {
      throw new IllegalArgumentException("fusebox: the spec's last layer has " + model.outputs() + " units, but the label column "
          + "holds one target per row: use a last layer of 1 unit");
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
    int workers = ((Integer) getOrDefault(partitions)) > 0 ? ((Integer) getOrDefault(partitions))
        : Math.min(jsc.defaultParallelism(), model.batch());
    int micro = ((Integer) getOrDefault(microBatch)) > 0 ? ((Integer) getOrDefault(microBatch)) : (model.batch() + workers - 1) / workers;
    int passes = ((Integer) getOrDefault(epochs)) > 0 ? ((Integer) getOrDefault(epochs)) : model.epochs();

    JavaRDD<TrainingRow> raw = rows(dataset, f, label, classes ? model.outputs() : 0);
    raw.persist(StorageLevel.MEMORY_AND_DISK());
    JavaRDD<TrainingRow> rows = raw;
    try {
      long count = raw.count();
      if (count > Integer.MAX_VALUE) throw new IllegalArgumentException("fusebox: " + count + " rows; at most 2^31 - 1");
      MicroBatchPlan plan = new MicroBatchPlan((int) count, model.batch(), micro, workers, ((Boolean) getOrDefault(shuffle)), model.seed());
      Optional<Standardizer> standardizer = Optional.empty();
      if (((Boolean) getOrDefault(standardize))) {
        Standardizer s = ExactStandardizer.fit(raw, model.input());
        standardizer = Optional.of(s);
        double[] mean = s.mean();
        double[] scale = s.scale();
        // Standardizer.apply's arithmetic, row by row.
        rows = raw.map(r -> {
          float[] x = r.features().clone();
          for (int j = 0; j < x.length; j++) x[j] = (float) ((x[j] - mean[j]) / scale[j]);
          return new TrainingRow(r.position(), x, r.label());
        });
        rows.persist(StorageLevel.MEMORY_AND_DISK());
      }
      EpochTask.Checkpoint checkpoint = train(jsc, model, plan, passes, rows);
      ModelMetadata metadata = ModelMetadata.of(model, f.names(), Optional.of(label), standardizer);
      save(file, model, micro, checkpoint, metadata, new TrainingState(passes, 0, checkpoint.step(), checkpoint.programSteps(),
          model.batch(), plan.rows(), plan.shuffle(), model.seed(), 0, 0, 0, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, 0));
      return FuseboxModel.fromFile(file);
    } finally {
      if (rows != raw) rows.unpersist(false);
      raw.unpersist(false);
    }
  }

  private ModelSpec model() {
    if (!isDefined(spec)) throw new IllegalStateException("fusebox: no model spec; call setSpec(ModelSpec.read(path))");
    return ModelSpec.parse(getOrDefault(spec), "spec");
  }

  /** Every epoch a barrier stage, from the last epoch's checkpoint; returns the last. */
  private EpochTask.Checkpoint train(JavaSparkContext jsc, ModelSpec model, MicroBatchPlan plan, int passes,
      JavaRDD<TrainingRow> rows) {
    EpochTask.Checkpoint checkpoint = initial(model, plan.micro());
    Target.Kind kind = Target.parse(getOrDefault(target)).kind();
    var notices = ExecutorNotices.register(jsc.sc());
    for (int e = 0; e < passes; e++) {
      long start = System.nanoTime();
      Broadcast<EpochTask.Checkpoint> shipped = jsc.broadcast(checkpoint);
      EpochTask task = new EpochTask(model, plan, e, shipped, kind, ((Integer) getOrDefault(threads)), notices);
      List<EpochTask.Result> results = null;
      int attempt = 0;
      while (results == null) {
        attempt++;
        try {
          results = routed(rows, plan, e).rdd().barrier()
              .mapPartitions(task, false, ClassTag$.MODULE$.apply(EpochTask.Result.class)).toJavaRDD().collect();
        } catch (Exception failure) { // Spark's SparkException, undeclared
          if (attempt >= ((Integer) getOrDefault(maxEpochAttempts)) || isUserError(failure)) {
            shipped.destroy();
            throw failure instanceof RuntimeException r ? r : new IllegalStateException(failure.getMessage(), failure);
          }
          LOG.warn("fusebox: epoch {} failed ({}); running it again from its checkpoint, attempt {} of {}", e + 1,
              failure.getMessage() == null ? failure : failure.getMessage().lines().findFirst().orElse(""), attempt + 1,
              ((Integer) getOrDefault(maxEpochAttempts)));
        }
      }
      shipped.destroy();
      EpochTask.Result first = results.stream().filter(r -> r.rank() == 0).findFirst().orElseThrow();
      if (first.nonFinite() != null) {
        throw new IllegalStateException("fusebox: training stopped: " + first.nonFinite() + "; lower the learning rate or "
            + "standardise the features");
      }
      checkpoint = new EpochTask.Checkpoint(first.state(), first.programSteps(), checkpoint.step() + first.steps());
      double seconds = (System.nanoTime() - start) / 1e9;
      onEpoch.accept(new Epoch(e + 1, passes, first.lossSum() / first.rows(), first.steps(), seconds,
          results.stream().mapToLong(EpochTask.Result::computeNanos).max().orElse(0) / 1e9,
          results.stream().mapToLong(EpochTask.Result::exchangeNanos).max().orElse(0) / 1e9,
          results.stream().mapToLong(EpochTask.Result::updateNanos).max().orElse(0) / 1e9, attempt));
    }
    return checkpoint;
  }

  /** A spec, a bad column or a label out of range fails every attempt the same way: not worth retrying. */
  private static boolean isUserError(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IllegalArgumentException) return true;
      if (t.getCause() == t) break;
    }
    return false;
  }

  /** The rows of epoch {@code epoch}, each at its position, in the partition of the worker that computes it. */
  private static JavaRDD<TrainingRow> routed(JavaRDD<TrainingRow> rows, MicroBatchPlan plan, int epoch) {
    JavaPairRDD<Integer, TrainingRow> keyed = rows.mapPartitionsToPair(it -> {
      int[] positions = plan.positions(epoch);
      List<Tuple2<Integer, TrainingRow>> out = new ArrayList<>();
      while (it.hasNext()) {
        TrainingRow r = it.next();
        int position = positions[r.position()];
        out.add(new Tuple2<>(plan.owner(position), new TrainingRow(position, r.features(), r.label())));
      }
      return out.iterator();
    });
    // An Integer's hash is itself: worker w's rows go to partition w.
    return keyed.partitionBy(new HashPartitioner(plan.workers())).values();
  }

  /** The state training starts from: the spec's initialisation, as the update program holds it. */
  private static EpochTask.Checkpoint initial(ModelSpec model, int micro) {
    Compiler.DataParallel split = EpochTask.compiled(model, micro);
    try (Program update = split.update().program(Target.scalar())) {
      return new EpochTask.Checkpoint(Wire.encode(update.state()), update.stepCount(), 0);
    }
  }

  private static void save(Path file, ModelSpec model, int micro, EpochTask.Checkpoint checkpoint, ModelMetadata metadata,
      TrainingState state) throws IOException {
    Compiler.DataParallel split = EpochTask.compiled(model, micro);
    try (Program update = split.update().program(Target.scalar())) {
      update.load(Wire.decode(checkpoint.state()));
      update.setStepCount(checkpoint.programSteps());
      SavedModel.save(file, update, metadata, state);
    }
  }

  /** Every row with its index in the DataFrame's order as its position, its features and label as floats; checked. */
  private static JavaRDD<TrainingRow> rows(Dataset<?> dataset, Features f, String label, int classes) {
    List<Column> select = new ArrayList<>();
    for (String c : f.columns()) select.add(f.vector() ? col(SparkData.quoted(c)) : col(SparkData.quoted(c)).cast("float"));
    select.add(col(SparkData.quoted(label)).cast("float"));
    int d = f.width();
    boolean vector = f.vector();
    List<String> names = f.names();
    return dataset.toDF().select(select.toArray(new Column[0])).javaRDD().zipWithIndex().map(t -> {
      Row row = t._1();
      long index = t._2();
      float[] x = new float[d];
      if (vector) {
        if (row.isNullAt(0)) throw new IllegalArgumentException("fusebox: the features of row " + (index + 1) + " are null");
        Vector v = (Vector) row.get(0);
        if (v.size() != d) {
          throw new IllegalArgumentException("fusebox: the features of row " + (index + 1) + " have " + v.size() + " values, not "
              + "the spec's " + d);
        }
        for (int j = 0; j < d; j++) x[j] = (float) v.apply(j);
      } else {
        for (int j = 0; j < d; j++) {
          if (row.isNullAt(j)) throw new IllegalArgumentException("fusebox: column '" + names.get(j) + "' of row " + (index + 1)
              + " is null or not a number");
          x[j] = row.getFloat(j);
        }
      }
      int l = vector ? 1 : d;
      if (row.isNullAt(l)) throw new IllegalArgumentException("fusebox: label column '" + label + "' of row " + (index + 1)
          + " is null or not a number");
      float y = row.getFloat(l);
      if (classes > 0 && (y != Math.rint(y) || y < 0 || y >= classes)) {
        throw new IllegalArgumentException("fusebox: label column '" + label + "' of row " + (index + 1) + " is " + y
            + ", not a class 0.." + (classes - 1));
      }
      return new TrainingRow((int) index, x, y);
    });
  }

  /** Where the features come from: a vector column, or numeric columns in order. */
  private record Features(boolean vector, List<String> columns, int width, List<String> names) {}

  private Features features(StructType schema) {
    ModelSpec model = model();
    List<String> all = Arrays.asList(schema.fieldNames());
    String label = getOrDefault(labelCol);
    if (!all.contains(label)) {
      throw new IllegalArgumentException("fusebox: the data has no label column '" + label + "'; its columns are " + all);
    }
    String vectorCol = getOrDefault(featuresCol);
    if (getOrDefault(inputCols).length == 0 && all.contains(vectorCol) && !vectorCol.equals(label)) {
      DataType type = schema.apply(vectorCol).dataType();
      if (!(type instanceof VectorUDT)) {
        throw new IllegalArgumentException("fusebox: column '" + vectorCol + "' is " + type.simpleString() + ", not a vector of "
            + "features; assemble one (VectorAssembler) or name numeric columns with setInputCols");
      }
      List<String> names = new ArrayList<>();
      for (int j = 0; j < model.input(); j++) names.add(vectorCol + "[" + j + "]");
      return new Features(true, List.of(vectorCol), model.input(), names);
    }
    List<String> columns = getOrDefault(inputCols).length > 0 ? Arrays.asList(getOrDefault(inputCols))
        : all.stream().filter(c -> !c.equals(label)).toList();
    for (String c : columns) {
      if (!all.contains(c)) throw new IllegalArgumentException("fusebox: the data has no column '" + c + "' (inputCols)");
      DataType t = schema.apply(c).dataType();
      if (!t.simpleString().equals("string") && BlockScorer.Kind.of(t) == null) {
        throw new IllegalArgumentException("fusebox: column '" + c + "' is " + t.simpleString() + ", not a number; leave it out "
            + "with setInputCols");
      }
    }
    if (columns.size() != model.input()) {
      throw new IllegalArgumentException("fusebox: the spec takes " + model.input() + " inputs, but the data has " + columns.size()
          + " feature columns " + columns);
    }
    return new Features(false, List.copyOf(columns), columns.size(), List.copyOf(columns));
  }

  private static void delete(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.debug("cannot delete {}", dir, e);
    }
  }
}
