package dev.fusebox.model;

import dev.fusebox.runtime.FloatTensor;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * A model's predictions for any number of rows, in the order of the rows given: for a classifier each
 * row's predicted class and class probabilities, for regression each row's output values. Immutable;
 * equal to another when every value is bitwise equal. {@link Predictor} makes them.
 *
 * <p>Classes and probabilities are what {@code fusebox predict} writes: softmax of the logits
 * (computed in double, then rounded to float) and the largest logit, the first on a tie; for a binary
 * model ({@code binary_cross_entropy}), the logistic of the logit as the probability of class 1, and
 * class 1 where the logit is positive.
 */
public final class Predictions implements Iterable<Prediction> {

  /** What a model's outputs mean, as its spec's loss reads them. */
  public enum Kind {
    /** Softmax probabilities of {@code k >= 2} classes ({@code softmax_cross_entropy}). */
    CLASSES,
    /** The probability of class 1, the logistic of one logit ({@code binary_cross_entropy}). */
    BINARY,
    /** The outputs as they are: regression ({@code mse}, {@code half_mse}). */
    VALUES
  }

  /** Rows shown by {@link #toString()}. */
  private static final int SHOWN = 8;

  private final Kind kind;
  private final int rows;
  private final int width;
  private final float[] values;
  private final int[] classes;

  /**
   * Takes ownership of the arrays: {@code values} holds {@code width} values per row (class
   * probabilities, the probability of class 1 for a binary model, or outputs); {@code classes} the
   * predicted classes, null for values.
   */
  Predictions(Kind kind, int rows, int width, float[] values, int[] classes) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.rows = rows;
    this.width = width;
    this.values = values;
    this.classes = classes;
    if (values.length != (long) rows * width || (classes == null) != (kind == Kind.VALUES) || classes != null && classes.length != rows) {
      throw new IllegalArgumentException(kind + " predictions of " + rows + " rows × " + width + " from " + values.length + " values");
    }
  }

  /** {@return what the predictions hold: classes and probabilities, or values} */
  public Kind kind() {
    return kind;
  }

  /** {@return the number of rows predicted} */
  public int rows() {
    return rows;
  }

  /** {@return the number of classes: {@code k} for a softmax classifier, 2 for a binary one, 0 for regression} */
  public int classCount() {
    return switch (kind) {
      case CLASSES -> width;
      case BINARY -> 2;
      case VALUES -> 0;
    };
  }

  /** {@return the number of output values per row of a regression model; the classes for a classifier} */
  public int outputs() {
    return kind == Kind.VALUES ? width : classCount();
  }

  /**
   * The predicted class of {@code row}.
   *
   * @param row a row, in {@code [0, rows())}
   * @return the row's most probable class (the lowest on a tie)
   * @throws IllegalStateException for a regression model, whose predictions have no class
   */
  public int predictedClass(int row) {
    requireClasses(kind);
    return classes[Objects.checkIndex(row, rows)];
  }

  /** {@return every row's predicted class, a copy} */
  public int[] predictedClasses() {
    requireClasses(kind);
    return classes.clone();
  }

  /**
   * The probability of class {@code c} in {@code row}; for a binary model, class 0's is {@code 1 - p}
   * with {@code p} class 1's.
   *
   * @param row a row, in {@code [0, rows())}
   * @param c a class, in {@code [0, classCount())}
   * @return class {@code c}'s probability in that row
   * @throws IllegalStateException for a regression model
   */
  public float probability(int row, int c) {
    requireClasses(kind);
    Objects.checkIndex(row, rows);
    Objects.checkIndex(c, classCount());
    if (kind == Kind.BINARY) return c == 1 ? values[row] : 1 - values[row];
    return values[row * width + c];
  }

  /**
   * Every class's probability in {@code row}, a new array of {@link #classCount()}.
   *
   * @param row a row, in {@code [0, rows())}
   * @return that row's probabilities, a copy
   */
  public float[] probabilities(int row) {
    requireClasses(kind);
    Objects.checkIndex(row, rows);
    if (kind == Kind.BINARY) return new float[] {1 - values[row], values[row]};
    return Arrays.copyOfRange(values, row * width, row * width + width);
  }

  /**
   * Output {@code column} of {@code row}.
   *
   * @param row a row, in {@code [0, rows())}
   * @param column an output, in {@code [0, outputs())}
   * @return output {@code column}'s value in that row
   * @throws IllegalStateException for a classifier, whose outputs are read as probabilities
   */
  public float value(int row, int column) {
    requireValues(kind);
    Objects.checkIndex(row, rows);
    return values[row * width + Objects.checkIndex(column, width)];
  }

  /**
   * The outputs of {@code row}, a new array.
   *
   * @param row a row, in {@code [0, rows())}
   * @return that row's outputs, a copy
   */
  public float[] values(int row) {
    requireValues(kind);
    Objects.checkIndex(row, rows);
    return Arrays.copyOfRange(values, row * width, row * width + width);
  }

  /**
   * Everything as one tensor, a copy: {@code [rows, classCount()]} probabilities for a softmax
   * classifier, {@code [rows, 1]} probabilities of class 1 for a binary one, {@code [rows, outputs()]}
   * values for regression.
   *
   * @return every value, rows × outputs (a copy)
   */
  public FloatTensor toTensor() {
    return new FloatTensor(new int[] {rows, width}, values.clone());
  }

  /**
   * Row {@code row} alone.
   *
   * @param row a row, in {@code [0, rows())}
   * @return that row's prediction
   */
  public Prediction row(int row) {
    Objects.checkIndex(row, rows);
    return switch (kind) {
      case VALUES -> new Prediction(kind, -1, values(row));
      case CLASSES, BINARY -> new Prediction(kind, classes[row], probabilities(row));
    };
  }

  /** The rows in order, each as a {@link Prediction}. */
  @Override
  public Iterator<Prediction> iterator() {
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < rows;
      }

      @Override
      public Prediction next() {
        if (next >= rows) throw new NoSuchElementException("all " + rows + " rows were read");
        return row(next++);
      }
    };
  }

  static void requireClasses(Kind kind) {
    if (kind == Kind.VALUES) {
      throw new IllegalStateException("a regression model's predictions have no classes or probabilities: read its values");
    }
  }

  static void requireValues(Kind kind) {
    if (kind != Kind.VALUES) {
      throw new IllegalStateException("a classifier's predictions are classes and probabilities: read probability or predictedClass");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Predictions p && kind == p.kind && rows == p.rows && width == p.width && Arrays.equals(values, p.values)
        && Arrays.equals(classes, p.classes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, rows, width) * 31 + Arrays.hashCode(values);
  }

  /**
   * The size and the first rows: {@code Predictions[150 rows, 3 classes: 0 (0.998), 2 (0.871), ...]},
   * each row's class and its probability; {@code Predictions[40 rows, 1 value: [3.25], [1.5], ...]}.
   */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("Predictions[").append(rows).append(rows == 1 ? " row, " : " rows, ");
    if (kind == Kind.VALUES) b.append(width).append(width == 1 ? " value" : " values");
    else b.append(classCount()).append(" classes");
    for (int r = 0; r < Math.min(rows, SHOWN); r++) {
      b.append(r == 0 ? ": " : ", ");
      if (kind == Kind.VALUES) b.append(Arrays.toString(values(r)));
      else b.append(classes[r]).append(" (").append(probability(r, classes[r])).append(')');
    }
    if (rows > SHOWN) b.append(", ... ").append(rows - SHOWN).append(" more");
    return b.append(']').toString();
  }
}
