package dev.fusebox.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VanishingGradientTest {

  @Test
  void sigmoidGradientsVanishTowardsTheInputAndReluGradientsDoNot(@TempDir Path dir) throws Exception {
    VanishingGradient.Result r = VanishingGradient.run(dir.resolve("norms.png"), new Captured());
    int last = r.sigmoid().length - 1;

    assertThat(r.sigmoid()[0] / r.sigmoid()[last]).as("sigmoid first/last").isLessThan(1e-3);
    assertThat(r.relu()[0] / r.relu()[last]).as("relu first/last").isBetween(1e-1, 10.0);
    for (int i = 1; i <= last; i++) {
      assertThat(r.sigmoid()[i]).as("sigmoid layer %d grows towards the output", i + 1).isGreaterThan(r.sigmoid()[i - 1]);
    }
    Png.assertPng(r.chart());
  }
}
