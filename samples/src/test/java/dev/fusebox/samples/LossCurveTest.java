package dev.fusebox.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LossCurveTest {

  @Test
  void recordsEveryStepsLossAndDrawsItFalling(@TempDir Path dir) throws Exception {
    LossCurve.Result result = LossCurve.run(dir.resolve("loss.png"), new Captured());

    float[] loss = result.losses();
    int trainRows = SampleData.standardisedDigits(LossCurve.SEED).train().rows();
    int stepsPerEpoch = (trainRows + LossCurve.BATCH - 1) / LossCurve.BATCH; // the last batch of an epoch is partial
    assertThat(loss).hasSize(LossCurve.EPOCHS * stepsPerEpoch);
    assertThat(loss[0]).as("an untrained 10-class model starts near ln 10").isBetween(1.8f, 2.8f);
    assertThat(mean(loss, loss.length - 50, loss.length)).as("mean of the last 50 steps").isLessThan(0.1 * mean(loss, 0, 50));
    Png.assertPng(result.chart());
  }

  private static double mean(float[] values, int from, int to) {
    double sum = 0;
    for (int i = from; i < to; i++) sum += values[i];
    return sum / (to - from);
  }
}
