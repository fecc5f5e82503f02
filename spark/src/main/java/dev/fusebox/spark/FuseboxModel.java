package dev.fusebox.spark;

import dev.fusebox.Target;
import dev.fusebox.model.ModelMetadata;
import dev.fusebox.model.ModelSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.Option;

/**
 * A Fusebox model file as a Spark ML {@link Transformer}: scores every row of a DataFrame with the
 * model's compiled inference program and appends Spark ML's usual output columns.
 *
 * <pre>{@code
 * FuseboxModel model = FuseboxModel.fromFile(Path.of("digits.safetensors"));   // what fusebox train wrote
 * Dataset<Row> scored = model.transform(table);                                 // + rawPrediction, probability, prediction
 * }</pre>
 *
 * <p><b>Features</b> come from the vector column {@link #featuresCol} ({@code features}, Spark ML's
 * convention: a {@code VectorAssembler}'s output, say) holding the model's inputs in its order; or from
 * the numeric columns {@link #inputCols} names, in the model's order; or, when neither is there, from
 * the columns the model file names as its inputs (as {@code fusebox predict} takes them). Numbers of
 * any numeric type are read as Spark casts them to float. The model file's standardisation is applied.
 *
 * <p><b>Outputs</b> for a classifier ({@code softmax_cross_entropy}, {@code binary_cross_entropy}):
 * {@link #rawPredictionCol} (logits), {@link #probabilityCol} (their softmax, or for a binary model
 * [1 − p, p]) and {@link #predictionCol} (the class as a double); for regression {@code prediction}
 * alone (a double, or a vector for a model of several outputs). An empty column name leaves its column
 * out. The values are bitwise what {@code fusebox predict} writes for the same rows on the same backend.
 *
 * <p><b>How it runs</b>: each task scores its partition in blocks of {@link #blockSize} rows through one
 * forward pass per block (never a call per row), with a program of its own; the generated class is
 * compiled once per executor JVM. The model file's bytes travel with the job, so executors need no
 * access to it. {@link #target} is where programs run, as {@code fusebox --backend} says: {@code auto}
 * runs vector kernels, or scalar ones on an executor without {@code --add-modules=jdk.incubator.vector}
 * after a warning in the driver's log (once per executor); {@code vector} fails such a task, naming the
 * flag. {@link #threads} splits each task's large matmuls (default: the task's {@code spark.task.cpus}).
 *
 * <p>It saves and loads with a {@code Pipeline} ({@link MLWritable}, and {@link #read()} for
 * {@code MLReadable}): the saved directory holds the model file itself.
 */
public final class FuseboxModel extends Model<FuseboxModel> implements MLWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final ShippedModel model;
  private final transient ModelMetadata metadata;

  private final Param<String> featuresCol;
  private final StringArrayParam inputCols;
  private final Param<String> predictionCol;
  private final Param<String> probabilityCol;
  private final Param<String> rawPredictionCol;
  private final Param<String> target;
  private final IntParam threads;
  private final IntParam blockSize;

  private FuseboxModel(String uid, ShippedModel model) {
    this.uid = uid;
    this.model = model;
    try {
      this.metadata = model.metadata();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    featuresCol = new Param<>(this, "featuresCol", "the vector column of features, in the model's input order");
    inputCols = new StringArrayParam(this, "inputCols", "numeric feature columns, in the model's input order (instead of "
        + "featuresCol)");
    predictionCol = new Param<>(this, "predictionCol", "the predicted class (classifiers) or value (regression)");
    probabilityCol = new Param<>(this, "probabilityCol", "class probabilities (classifiers); empty for none");
    rawPredictionCol = new Param<>(this, "rawPredictionCol", "the model's raw outputs, logits (classifiers); empty for none");
    target = new Param<>(this, "target", "where programs run: auto, vector, scalar or interpreter",
        ParamValidators.inArray(Target.names().toArray(new String[0])));
    threads = new IntParam(this, "threads", "threads for each task's large matmuls; 0: the task's spark.task.cpus",
        ParamValidators.gtEq(0));
    blockSize = new IntParam(this, "blockSize", "rows scored by one forward pass", ParamValidators.inRange(1, 1 << 20));
    setDefault(featuresCol, "features");
    setDefault(inputCols, new String[0]);
    setDefault(predictionCol, "prediction");
    setDefault(probabilityCol, "probability");
    setDefault(rawPredictionCol, "rawPrediction");
    setDefault(target, "auto");
    setDefault(threads, 0);
    setDefault(blockSize, 1024);
  }

  /**
   * The model in a file {@code fusebox train} (or {@code SavedModel.save}) wrote: it describes itself,
   * so nothing else is needed. Read on the driver; executors are sent its bytes.
   */
  public static FuseboxModel fromFile(Path file) throws IOException {
    return new FuseboxModel(Identifiable.randomUID("fusebox"), ShippedModel.read(file));
  }

  /** The same, for a file on any file system Spark reads ({@code hdfs://...}, {@code s3a://...}, a local path). */
  public static FuseboxModel fromFile(SparkSession spark, String file) throws IOException {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(file);
    return new FuseboxModel(Identifiable.randomUID("fusebox"), ShippedModel.of(p.getName(),
        readAll(p.getFileSystem(spark.sparkContext().hadoopConfiguration()), p)));
  }

  @Override
  public String uid() {
    return uid;
  }

  /** What the model file says about itself: spec, input columns, label, standardisation. */
  public ModelMetadata metadata() {
    return metadata;
  }

  /** The model's spec. */
  public ModelSpec spec() {
    return metadata.spec();
  }

  /** The model file's name. */
  public String modelName() {
    return model.name();
  }

  /** Whether the model is a classifier (probabilities and a class) rather than a regression. */
  public boolean isClassifier() {
    return Head.of(spec()).classifier();
  }

  public Param<String> featuresCol() {
    return featuresCol;
  }

  public StringArrayParam inputCols() {
    return inputCols;
  }

  public Param<String> predictionCol() {
    return predictionCol;
  }

  public Param<String> probabilityCol() {
    return probabilityCol;
  }

  public Param<String> rawPredictionCol() {
    return rawPredictionCol;
  }

  public Param<String> target() {
    return target;
  }

  public IntParam threads() {
    return threads;
  }

  public IntParam blockSize() {
    return blockSize;
  }

  public FuseboxModel setFeaturesCol(String value) {
    set(featuresCol, value);
    return this;
  }

  public FuseboxModel setInputCols(String... value) {
    set(inputCols, value);
    return this;
  }

  public FuseboxModel setPredictionCol(String value) {
    set(predictionCol, value);
    return this;
  }

  public FuseboxModel setProbabilityCol(String value) {
    set(probabilityCol, value);
    return this;
  }

  public FuseboxModel setRawPredictionCol(String value) {
    set(rawPredictionCol, value);
    return this;
  }

  /** {@code auto}, {@code vector}, {@code scalar} or {@code interpreter} (any case). */
  public FuseboxModel setTarget(String value) {
    set(target, Target.parse(value).kind().text());
    return this;
  }

  public FuseboxModel setThreads(int value) {
    set(threads, value);
    return this;
  }

  public FuseboxModel setBlockSize(int value) {
    set(blockSize, value);
    return this;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    features(schema); // checks the inputs
    StructType out = schema;
    for (StructField f : outputFields()) {
      if (Arrays.asList(schema.fieldNames()).contains(f.name())) {
        throw new IllegalArgumentException("fusebox: output column '" + f.name() + "' already exists; give the "
            + "transformer another name for it (set" + paramOf(f.name()) + ")");
      }
      out = out.add(f);
    }
    return out;
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema());
    SparkSession spark = dataset.sparkSession();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<ShippedModel> shipped = jsc.broadcast(model);
    BlockScorer scorer = new BlockScorer(shipped, features(dataset.schema()), outputs(), Head.of(spec()), spec().input(),
        metadata.standardizer(), Target.parse(getOrDefault(target)).kind(), (Integer) getOrDefault(threads),
        (Integer) getOrDefault(blockSize), ExecutorNotices.register(spark.sparkContext()));
    return dataset.toDF().mapPartitions(scorer, Encoders.row(out));
  }

  @Override
  public FuseboxModel copy(ParamMap extra) {
    return copyValues(new FuseboxModel(uid, model), extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  /** The reader a {@code PipelineModel} finds by reflection when it loads a saved pipeline holding this stage. */
  public static MLReader<FuseboxModel> read() {
    return new Reader();
  }

  /** Loads a transformer saved with {@link #write()}. */
  public static FuseboxModel load(String path) {
    return read().load(path);
  }

  @Override
  public String toString() {
    return "FuseboxModel: uid=" + uid + ", model=" + model.name() + " (" + spec().input() + " inputs, " + spec().outputs()
        + " outputs, " + spec().loss() + ")";
  }

  private BlockScorer.Features features(StructType schema) {
    List<String> names = Arrays.asList(schema.fieldNames());
    String[] given = getOrDefault(inputCols);
    if (given.length == 0 && names.contains(getOrDefault(featuresCol))) {
      String col = getOrDefault(featuresCol);
      DataType type = schema.apply(col).dataType();
      if (!(type instanceof VectorUDT)) {
        throw new IllegalArgumentException("fusebox: column '" + col + "' is " + type.simpleString() + ", not a vector of "
            + "features; assemble one (VectorAssembler) or name numeric columns with setInputCols");
      }
      return BlockScorer.Features.vector(names.indexOf(col), col);
    }
    String[] columns = given.length > 0 ? given : metadata.inputColumns().toArray(new String[0]);
    if (columns.length == 0) {
      throw new IllegalArgumentException("fusebox: the data has no column '" + getOrDefault(featuresCol) + "' and "
          + model.name() + " names no input columns; set featuresCol to a vector column or inputCols to the numeric columns");
    }
    if (columns.length != spec().input()) {
      throw new IllegalArgumentException("fusebox: inputCols names " + columns.length + " columns, but " + model.name()
          + " takes " + spec().input() + " inputs");
    }
    List<String> missing = new ArrayList<>();
    for (String c : columns) if (!names.contains(c)) missing.add(c);
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("fusebox: the data has no column '" + missing.get(0) + "'" + (missing.size() > 1
          ? " (nor " + missing.subList(1, missing.size()) + ")" : "") + ", which " + model.name() + " takes as input"
          + (given.length > 0 ? " (inputCols)" : "") + "; nor a vector column '" + getOrDefault(featuresCol) + "'");
    }
    int[] indices = new int[columns.length];
    DataType[] types = new DataType[columns.length];
    for (int i = 0; i < columns.length; i++) {
      indices[i] = names.indexOf(columns[i]);
      types[i] = schema.apply(columns[i]).dataType();
      if (BlockScorer.Kind.of(types[i]) == null) {
        throw new IllegalArgumentException("fusebox: column '" + columns[i] + "' is " + types[i].simpleString() + ", not a "
            + "number; cast it (col(\"" + columns[i] + "\").cast(\"float\")) or leave it out");
      }
    }
    return BlockScorer.Features.named(indices, columns, types);
  }

  private BlockScorer.Outputs outputs() {
    boolean classifier = isClassifier();
    return new BlockScorer.Outputs(classifier && !getOrDefault(rawPredictionCol).isEmpty(),
        classifier && !getOrDefault(probabilityCol).isEmpty(), !getOrDefault(predictionCol).isEmpty());
  }

  private List<StructField> outputFields() {
    BlockScorer.Outputs o = outputs();
    List<StructField> fields = new ArrayList<>();
    if (o.raw()) fields.add(DataTypes.createStructField(getOrDefault(rawPredictionCol), SQLDataTypes.VectorType(), false));
    if (o.probability()) fields.add(DataTypes.createStructField(getOrDefault(probabilityCol), SQLDataTypes.VectorType(), false));
    if (o.prediction()) {
      boolean vector = !isClassifier() && spec().outputs() > 1;
      fields.add(DataTypes.createStructField(getOrDefault(predictionCol), vector ? SQLDataTypes.VectorType()
          : DataTypes.DoubleType, false));
    }
    return fields;
  }

  private String paramOf(String column) {
    if (column.equals(getOrDefault(rawPredictionCol))) return "RawPredictionCol";
    if (column.equals(getOrDefault(probabilityCol))) return "ProbabilityCol";
    return "PredictionCol";
  }

  private static byte[] readAll(FileSystem fs, org.apache.hadoop.fs.Path p) throws IOException {
    try (InputStream in = fs.open(p)) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      in.transferTo(b);
      return b.toByteArray();
    }
  }

  /** Saves the parameters as Spark ML's stages save them (metadata/), and the model file under data/. */
  private static final class Writer extends MLWriter {
    private final FuseboxModel instance;

    Writer(FuseboxModel instance) {
      this.instance = instance;
    }

    @Override
    public void saveImpl(String path) {
      DefaultParamsWriter.saveMetadata(instance, path, sparkSession());
      org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(new org.apache.hadoop.fs.Path(path, "data"), instance.model.name());
      try {
        FileSystem fs = file.getFileSystem(sc().hadoopConfiguration());
        try (OutputStream out = fs.create(file, true)) {
          out.write(instance.model.bytes());
        }
      } catch (IOException e) {
        throw new UncheckedIOException("fusebox: cannot write the model file to " + file, e);
      }
    }
  }

  private static final class Reader extends MLReader<FuseboxModel> {
    @Override
    public FuseboxModel load(String path) {
      DefaultParamsReader.Metadata metadata = DefaultParamsReader.loadMetadata(path, sparkSession(), FuseboxModel.class.getName());
      org.apache.hadoop.fs.Path data = new org.apache.hadoop.fs.Path(path, "data");
      try {
        FileSystem fs = data.getFileSystem(sc().hadoopConfiguration());
        FileStatus[] files = fs.listStatus(data);
        if (files.length != 1) {
          throw new IOException(data + " should hold the one model file a FuseboxModel saves, but holds " + files.length + " files");
        }
        org.apache.hadoop.fs.Path file = files[0].getPath();
        FuseboxModel model = new FuseboxModel(metadata.uid(), ShippedModel.of(file.getName(), readAll(fs, file)));
        metadata.getAndSetParams(model, Option.empty());
        return model;
      } catch (IOException e) {
        throw new UncheckedIOException("fusebox: cannot read the saved FuseboxModel at " + path + ": " + e.getMessage(), e);
      }
    }
  }
}
