package dev.fusebox.runtime;

import java.nio.charset.StandardCharsets;

/**
 * Deterministic seed derivation and counter-based random numbers. Counter-based means a value depends
 * only on (seed, step, index), never on call order, so interpreted, compiled and multi-threaded runs
 * draw the same dropout masks.
 */
public final class Seeds {
  private Seeds() {}

  private static long mix(long z) {
    return SplitMix64.mix(z);
  }

  /** The seed of a named parameter of a model seeded with {@code seed}: independent of declaration order. */
  public static long forName(long seed, String name) {
    long h = 0xcbf29ce484222325L; // FNV-1a over the UTF-8 name
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return mix(seed ^ mix(h));
  }

  /** A uniform double in [0, 1) determined by (seed, step, index) alone. */
  public static double uniform(long seed, long step, long index) {
    long z = mix(seed + 0x9e3779b97f4a7c15L * (step + 1));
    z = mix(z + 0x9e3779b97f4a7c15L * (index + 1));
    return (z >>> 11) * 0x1.0p-53;
  }
}
