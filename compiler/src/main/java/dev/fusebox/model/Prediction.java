package dev.fusebox.model;

import dev.fusebox.model.Predictions.Kind;
import java.util.Arrays;
import java.util.Objects;

/**
 * A model's prediction for one row: for a classifier, the predicted class and every class's
 * probability; for regression, the model's output values. Immutable; equal to another when kind, class
 * and every value are bitwise equal. {@link Predictor#predict(float[])} makes one, and
 * {@link Predictions#row(int)} takes one out of many.
 */
public final class Prediction {
  private final Kind kind;
  private final int predictedClass;
  private final float[] values;

  /** Takes ownership of {@code values}: class probabilities, or output values; {@code predictedClass} is -1 for values. */
  Prediction(Kind kind, int predictedClass, float[] values) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.predictedClass = predictedClass;
    this.values = values;
  }

  /** {@return what the model's outputs mean: class probabilities (of many classes or two) or values} */
  public Kind kind() {
    return kind;
  }

  /**
   * The predicted class: the most probable (the first, on a tie of the logits), or for a binary model 1
   * when its logit is positive.
   *
   * @return the most probable class (the lowest on a tie)
   * @throws IllegalStateException for a regression model, whose predictions have no class
   */
  public int predictedClass() {
    Predictions.requireClasses(kind);
    return predictedClass;
  }

  /** {@return the number of classes: {@code k} for a softmax classifier, 2 for a binary one, 0 for regression} */
  public int classCount() {
    return kind == Kind.VALUES ? 0 : values.length;
  }

  /**
   * The probability of class {@code c}.
   *
   * @param c a class, in {@code [0, classCount())}
   * @return class {@code c}'s probability
   * @throws IllegalStateException for a regression model
   * @throws IndexOutOfBoundsException unless {@code c} is in {@code [0, classCount())}
   */
  public float probability(int c) {
    Predictions.requireClasses(kind);
    return values[Objects.checkIndex(c, values.length)];
  }

  /** {@return every class's probability, a copy; for a binary model {@code [1 - p, p]} with {@code p} the probability of class 1} */
  public float[] probabilities() {
    Predictions.requireClasses(kind);
    return values.clone();
  }

  /**
   * The model's output {@code column}.
   *
   * @param column an output, in {@code [0, outputs)}
   * @return output {@code column}'s value
   * @throws IllegalStateException for a classifier, whose outputs are read as probabilities
   */
  public float value(int column) {
    Predictions.requireValues(kind);
    return values[Objects.checkIndex(column, values.length)];
  }

  /** {@return the model's outputs, a copy} */
  public float[] values() {
    Predictions.requireValues(kind);
    return values.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Prediction p && kind == p.kind && predictedClass == p.predictedClass && Arrays.equals(values, p.values);
  }

  @Override
  public int hashCode() {
    return (kind.hashCode() * 31 + predictedClass) * 31 + Arrays.hashCode(values);
  }

  /** {@code Prediction[class 2, probabilities [0.001, 0.012, 0.987]]}, or {@code Prediction[values [3.25]]}. */
  @Override
  public String toString() {
    if (kind == Kind.VALUES) return "Prediction[values " + Arrays.toString(values) + "]";
    return "Prediction[class " + predictedClass + ", probabilities " + Arrays.toString(values) + "]";
  }
}
