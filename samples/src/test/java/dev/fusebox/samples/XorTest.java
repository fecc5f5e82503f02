package dev.fusebox.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class XorTest {

  @Test
  void theDocumentedSeedLearnsXor() {
    Captured out = new Captured();
    float[] p = Xor.run(Xor.SEED, out);

    assertThat(Xor.learned(p)).as("predictions %s", Arrays.toString(p)).isTrue();
    assertThat(p[0]).isLessThan(0.1f);
    assertThat(p[1]).isGreaterThan(0.9f);
    assertThat(p[2]).isGreaterThan(0.9f);
    assertThat(p[3]).isLessThan(0.1f);
    assertThat(out.text()).contains("1 xor 1 = 0");
  }

  @Test
  void aTwoUnitReluNetCanGetStuckAsTheSampleSays() {
    // Seed 0 kills both hidden units: the net falls back to the mean target everywhere.
    float[] p = Xor.run(0, new Captured());

    assertThat(Xor.learned(p)).isFalse();
    for (float v : p) assertThat(v).isCloseTo(0.5f, within(1e-4f));
  }
}
