package dev.fusebox.runtime.train;

import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Batcher;
import dev.fusebox.runtime.data.Dataset;
import java.util.Arrays;
import java.util.Objects;

/**
 * Scores a program on a data set, or collects its predictions, by running {@link Program#forward()}
 * on the data's batches in file order. Inference changes no parameter, so evaluating between epochs
 * does not disturb training.
 *
 * <p>Reads two outputs: {@code loss}, the mean loss over a batch's valid rows, and {@code prediction},
 * the model's output with one row per example ({@code [batch, width]}, or {@code [batch]} for one
 * column). For class labels a prediction row's largest entry is the predicted class (the first, on a
 * tie); a single column with two classes is a logit, and a value above 0 predicts class 1. For
 * regression targets the prediction's columns are compared with the targets'.
 *
 * <p>Leaves the program's inputs holding the last batch and its valid rows at the full batch.
 */
public final class Evaluator {
  static final String LOSS = "loss";
  static final String PREDICTION = "prediction";

  private final Program program;

  private Evaluator(Program program) {
    this.program = Objects.requireNonNull(program, "program");
  }

  /**
   * {@return an evaluator of {@code program}}, which it runs; like the program, not thread-safe
   *
   * @param program a program with {@code loss} and {@code prediction} outputs ({@code loss} only for {@link #evaluate})
   */
  public static Evaluator of(Program program) {
    return new Evaluator(program);
  }

  /**
   * The loss and, for class labels, the accuracy or, for targets, MAE and RMSE over every row of
   * {@code data}, which must have the labels or targets the program's loss needs.
   *
   * @param data at least one row, with the program's feature count and the labels or targets it takes
   * @return the loss (the mean per row) and the accuracy, or MAE and RMSE
   * @throws IllegalArgumentException if the data has no rows or no labels or targets, or does not fit the
   *     program's inputs or {@code prediction} output, saying what differs
   */
  public Metrics evaluate(Dataset data) {
    Objects.requireNonNull(data, "data");
    if (data.rows() == 0) throw new IllegalArgumentException("cannot score the data set " + data + ": it has no rows");
    InputBinding binding = check(data, "data set");
    Dataset fed = binding.data();
    int width = predictionWidth();
    Batcher batches = Batcher.inOrder(fed, program.batchSize());
    double lossSum = 0;
    long correct = 0;
    double absSum = 0;
    double squareSum = 0;
    int t = fed.targetCount();
    try {
      while (batches.next()) {
        binding.load(batches, program);
        program.forward();
        int rows = batches.validRows();
        lossSum += (double) program.read(LOSS)[0] * rows;
        float[] prediction = program.read(PREDICTION);
        if (fed.hasLabels()) {
          int[] labels = batches.labels();
          for (int r = 0; r < rows; r++) {
            if (predictedClass(prediction, r, width) == labels[r]) correct++;
          }
        } else {
          float[] targets = batches.targets();
          for (int i = 0; i < rows * t; i++) {
            double error = (double) prediction[i] - targets[i];
            absSum += Math.abs(error);
            squareSum += error * error;
          }
        }
      }
    } finally {
      program.setValidRows(program.batchSize());
    }
    long rows = fed.rows();
    double loss = lossSum / rows;
    if (fed.hasLabels()) return Metrics.classification(rows, loss, (double) correct / rows);
    long values = rows * t;
    return Metrics.regression(rows, loss, absSum / values, Math.sqrt(squareSum / values));
  }

  /**
   * Checks, without running anything, that {@link #evaluate} can score {@code data}; {@code role} names
   * the data in messages.
   */
  InputBinding check(Dataset data, String role) {
    if (!data.hasLabels() && !data.hasTargets()) {
      throw new IllegalArgumentException("cannot score the " + role + " " + data + ": it has no labels or targets; "
          + "use predict for unlabelled data");
    }
    InputBinding binding = InputBinding.supervised(program, data, role);
    checkPredictionFits(predictionWidth(), binding.data());
    return binding;
  }

  /**
   * The program's predictions for every row of {@code data}, {@code [rows, width]}: the valid rows of
   * each batch's {@code prediction}, in file order. Labels and targets, if any, are not needed or used.
   *
   * @param data rows with the program's feature count (none gives {@code [0, width]})
   * @return the predictions, {@code [rows, width]}
   * @throws IllegalArgumentException if the data does not fit the program's features input or
   *     {@code prediction} is not one row per example
   */
  public FloatTensor predict(Dataset data) {
    Objects.requireNonNull(data, "data");
    InputBinding binding = InputBinding.featuresOnly(program, data, "data set");
    int width = predictionWidth();
    float[] out = new float[Math.multiplyExact(data.rows(), width)];
    if (data.rows() == 0) return new FloatTensor(new int[] {0, width}, out);
    Batcher batches = Batcher.inOrder(binding.data(), program.batchSize());
    int offset = 0;
    try {
      while (batches.next()) {
        binding.load(batches, program);
        program.forward();
        int n = batches.validRows() * width;
        System.arraycopy(program.read(PREDICTION), 0, out, offset, n);
        offset += n;
      }
    } finally {
      program.setValidRows(program.batchSize());
    }
    return new FloatTensor(new int[] {data.rows(), width}, out);
  }

  /** The class a prediction row stands for; see the class comment. */
  static int predictedClass(float[] prediction, int row, int width) {
    int base = row * width;
    if (width == 1) return prediction[base] > 0 ? 1 : 0;
    int best = 0;
    for (int c = 1; c < width; c++) {
      if (prediction[base + c] > prediction[base + best]) best = c;
    }
    return best;
  }

  private int predictionWidth() {
    int[] shape = program.shape(PREDICTION);
    if (shape.length < 1 || shape.length > 2 || shape[0] != program.batchSize()) {
      throw new IllegalArgumentException("output '" + PREDICTION + "' has shape " + Arrays.toString(shape)
          + "; expected [" + program.batchSize() + ", columns] with one row per example of the batch");
    }
    return shape.length == 1 ? 1 : shape[1];
  }

  private void checkPredictionFits(int width, Dataset data) {
    if (data.hasLabels()) {
      if (width == 1 && data.classes() > 2) {
        throw new IllegalArgumentException("output '" + PREDICTION + "' has one column, a binary logit, but the data set "
            + data + " has " + data.classes() + " classes");
      }
      if (width > 1 && width < data.classes()) {
        throw new IllegalArgumentException("output '" + PREDICTION + "' has " + width + " columns but the data set "
            + data + " has " + data.classes() + " classes");
      }
    } else if (width != data.targetCount()) {
      throw new IllegalArgumentException("output '" + PREDICTION + "' has " + width + " columns but the data set "
          + data + " has " + data.targetCount() + " targets");
    }
  }
}
