package dev.fusebox.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SplitMix64Test {

  @Test
  void matchesTheReferenceSequence() {
    // Outputs of Vigna's reference splitmix64.c for seed 0: shuffles stay the same on every JDK.
    SplitMix64 r = new SplitMix64(0);
    assertThat(r.nextLong()).isEqualTo(0xE220A8397B1DCDAFL);
    assertThat(r.nextLong()).isEqualTo(0x6E789E6AA1B965F4L);
    assertThat(r.nextLong()).isEqualTo(0x06C45D188009454FL);
    assertThat(r.nextLong()).isEqualTo(0xF88BB8A8724C81ECL);
  }

  @Test
  void boundedDrawsAreInRangeAndRoughlyUniform() {
    SplitMix64 r = new SplitMix64(17);
    int[] counts = new int[3];
    for (int i = 0; i < 30_000; i++) counts[r.nextInt(3)]++;
    // Each count is binomial with mean 10000 and sd ~82; 5 sd either way.
    for (int c : counts) assertThat(c).isBetween(9_590, 10_410);
  }

  @Test
  void shufflesIntoAPermutationThatDependsOnTheSeed() {
    int[] a = new int[100];
    Arrays.setAll(a, i -> i);
    int[] b = a.clone();
    new SplitMix64(1).shuffle(a);
    new SplitMix64(2).shuffle(b);
    assertThat(a).containsExactlyInAnyOrder(b).isNotEqualTo(b);
    int[] again = new int[100];
    Arrays.setAll(again, i -> i);
    new SplitMix64(1).shuffle(again);
    assertThat(again).isEqualTo(a);
  }
}
