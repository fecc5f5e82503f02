package dev.fusebox.runtime.init;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fusebox.runtime.SplitMix64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InitializersTest {
  private static final int[] SHAPE = {200, 300}; // [out, in]: fan_in 300, fan_out 200

  private static float[] draw(Initializer init, int[] shape, long seed) {
    int n = 1;
    for (int d : shape) n *= d;
    float[] v = new float[n];
    init.fill(v, shape, new SplitMix64(seed));
    return v;
  }

  /** Uniform initialisers stay within ±bound and reach close to it; bounds from torch.nn.init's formulas. */
  @ParameterizedTest
  @CsvSource({
    "xavier_uniform, 0.10954451150103323", // sqrt(6 / (300 + 200))
    "he_uniform, 0.1414213562373095",      // sqrt(6 / 300)
    "lecun_uniform, 0.1",                  // sqrt(3 / 300)
    "fan_in_uniform, 0.05773502691896258", // 1 / sqrt(300)
  })
  void uniformBounds(String name, double bound) {
    float[] v = draw(Initializers.byName(name), SHAPE, 1);
    double max = 0, sum = 0;
    for (float x : v) {
      max = Math.max(max, Math.abs(x));
      sum += x;
    }
    assertThat(max).isLessThanOrEqualTo(bound).isGreaterThan(0.999 * bound);
    assertThat(sum / v.length).isCloseTo(0, within(bound * 0.02));
  }

  /** Normal initialisers have the documented standard deviation (60,000 samples: ±2% is > 5 sigma). */
  @ParameterizedTest
  @CsvSource({
    "xavier_normal, 0.06324555320336758", // sqrt(2 / 500)
    "he_normal, 0.08164965809277261",     // sqrt(2 / 300)
    "lecun_normal, 0.05773502691896258",  // sqrt(1 / 300)
    "'normal(1.5, 0.25)', 0.25",
  })
  void normalStandardDeviation(String name, double std) {
    float[] v = draw(Initializers.byName(name), SHAPE, 2);
    double mean = 0;
    for (float x : v) mean += x;
    mean /= v.length;
    double var = 0;
    for (float x : v) var += (x - mean) * (x - mean);
    assertThat(Math.sqrt(var / v.length)).isCloseTo(std, within(std * 0.02));
    assertThat(mean).isCloseTo(name.startsWith("normal") ? 1.5 : 0, within(std * 0.02));
  }

  @Test
  void sameSeedSameValuesDifferentSeedDifferentValues() {
    Initializer he = Initializers.heNormal();
    assertThat(draw(he, SHAPE, 7)).containsExactly(draw(he, SHAPE, 7));
    assertThat(draw(he, SHAPE, 7)).isNotEqualTo(draw(he, SHAPE, 8));
  }

  @Test
  void fanFollowsPytorchConventions() {
    assertThat(Initializer.fanIn(new int[] {10, 64})).isEqualTo(64);
    assertThat(Initializer.fanOut(new int[] {10, 64})).isEqualTo(10);
    assertThat(Initializer.fanIn(new int[] {10})).isEqualTo(10);
    assertThat(Initializer.fanIn(new int[] {})).isEqualTo(1);
  }

  @Test
  void constantsAndNames() {
    assertThat(draw(Initializers.byName("constant(0.25)"), new int[] {3}, 1)).containsExactly(0.25f, 0.25f, 0.25f);
    assertThat(draw(Initializers.zeros(), new int[] {2}, 1)).containsExactly(0f, 0f);
    assertThat(Initializers.byName("Kaiming_Uniform")).isEqualTo(Initializers.heUniform());
    assertThat(Initializers.byName("glorot_normal").name()).isEqualTo("xavier_normal");
    assertThat(Initializers.uniform(-1, 2).name()).isEqualTo("uniform(-1,2)");
    float[] u = draw(Initializers.byName("uniform(2, 3)"), new int[] {1000}, 3);
    for (float x : u) assertThat(x).isBetween(2f, 3f);
  }

  @Test
  void badNamesAndArgumentsAreExplained() {
    assertThatThrownBy(() -> Initializers.byName("he")).hasMessageStartingWith("unknown initialiser 'he'; known: zeros");
    assertThatThrownBy(() -> Initializers.byName("uniform(1)")).hasMessage("initialiser 'uniform(1)' takes 2 arguments");
    assertThatThrownBy(() -> Initializers.byName("constant(x)")).hasMessage("initialiser 'constant(x)': 'x' is not a number");
    assertThatThrownBy(() -> Initializers.uniform(1, 1)).hasMessageContaining("finite low < high");
    assertThatThrownBy(() -> Initializers.normal(0, 0)).hasMessageContaining("std > 0");
  }
}
