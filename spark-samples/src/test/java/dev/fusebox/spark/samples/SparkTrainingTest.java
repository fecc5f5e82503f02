package dev.fusebox.spark.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.spark.FuseboxModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sample and fusebox-spark train on the digits, each reaching the held-out accuracy a digits model should. */
class SparkTrainingTest {

  @Test
  void theSampleTrainsDigitsOnLocal2(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    SparkTraining.Result r = SparkTraining.run(SparkScoring.session("local[2]"), dir, new PrintStream(text, true,
        StandardCharsets.UTF_8));
    assertThat(r.testRows()).isEqualTo(359);
    assertThat(r.accuracy()).as(text.toString(StandardCharsets.UTF_8)).isGreaterThanOrEqualTo(0.95);
    assertThat(text.toString(StandardCharsets.UTF_8)).contains("held-out accuracy");
  }

  @Test
  void fuseboxSparkTrainReachesTheAccuracyOnALocalMaster(@TempDir Path dir) throws Exception {
    SparkSession spark = SparkScoring.session("local[2]");
    dev.fusebox.runtime.data.Dataset.Split split = dev.fusebox.samples.SampleData.digits().split(0.2, 7);
    String train = SparkTraining.writeParquet(spark, split.train(), dir.resolve("train.parquet"));
    String test = SparkTraining.writeParquet(spark, split.valid(), dir.resolve("test.parquet"));
    Path spec = java.nio.file.Files.writeString(dir.resolve("digits.json"), DigitsTable.SPEC);
    Path model = dir.resolve("digits.safetensors");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = dev.fusebox.spark.cli.Main.commandLine(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8)).execute("train", spec.toString(), "--data", train, "--label", "label",
        "--valid", test, "--standardize", "--master", "local[2]", "--partitions", "2", "--micro-batch", "16", "--out",
        model.toString());
    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    Matcher m = Pattern.compile("valid accuracy (\\d\\.\\d+)").matcher(printed);
    assertThat(m.find()).as(printed).isTrue();
    assertThat(Double.parseDouble(m.group(1))).as(printed).isGreaterThanOrEqualTo(0.95);
    assertThat(FuseboxModel.fromFile(model).metadata().standardizer()).isPresent();
    assertThat(dev.fusebox.runtime.io.ModelFiles.optimizerFile(model)).exists();
  }
}
