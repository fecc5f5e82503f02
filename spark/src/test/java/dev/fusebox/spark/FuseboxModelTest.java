package dev.fusebox.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusebox.CompileOptions;
import dev.fusebox.Target;
import dev.fusebox.model.SavedModel;
import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.data.CsvData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transformer against {@code fusebox predict} and the standalone scorer on the same rows and backend:
 * equal bit for bit, for a classifier (standardised), a binary classifier and a regression, through
 * named columns and a vector column, in several partitions and partial blocks, inside a pipeline that
 * is saved and loaded again.
 */
class FuseboxModelTest {
  @TempDir static Path dir;
  static Path iris;
  static Path binary;
  static Path regression;
  static Path binaryCsv;
  static SparkSession spark;

  @BeforeAll
  static void trainModels() throws IOException {
    spark = Sparks.local();
    Path d = Sparks.CLI_DATA;
    iris = dir.resolve("iris.safetensors");
    Sparks.fusebox("train", d.resolve("iris.json").toString(), "--data", d.resolve("iris-train.csv").toString(), "--label", "species",
        "--standardize", "--epochs", "20", "--out", iris.toString());
    regression = dir.resolve("regression.safetensors");
    Sparks.fusebox("train", d.resolve("regression.json").toString(), "--data", d.resolve("regression.csv").toString(), "--label",
        "target", "--out", regression.toString());
    // A binary classifier on made-up points: is a + b above c?
    binaryCsv = dir.resolve("binary.csv");
    StringBuilder csv = new StringBuilder("a,b,c,label\n");
    SplittableRandom random = new SplittableRandom(5);
    for (int r = 0; r < 200; r++) {
      double a = random.nextGaussian(), b = random.nextGaussian(), c = random.nextGaussian();
      csv.append(String.format(Locale.ROOT, "%.3f,%.3f,%.3f,%d%n", a, b, c, a + b > c ? 1 : 0));
    }
    Files.writeString(binaryCsv, csv);
    Path spec = dir.resolve("binary.json");
    Files.writeString(spec, "{\"input\": 3, \"layers\": [{\"units\": 8, \"activation\": \"tanh\"}, {\"units\": 1}], \"loss\": "
        + "\"binary_cross_entropy\", \"optimizer\": {\"type\": \"adam\", \"lr\": 0.01}, \"batch\": 16, \"epochs\": 10, \"seed\": 4}");
    binary = dir.resolve("binary.safetensors");
    Sparks.fusebox("train", spec.toString(), "--data", binaryCsv.toString(), "--label", "label", "--out", binary.toString());
  }

  /** A CSV file's rows with every column read as float from its text, as fusebox reads numbers, and their order as "row". */
  static Dataset<Row> floats(Path csv) {
    Dataset<Row> text = spark.read().option("header", true).csv(csv.toString());
    Column[] columns = Arrays.stream(text.columns()).map(c -> col(c).cast("float").as(c)).toArray(Column[]::new);
    return text.select(columns).withColumn("row", monotonically_increasing_id());
  }

  static List<Row> ordered(Dataset<Row> scored) {
    return scored.orderBy("row").collectAsList();
  }

  /** fusebox predict's CSV lines for a model and data, header first. */
  static List<String> predict(Path model, Path csv) throws IOException {
    Path out = dir.resolve(model.getFileName() + "-" + csv.getFileName() + ".predictions.csv");
    Sparks.fusebox("predict", "--model", model.toString(), "--data", csv.toString(), "--out", out.toString());
    return Files.readAllLines(out);
  }

  /** The standalone scorer's outputs (the program's prediction) for every row of a CSV file. */
  static float[] standalone(Path model, Path csv) throws IOException {
    try (SavedModel m = SavedModel.load(model, Target.vector(), CompileOptions.defaults())) {
      FloatTensor p = m.predict(CsvData.readFeatures(csv));
      return p.data();
    }
  }

  static void assertSameBits(double sparkValue, String fuseboxText, String what) {
    assertThat(Float.floatToIntBits((float) sparkValue)).as("%s: Spark %s, fusebox %s", what, sparkValue, fuseboxText)
        .isEqualTo(Float.floatToIntBits(Float.parseFloat(fuseboxText)));
  }

  @Test
  void aClassifierScoresEveryRowAsFuseboxPredictDoesInPartitionsAndPartialBlocks() throws IOException {
    Path csv = Sparks.CLI_DATA.resolve("iris.csv");
    FuseboxModel model = FuseboxModel.fromFile(iris).setBlockSize(7); // 150 rows in 3 partitions: partial blocks in each
    Dataset<Row> data = floats(csv).drop("species").repartition(3);
    assertThat(data.rdd().getNumPartitions()).isEqualTo(3);

    List<Row> rows = ordered(model.transform(data));
    List<String> expected = predict(iris, csv);
    float[] logits = standalone(iris, csv);

    assertThat(expected.get(0)).isEqualTo("class,p0,p1,p2");
    assertThat(rows).hasSize(150).hasSize(expected.size() - 1);
    for (int r = 0; r < rows.size(); r++) {
      Row row = rows.get(r);
      String[] fields = expected.get(r + 1).split(",");
      assertThat(row.getDouble(row.fieldIndex("prediction"))).as("row %d", r).isEqualTo(Double.parseDouble(fields[0]));
      Vector probability = (Vector) row.get(row.fieldIndex("probability"));
      Vector raw = (Vector) row.get(row.fieldIndex("rawPrediction"));
      for (int c = 0; c < 3; c++) {
        assertSameBits(probability.apply(c), fields[c + 1], "row " + r + ", p" + c);
        assertThat(Float.floatToIntBits((float) raw.apply(c))).as("row %d, logit %d", r, c)
            .isEqualTo(Float.floatToIntBits(logits[r * 3 + c]));
      }
    }
    // And the model is worth comparing: it classifies iris well.
    long correct = 0;
    List<Row> labelled = ordered(model.transform(floats(csv)));
    for (Row row : labelled) if (row.getDouble(row.fieldIndex("prediction")) == row.getFloat(row.fieldIndex("species"))) correct++;
    assertThat(correct).isGreaterThan(135);
  }

  @Test
  void aBinaryClassifierGivesSparksTwoColumnProbabilitiesAndFuseboxPredictsValues() throws IOException {
    FuseboxModel model = FuseboxModel.fromFile(binary);
    List<Row> rows = ordered(model.transform(floats(binaryCsv).drop("label").repartition(2)));
    List<String> expected = predict(binary, binaryCsv);
    assertThat(expected.get(0)).isEqualTo("probability,class");
    assertThat(rows).hasSize(expected.size() - 1);
    for (int r = 0; r < rows.size(); r++) {
      Row row = rows.get(r);
      String[] fields = expected.get(r + 1).split(",");
      Vector probability = (Vector) row.get(row.fieldIndex("probability"));
      Vector raw = (Vector) row.get(row.fieldIndex("rawPrediction"));
      assertSameBits(probability.apply(1), fields[0], "row " + r);
      assertThat(probability.apply(0) + probability.apply(1)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
      assertThat(raw.apply(0)).isEqualTo(-raw.apply(1));
      assertThat(row.getDouble(row.fieldIndex("prediction"))).isEqualTo(Double.parseDouble(fields[1]));
    }
  }

  @Test
  void aRegressionGivesOnlyPredictionAsFuseboxPredictsIt() throws IOException {
    Path csv = Sparks.CLI_DATA.resolve("regression.csv");
    FuseboxModel model = FuseboxModel.fromFile(regression);
    Dataset<Row> scored = model.transform(floats(csv));
    assertThat(scored.columns()).containsExactly("a", "b", "c", "target", "row", "prediction");
    List<Row> rows = ordered(scored);
    List<String> expected = predict(regression, csv);
    assertThat(expected.get(0)).isEqualTo("y0");
    for (int r = 0; r < rows.size(); r++) {
      assertSameBits(rows.get(r).getDouble(5), expected.get(r + 1), "row " + r);
    }
  }

  @Test
  void aVectorColumnInAPipelineScoresTheSameAndThePipelineSavesAndLoads() throws IOException {
    Path csv = Sparks.CLI_DATA.resolve("iris.csv");
    FuseboxModel fusebox = FuseboxModel.fromFile(iris).setBlockSize(64).setProbabilityCol("p");
    VectorAssembler assembler = new VectorAssembler().setInputCols(fusebox.metadata().inputColumns().toArray(new String[0]))
        .setOutputCol("features");
    Dataset<Row> data = floats(csv);
    PipelineModel pipeline = new Pipeline().setStages(new PipelineStage[] {assembler, fusebox}).fit(data);
    List<Row> viaVector = ordered(pipeline.transform(data));
    List<Row> viaColumns = ordered(FuseboxModel.fromFile(iris).transform(data));
    for (int r = 0; r < viaVector.size(); r++) {
      Row v = viaVector.get(r);
      Row c = viaColumns.get(r);
      assertThat(v.get(v.fieldIndex("p"))).isEqualTo(c.get(c.fieldIndex("probability")));
      assertThat(v.get(v.fieldIndex("rawPrediction"))).isEqualTo(c.get(c.fieldIndex("rawPrediction")));
    }

    Path saved = dir.resolve("pipeline");
    pipeline.write().overwrite().save(saved.toString());
    PipelineModel loaded = PipelineModel.load(saved.toString());
    FuseboxModel stage = (FuseboxModel) loaded.stages()[1];
    assertThat(stage.uid()).isEqualTo(fusebox.uid());
    assertThat(stage.getOrDefault(stage.blockSize())).isEqualTo(64);
    assertThat(stage.getOrDefault(stage.probabilityCol())).isEqualTo("p");
    assertThat(stage.metadata()).isEqualTo(fusebox.metadata());
    assertThat(ordered(loaded.transform(data))).isEqualTo(viaVector);
  }

  @Test
  void badInputsAreOneLineErrorsNamingTheColumnAndTheFix() throws IOException {
    FuseboxModel model = FuseboxModel.fromFile(iris);
    Dataset<Row> data = floats(Sparks.CLI_DATA.resolve("iris.csv"));
    assertThatThrownBy(() -> model.transform(data.drop("petal_width"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no column 'petal_width'").hasMessageContaining("iris.safetensors");
    assertThatThrownBy(() -> model.transform(data.withColumn("prediction", col("row")))).hasMessageContaining(
        "output column 'prediction' already exists").hasMessageContaining("setPredictionCol");
    assertThatThrownBy(() -> model.transform(data.withColumn("sepal_length", col("sepal_length").cast("string"))))
        .hasMessageContaining("column 'sepal_length' is string, not a number");
    assertThatThrownBy(() -> FuseboxModel.fromFile(iris).setInputCols("a", "b").transform(data))
        .hasMessageContaining("inputCols names 2 columns, but iris.safetensors takes 4 inputs");
    assertThatThrownBy(() -> model.setTarget("gpu")).hasMessageContaining("unknown target 'gpu'");
  }

  @Test
  void aJobCompilesEachProgramOncePerExecutorJvmWhateverItsTaskCount() throws IOException {
    // A block size no other test uses, so its source is new to this JVM's cache.
    FuseboxModel model = FuseboxModel.fromFile(iris).setBlockSize(97);
    int before = OnceLoader.executor().compiles();
    long rows = model.transform(floats(Sparks.CLI_DATA.resolve("iris.csv")).repartition(6)).count();
    assertThat(rows).isEqualTo(150);
    assertThat(OnceLoader.executor().compiles() - before).as("compiles for 6 tasks on 2 threads").isEqualTo(1);
    model.transform(floats(Sparks.CLI_DATA.resolve("iris.csv")).repartition(4)).collectAsList();
    assertThat(OnceLoader.executor().compiles() - before).as("and none for a second job").isEqualTo(1);
  }
}
