package dev.fusebox.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UniversalApproximationTest {

  @Test
  void moreUnitsFitBetterAndSixteenFitClosely(@TempDir Path dir) throws Exception {
    UniversalApproximation.Result result = UniversalApproximation.run(dir.resolve("fits.png"), new Captured());

    assertThat(result.widths()).containsExactly(2, 4, 8, 16);
    double[] mse = result.mse();
    for (int i = 1; i < mse.length; i++) {
      assertThat(mse[i]).as("MSE with %d units vs %d", result.widths()[i], result.widths()[i - 1]).isLessThan(mse[i - 1]);
    }
    assertThat(mse[0]).as("2 sigmoids cannot follow two periods of a sine").isGreaterThan(0.05);
    assertThat(mse[3]).as("16 units").isLessThan(1e-3);
    Png.assertPng(result.chart());
  }
}
