package dev.fusebox.runtime.init;

import dev.fusebox.runtime.SplitMix64;

/**
 * Fills a parameter's initial values. Implementations are deterministic: the same shape and random
 * stream give bit-identical values on every JVM (normal samples use Box–Muller on {@link StrictMath}).
 *
 * <p>Fan-in and fan-out follow PyTorch: for a weight shaped {@code [out, in]} fan-in is {@code in}
 * and fan-out is {@code out}; a vector of length n has fan-in and fan-out n; a scalar has 1.
 */
public interface Initializer {

  /** {@return the stable name, as spec files use it ({@code he_uniform}, {@code constant(0.5)}, ...), which {@link Initializers#byName} takes} */
  String name();

  /**
   * Fills the first {@code product(shape)} values of {@code out} (row-major) from {@code rng}; the
   * array may be longer (generated vector code pads its arrays) and the rest is left alone.
   *
   * @param out the parameter's array, at least {@code product(shape)} long
   * @param shape the parameter's shape, {@code [out, in]} for a weight, {@code [n]} for a bias
   * @param rng the random stream, advanced by the values drawn
   */
  void fill(float[] out, int[] shape, SplitMix64 rng);

  /**
   * {@return the fan-in of a parameter of this shape, as PyTorch computes it}
   *
   * @param shape the shape; {@code [out, in]} for a weight
   */
  static int fanIn(int[] shape) {
    return shape.length == 0 ? 1 : shape.length == 1 ? shape[0] : shape[1];
  }

  /**
   * {@return the fan-out of a parameter of this shape, as PyTorch computes it}
   *
   * @param shape the shape; {@code [out, in]} for a weight
   */
  static int fanOut(int[] shape) {
    return shape.length == 0 ? 1 : shape[0];
  }
}
