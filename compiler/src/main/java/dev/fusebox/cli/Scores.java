package dev.fusebox.cli;

import dev.fusebox.model.ModelSpec;
import dev.fusebox.ops.Catalogue.Scoring;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.train.Evaluator;
import dev.fusebox.runtime.train.Metrics;
import java.util.function.IntUnaryOperator;

/**
 * A model's scores on labelled data as one line of text: the loss, then what the spec's loss scores by
 * (its {@link Scoring} in the catalogue): the accuracy for a classifier (for a binary one, with the
 * logit's sign as the class and targets of 0.5 and above as class 1), or RMSE and MAE for regression.
 */
final class Scores {
  private Scores() {}

  /** For example {@code valid_loss 0.0921  valid_accuracy 0.9667} with prefix {@code valid_}. */
  static String of(ModelSpec spec, Program program, Dataset data, String prefix) {
    Evaluator evaluator = Evaluator.of(program);
    Metrics m = evaluator.evaluate(data);
    IntUnaryOperator predicted = null;
    if (spec.lossEntry().spec().scoring() == Scoring.BINARY_ACCURACY) {
      float[] logits = evaluator.predict(data).data();
      predicted = row -> logits[row] > 0 ? 1 : 0;
    }
    return of(spec, m, predicted, data, prefix);
  }

  /**
   * The same line from scores already computed and, for a binary classifier, each row's predicted class
   * (the logit's sign); {@code predictedClass} is not used otherwise.
   */
  static String of(ModelSpec spec, Metrics m, IntUnaryOperator predictedClass, Dataset data, String prefix) {
    StringBuilder b = new StringBuilder(prefix).append("loss ").append(fixed(m.loss()));
    switch (spec.lossEntry().spec().scoring()) {
      case BINARY_ACCURACY ->
          b.append("  ").append(prefix).append("accuracy ").append(fixed(binaryAccuracy(predictedClass, data)));
      case ACCURACY -> b.append("  ").append(prefix).append("accuracy ").append(fixed(m.accuracy().orElse(Double.NaN)));
      case REGRESSION -> {
        b.append("  ").append(prefix).append("rmse ").append(fixed(m.rmse().orElse(Double.NaN)));
        b.append("  ").append(prefix).append("mae ").append(fixed(m.mae().orElse(Double.NaN)));
      }
    }
    return b.toString();
  }

  private static double binaryAccuracy(IntUnaryOperator predictedClass, Dataset data) {
    int correct = 0;
    for (int r = 0; r < data.rows(); r++) {
      if ((predictedClass.applyAsInt(r) == 1) == (data.target(r, 0) >= 0.5f)) correct++;
    }
    return (double) correct / data.rows();
  }

  /** As the trainer's log lines print a score: see {@link Metrics#formatValue}. */
  static String fixed(double v) {
    return Metrics.formatValue(v);
  }
}
