package dev.fusebox.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The machine's measured single-thread FP32 peak: independent FMA chains on
 * {@code FloatVector.SPECIES_PREFERRED}, enough of them (8 or 12) to hide the FMA latency, no memory
 * traffic. One call runs {@link #STEPS} rounds; its FLOP count is {@link #flops(int)}, which the
 * report divides by the time. The matmul benchmarks are reported as a fraction of the faster of the two.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class FmaPeakBenchmark {
  /** A static final species, so that it is intrinsified (a non-final one runs 20× slower). */
  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  /** Rounds per call. */
  public static final int STEPS = 1 << 14;

  private final float[] seed = new float[S.length() * 2];

  /** FLOPs of one call with {@code chains} accumulators: 2 per lane per FMA. */
  public static double flops(int chains) {
    return 2.0 * chains * S.length() * STEPS;
  }

  @Setup
  public void setUp() {
    for (int i = 0; i < seed.length; i++) seed[i] = 1 + i * 1e-7f;
  }

  @Benchmark
  public float fma8() {
    FloatVector x = FloatVector.fromArray(S, seed, 0);
    FloatVector y = FloatVector.fromArray(S, seed, S.length());
    FloatVector a0 = x, a1 = y, a2 = x, a3 = y, a4 = x, a5 = y, a6 = x, a7 = y;
    for (int i = 0; i < STEPS; i++) {
      a0 = a0.fma(x, y);
      a1 = a1.fma(x, y);
      a2 = a2.fma(x, y);
      a3 = a3.fma(x, y);
      a4 = a4.fma(x, y);
      a5 = a5.fma(x, y);
      a6 = a6.fma(x, y);
      a7 = a7.fma(x, y);
    }
    return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).reduceLanes(VectorOperators.ADD);
  }

  @Benchmark
  public float fma12() {
    FloatVector x = FloatVector.fromArray(S, seed, 0);
    FloatVector y = FloatVector.fromArray(S, seed, S.length());
    FloatVector a0 = x, a1 = y, a2 = x, a3 = y, a4 = x, a5 = y, a6 = x, a7 = y, a8 = x, a9 = y, a10 = x, a11 = y;
    for (int i = 0; i < STEPS; i++) {
      a0 = a0.fma(x, y);
      a1 = a1.fma(x, y);
      a2 = a2.fma(x, y);
      a3 = a3.fma(x, y);
      a4 = a4.fma(x, y);
      a5 = a5.fma(x, y);
      a6 = a6.fma(x, y);
      a7 = a7.fma(x, y);
      a8 = a8.fma(x, y);
      a9 = a9.fma(x, y);
      a10 = a10.fma(x, y);
      a11 = a11.fma(x, y);
    }
    return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
        .reduceLanes(VectorOperators.ADD);
  }
}
