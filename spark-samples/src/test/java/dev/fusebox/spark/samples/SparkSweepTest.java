package dev.fusebox.spark.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.spark.OnceLoader;
import dev.fusebox.spark.SweepResult;
import dev.fusebox.spark.Trial;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkSweepTest {

  @Test
  void sixConfigurationsTrainAsSparkTasksCompilingOncePerSeedAndTheBestClassifiesDigitsWell(@TempDir Path dir) throws Exception {
    int compiles = OnceLoader.executor().compiles();
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    SweepResult result = SparkSweep.run(SparkScoring.session("local[2]"), dir, new PrintStream(text, true, StandardCharsets.UTF_8));

    assertThat(result.trials()).hasSize(6).allMatch(Trial::succeeded);
    assertThat(OnceLoader.executor().compiles() - compiles).as("one compiled class per seed").isEqualTo(2);
    assertThat(result.best().orElseThrow().validation().orElseThrow().accuracy().orElseThrow()).isGreaterThan(0.95);
    assertThat(Files.readAllLines(dir.resolve("metrics.csv"))).hasSize(7);
    assertThat(dir.resolve("lr0.001-seed2.safetensors")).isRegularFile();
    assertThat(text.toString(StandardCharsets.UTF_8)).contains("<- best");
  }
}
