package dev.fusebox.cli;

import dev.fusebox.model.ModelSpec;
import dev.fusebox.ops.Catalogue.Scoring;
import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.train.Evaluator;
import dev.fusebox.runtime.train.Metrics;

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
    StringBuilder b = new StringBuilder(prefix).append("loss ").append(fixed(m.loss()));
    switch (spec.lossEntry().spec().scoring()) {
      case BINARY_ACCURACY ->
          b.append("  ").append(prefix).append("accuracy ").append(fixed(binaryAccuracy(evaluator.predict(data), data)));
      case ACCURACY -> b.append("  ").append(prefix).append("accuracy ").append(fixed(m.accuracy().orElse(Double.NaN)));
      case REGRESSION -> {
        b.append("  ").append(prefix).append("rmse ").append(fixed(m.rmse().orElse(Double.NaN)));
        b.append("  ").append(prefix).append("mae ").append(fixed(m.mae().orElse(Double.NaN)));
      }
    }
    return b.toString();
  }

  private static double binaryAccuracy(FloatTensor logits, Dataset data) {
    int correct = 0;
    for (int r = 0; r < data.rows(); r++) {
      if ((logits.data()[r] > 0) == (data.target(r, 0) >= 0.5f)) correct++;
    }
    return (double) correct / data.rows();
  }

  /** As the trainer's log lines print a score: see {@link Metrics#formatValue}. */
  static String fixed(double v) {
    return Metrics.formatValue(v);
  }
}
