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

  /**
   * A generator; not thread-safe: give each thread its own.
   *
   * @param seed the seed; any value, 0 included
   */
  public SplitMix64(long seed) {
    state = seed;
  }

  /**
   * Starts over from {@code seed}, as a new generator would.
   *
   * @param seed the seed
   */
  public void reseed(long seed) {
    state = seed;
  }

  /** {@return the next value, uniform over all 2⁶⁴ longs} */
  public long nextLong() {
    return mix(state += GOLDEN_GAMMA);
  }

  /**
   * {@return the next value, uniform in {@code [0, bound)}, without modulo bias}
   *
   * @param bound positive
   * @throws IllegalArgumentException if {@code bound} is not positive
   */
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

  /**
   * Shuffles the whole array in place (Fisher–Yates).
   *
   * @param values the array
   */
  public void shuffle(int[] values) {
    for (int i = values.length - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      int t = values[i];
      values[i] = values[j];
      values[j] = t;
    }
  }

  /**
   * {@return a seed for stream {@code n} of a base seed: distinct streams give unrelated sequences}
   *
   * @param seed the base seed
   * @param n the stream's number
   */
  public static long derive(long seed, long n) {
    return mix(mix(seed) + n);
  }

  /** {@return the next value, uniform in {@code [0, 1)} with 53 random bits} */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /**
   * {@return Stafford's variant 13 of the MurmurHash3 finaliser of {@code z}, as SplitMix64 uses it: a bijection}
   *
   * @param z any value
   */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
