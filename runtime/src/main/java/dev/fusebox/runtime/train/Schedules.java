package dev.fusebox.runtime.train;

import java.util.Locale;

/** The built-in {@link Schedule}s: immutable values whose {@code toString} reads like the factory call. */
final class Schedules {
  private Schedules() {}

  record Constant(double lr) implements Schedule {
    @Override
    public double lr(long epoch, long step) {
      checkPosition(epoch, step);
      return lr;
    }

    @Override
    public String toString() {
      return format("constant(%s)", lr);
    }
  }

  record Step(double lr, int stepSizeEpochs, double gamma) implements Schedule {
    @Override
    public double lr(long epoch, long step) {
      checkPosition(epoch, step);
      return lr * Math.pow(gamma, epoch / stepSizeEpochs);
    }

    @Override
    public String toString() {
      return format("step(%s, %s, %s)", lr, stepSizeEpochs, gamma);
    }
  }

  record Exponential(double lr, double gamma) implements Schedule {
    @Override
    public double lr(long epoch, long step) {
      checkPosition(epoch, step);
      return lr * Math.pow(gamma, epoch);
    }

    @Override
    public String toString() {
      return format("exponential(%s, %s)", lr, gamma);
    }
  }

  record Cosine(double lr, int tMaxEpochs, double etaMin) implements Schedule {
    @Override
    public double lr(long epoch, long step) {
      checkPosition(epoch, step);
      return etaMin + (lr - etaMin) * (1 + Math.cos(Math.PI * epoch / tMaxEpochs)) / 2;
    }

    @Override
    public String toString() {
      return format("cosine(%s, %s, %s)", lr, tMaxEpochs, etaMin);
    }
  }

  record Warmup(Schedule inner, int warmupSteps) implements Schedule {
    @Override
    public double lr(long epoch, long step) {
      checkPosition(epoch, step);
      double factor = step + 1 >= warmupSteps ? 1 : (step + 1) / (double) warmupSteps;
      return inner.lr(epoch, step) * factor;
    }

    @Override
    public String toString() {
      return format("warmup(%s, %s)", inner, warmupSteps);
    }
  }

  static double checkRate(double lr, String what) {
    // Written so that NaN fails too.
    if (!(lr > 0 && lr < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException(what + " must be positive and finite, not " + lr);
    }
    return lr;
  }

  static double checkGamma(double gamma) {
    if (!(gamma > 0 && gamma < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("gamma must be positive and finite, not " + gamma);
    }
    return gamma;
  }

  private static void checkPosition(long epoch, long step) {
    if (epoch < 0 || step < 0) {
      throw new IllegalArgumentException("epoch and step are 0-based and cannot be negative: epoch " + epoch
          + ", step " + step);
    }
  }

  private static String format(String pattern, Object... args) {
    return String.format(Locale.ROOT, pattern, args);
  }
}
