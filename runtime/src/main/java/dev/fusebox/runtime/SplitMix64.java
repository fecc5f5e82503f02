package dev.fusebox.runtime;

/**
 * The SplitMix64 generator, written out rather than taken from {@code java.util} so that initial
 * weights, shuffles and splits are fixed by this code alone: the same seed gives the same values on
 * every JDK, forever. It is also reseedable in place, which lets the batcher shuffle each epoch
 * without allocating.
 */
public final class SplitMix64 {
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
  private long state;

  public SplitMix64(long seed) {
    state = seed;
  }

  public void reseed(long seed) {
    state = seed;
  }

  public long nextLong() {
    return mix(state += GOLDEN_GAMMA);
  }

  /** Uniform in {@code [0, bound)}, without modulo bias. */
  public int nextInt(int bound) {
    if (bound <= 0) throw new IllegalArgumentException("bound must be positive: " + bound);
    // Rejects the last, incomplete run of `bound` values among the 2^63 non-negative longs.
    long limit = Long.MAX_VALUE - Long.MAX_VALUE % bound;
    long u;
    do {
      u = nextLong() >>> 1;
    } while (u >= limit);
    return (int) (u % bound);
  }

  /** Fisher–Yates shuffle of the whole array. */
  public void shuffle(int[] values) {
    for (int i = values.length - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      int t = values[i];
      values[i] = values[j];
      values[j] = t;
    }
  }

  /** A seed for stream {@code n} of a base seed: distinct streams give unrelated sequences. */
  public static long derive(long seed, long n) {
    return mix(mix(seed) + n);
  }

  /** Uniform in {@code [0, 1)} with 53 random bits. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Stafford's variant 13 of the MurmurHash3 finaliser, as SplitMix64 uses it: a bijection. */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
