package dev.fusebox.spark.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkScoringTest {

  @Test
  void aMillionRowsOnLocal2ScoreAsTheStandaloneScorerScoresThem(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    SparkScoring.Result r = SparkScoring.run(SparkScoring.session("local[2]"), dir, SparkScoring.ROWS,
        new PrintStream(text, true, StandardCharsets.UTF_8));
    assertThat(r.rows()).isEqualTo(1_000_000);
    assertThat(r.checkedRaw()).isEqualTo(1000);
    assertThat(r.mismatches()).as(text.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(r.rowsPerSecond()).isPositive();
    assertThat(text.toString(StandardCharsets.UTF_8)).contains("rows/s").contains("the same, bit for bit");
  }
}
