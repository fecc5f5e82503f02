package dev.fusebox.spark;

import dev.fusebox.model.ModelSpec;
import dev.fusebox.ops.Catalogue.Prediction;

/**
 * How a model's outputs read as Spark ML's columns, by what its loss predicts (the catalogue's
 * {@link Prediction}), computed as {@code fusebox predict} computes its CSV columns so that the two
 * agree bit for bit:
 *
 * <ul>
 *   <li>class probabilities ({@code softmax_cross_entropy}): {@code rawPrediction} the logits,
 *       {@code probability} their softmax (in double, stably), {@code prediction} the largest logit's
 *       index, the first on a tie;
 *   <li>a binary probability ({@code binary_cross_entropy}, one logit z): as Spark's binary classifiers,
 *       {@code rawPrediction} [−z, z], {@code probability} [1 − σ(z), σ(z)], {@code prediction} 1 where
 *       z &gt; 0;
 *   <li>values (regression): {@code prediction} the output, or for several outputs a vector of them.
 * </ul>
 */
enum Head {
  CLASS_PROBABILITIES, BINARY_PROBABILITY, VALUES;

  static Head of(ModelSpec spec) {
    return switch (spec.lossEntry().spec().prediction()) {
      case CLASS_PROBABILITIES -> CLASS_PROBABILITIES;
      case BINARY_PROBABILITY -> BINARY_PROBABILITY;
      case VALUES -> VALUES;
    };
  }

  boolean classifier() {
    return this != VALUES;
  }

  /** Softmax of {@code logits[offset, offset + width)} into {@code into}; returns the largest logit's index. */
  static int softmax(float[] logits, int offset, int width, double[] into) {
    int best = 0;
    for (int c = 1; c < width; c++) if (logits[offset + c] > logits[offset + best]) best = c;
    double max = logits[offset + best];
    double sum = 0;
    for (int c = 0; c < width; c++) sum += into[c] = Math.exp(logits[offset + c] - max);
    for (int c = 0; c < width; c++) into[c] /= sum;
    return best;
  }

  /** σ(z), computed without overflow on either side. */
  static double sigmoid(double z) {
    return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  }
}
