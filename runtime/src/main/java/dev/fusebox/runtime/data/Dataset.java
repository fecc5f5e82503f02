package dev.fusebox.runtime.data;

import dev.fusebox.runtime.SplitMix64;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An immutable table of examples: {@code rows × featureCount} float features, row-major, and either
 * integer class labels, or {@code rows × targetCount} float targets, or neither (data to predict on).
 * Every factory copies its arrays; derived data sets share what they do not change.
 *
 * <p>Features are named after the CSV header or {@code x0, x1, ...}; {@link #labelNames()} names the
 * label column, or the target columns ({@code y}, or {@code y0, y1, ...} for several).
 */
public final class Dataset {
  private final int rows;
  private final int featureCount;
  private final float[] features;
  private final List<String> featureNames;
  private final int[] labels; // null unless class labels
  private final int classes; // 0 unless class labels
  private final float[] targets; // null unless targets
  private final int targetCount; // 0 unless targets
  private final List<String> labelNames;

  /**
   * A train/validation partition.
   *
   * @param train the rows to train on
   * @param valid the rows held out
   */
  public record Split(Dataset train, Dataset valid) {}

  /** Takes ownership of the arrays; exactly one of labels and targets may be non-null. */
  Dataset(int rows, float[] features, List<String> featureNames, int[] labels, int classes, float[] targets,
      List<String> labelNames) {
    this.rows = rows;
    this.featureCount = featureNames.size();
    this.features = features;
    this.featureNames = List.copyOf(featureNames);
    this.labels = labels;
    this.classes = labels == null ? 0 : classes;
    this.targets = targets;
    this.targetCount = targets == null ? 0 : labelNames.size();
    this.labelNames = List.copyOf(labelNames);
    if (featureCount < 1) throw new IllegalArgumentException("a data set needs at least one feature");
    if (labels != null && targets != null) throw new IllegalArgumentException("class labels or targets, not both");
    check(features.length == (long) rows * featureCount, "features hold %d values, not %d rows × %d features",
        features.length, rows, featureCount);
    if (labels != null) {
      check(labels.length == rows, "%d labels for %d rows", labels.length, rows);
      check(labelNames.size() == 1, "class labels have one name, not %s", labelNames);
      check(classes >= 1, "the class count must be positive, not %d", classes);
      for (int r = 0; r < rows; r++) {
        check(labels[r] >= 0 && labels[r] < classes, "label %d of row %d is not in [0, %d)", labels[r], r, classes);
      }
    } else if (targets != null) {
      check(targetCount >= 1, "targets need at least one column");
      check(targets.length == (long) rows * targetCount, "targets hold %d values, not %d rows × %d targets",
          targets.length, rows, targetCount);
    } else {
      check(labelNames.isEmpty(), "label names %s given for data without labels", labelNames);
    }
  }

  /**
   * {@return unlabelled data, features named {@code x0, x1, ...}}
   *
   * @param features one array per row, at least one, all of the same length
   * @throws IllegalArgumentException if there are no rows or they differ in length
   */
  public static Dataset ofFeatures(float[][] features) {
    return new Dataset(features.length, flatten(features, "features"), featureNames(width(features)), null, 0, null,
        List.of());
  }

  /**
   * {@return class-labelled data, features named {@code x0, x1, ...} and the label {@code y}}
   *
   * @param features one array per row, at least one, all of the same length
   * @param labels one per row, each in {@code [0, classes)}
   * @param classes the class count, 1 or more
   * @throws IllegalArgumentException if the shapes disagree or a label is out of range
   */
  public static Dataset ofClasses(float[][] features, int[] labels, int classes) {
    return new Dataset(features.length, flatten(features, "features"), featureNames(width(features)),
        labels.clone(), classes, null, List.of("y"));
  }

  /**
   * {@return data with float targets, named {@code y} or {@code y0, y1, ...}}
   *
   * @param features one array per row, at least one, all of the same length
   * @param targets one array per row, all of the same length
   * @throws IllegalArgumentException if the shapes disagree
   */
  public static Dataset ofTargets(float[][] features, float[][] targets) {
    check(targets.length == features.length, "%d target rows for %d feature rows", targets.length, features.length);
    return new Dataset(features.length, flatten(features, "features"), featureNames(width(features)), null, 0,
        flatten(targets, "targets"), targetNames(width(targets)));
  }

  /**
   * {@return unlabelled data from row-major features}
   *
   * @param features {@code rows × featureCount} values
   * @param featureCount values per row, 1 or more
   * @throws IllegalArgumentException if the arrays do not have these shapes
   */
  public static Dataset ofFeatures(float[] features, int featureCount) {
    return new Dataset(wholeRows(features, featureCount, "feature"), features.clone(), featureNames(featureCount),
        null, 0, null, List.of());
  }

  /**
   * {@return class-labelled data from row-major features}
   *
   * @param features {@code rows × featureCount} values
   * @param featureCount values per row, 1 or more
   * @param labels one per row, each in {@code [0, classes)}; their count is the row count
   * @param classes the class count, 1 or more
   * @throws IllegalArgumentException if the shapes disagree or a label is out of range
   */
  public static Dataset ofClasses(float[] features, int featureCount, int[] labels, int classes) {
    return new Dataset(labels.length, features.clone(), featureNames(featureCount), labels.clone(), classes, null,
        List.of("y"));
  }

  /**
   * {@return data with float targets, both row-major}
   *
   * @param features {@code rows × featureCount} values
   * @param featureCount values per row, 1 or more
   * @param targets {@code rows × targetCount} values
   * @param targetCount targets per row, 1 or more
   * @throws IllegalArgumentException if the arrays do not have these shapes
   */
  public static Dataset ofTargets(float[] features, int featureCount, float[] targets, int targetCount) {
    return new Dataset(wholeRows(targets, targetCount, "target"), features.clone(), featureNames(featureCount), null,
        0, targets.clone(), targetNames(targetCount));
  }

  /**
   * {@return the same data with other names}
   *
   * @param featureNames one per feature
   * @param labelNames one per label or target column (none for unlabelled data)
   * @throws IllegalArgumentException if a count is wrong
   */
  public Dataset withNames(List<String> featureNames, List<String> labelNames) {
    check(featureNames.size() == featureCount, "%d feature names for %d features", featureNames.size(), featureCount);
    check(labelNames.size() == this.labelNames.size(), "%d label names for %d label columns", labelNames.size(),
        this.labelNames.size());
    return new Dataset(rows, features, featureNames, labels, classes, targets, labelNames);
  }

  /**
   * The same rows with the named feature columns alone, in the given order: a model's inputs picked by
   * name from data that may have them in another order or have more columns.
   *
   * @param names feature columns of this data
   * @return this data if {@code names} are its features in order, else the selected columns
   * @throws IllegalArgumentException naming a column the data does not have as a feature
   */
  public Dataset selectFeatures(List<String> names) {
    int[] index = new int[names.size()];
    for (int i = 0; i < index.length; i++) {
      index[i] = featureNames.indexOf(names.get(i));
      if (index[i] < 0) throw new IllegalArgumentException("no feature column '" + names.get(i) + "'; the features are " + featureNames);
    }
    if (List.copyOf(names).equals(featureNames)) return this;
    float[] selected = new float[Math.multiplyExact(rows, index.length)];
    for (int r = 0; r < rows; r++) {
      for (int i = 0; i < index.length; i++) selected[r * index.length + i] = features[r * featureCount + index[i]];
    }
    return new Dataset(rows, selected, names, labels, classes, targets, labelNames);
  }

  /**
   * The same data with a larger class count, for a data set that happens to lack the highest classes
   * (a small sample, a validation split) but must match a model's output width.
   *
   * @param classes the class count, more than every label
   * @return the same rows with that class count
   * @throws IllegalStateException if the data has no class labels
   * @throws IllegalArgumentException if a label is not below {@code classes}
   */
  public Dataset withClasses(int classes) {
    if (labels == null) throw new IllegalStateException("data set has no class labels");
    return new Dataset(rows, features, featureNames, labels, classes, null, labelNames);
  }

  /** The same rows with new feature values of the same shape; takes ownership of the array. */
  Dataset withFeatures(float[] newFeatures) {
    return new Dataset(rows, newFeatures, featureNames, labels, classes, targets, labelNames);
  }

  /** The features themselves, for this package's readers of large data: callers must not modify them. */
  float[] sharedFeatures() {
    return features;
  }

  /** {@return the number of rows} */
  public int rows() {
    return rows;
  }

  /** {@return the number of features per row} */
  public int featureCount() {
    return featureCount;
  }

  /** {@return whether the data has integer class labels} */
  public boolean hasLabels() {
    return labels != null;
  }

  /** {@return whether the data has float targets} */
  public boolean hasTargets() {
    return targets != null;
  }

  /** {@return the number of classes; 0 without class labels} */
  public int classes() {
    return classes;
  }

  /** {@return the number of target columns; 0 without targets} */
  public int targetCount() {
    return targetCount;
  }

  /** {@return the features' names, in column order} */
  public List<String> featureNames() {
    return featureNames;
  }

  /** {@return the label column's name, or the target columns' names; empty for unlabelled data} */
  public List<String> labelNames() {
    return labelNames;
  }

  /**
   * {@return one feature value}
   *
   * @param row in {@code [0, rows())}
   * @param column in {@code [0, featureCount())}
   * @throws IndexOutOfBoundsException if either is out of range
   */
  public float feature(int row, int column) {
    Objects.checkIndex(column, featureCount);
    return features[Objects.checkIndex(row, rows) * featureCount + column];
  }

  /**
   * {@return the class label of a row}
   *
   * @param row in {@code [0, rows())}
   * @throws IllegalStateException if the data has no class labels
   * @throws IndexOutOfBoundsException if {@code row} is out of range
   */
  public int label(int row) {
    return requireLabels()[Objects.checkIndex(row, rows)];
  }

  /**
   * {@return one target value}
   *
   * @param row in {@code [0, rows())}
   * @param column in {@code [0, targetCount())}
   * @throws IllegalStateException if the data has no targets
   * @throws IndexOutOfBoundsException if either is out of range
   */
  public float target(int row, int column) {
    Objects.checkIndex(column, targetCount);
    return requireTargets()[Objects.checkIndex(row, rows) * targetCount + column];
  }

  /**
   * Copies row {@code row}'s features into {@code dst[offset .. offset + featureCount)}.
   *
   * @param row in {@code [0, rows())}
   * @param dst the array to write
   * @param offset where in {@code dst} the row starts
   * @throws IndexOutOfBoundsException if the row or the destination range is out of range
   */
  public void copyFeatures(int row, float[] dst, int offset) {
    System.arraycopy(features, Objects.checkIndex(row, rows) * featureCount, dst, offset, featureCount);
  }

  /**
   * Copies row {@code row}'s targets into {@code dst[offset .. offset + targetCount)}.
   *
   * @param row in {@code [0, rows())}
   * @param dst the array to write
   * @param offset where in {@code dst} the row starts
   * @throws IllegalStateException if the data has no targets
   * @throws IndexOutOfBoundsException if the row or the destination range is out of range
   */
  public void copyTargets(int row, float[] dst, int offset) {
    System.arraycopy(requireTargets(), Objects.checkIndex(row, rows) * targetCount, dst, offset, targetCount);
  }

  /**
   * Writes row {@code row}'s label one-hot into {@code dst[offset .. offset + classes)}.
   *
   * @param row in {@code [0, rows())}
   * @param dst the array to write
   * @param offset where in {@code dst} the row starts
   * @throws IllegalStateException if the data has no class labels
   * @throws IndexOutOfBoundsException if the row or the destination range is out of range
   */
  public void copyOneHot(int row, float[] dst, int offset) {
    int label = label(row);
    Arrays.fill(dst, offset, offset + classes, 0f);
    dst[offset + label] = 1f;
  }

  /** {@return a copy of all features, {@code rows × featureCount} row-major} */
  public float[] features() {
    return features.clone();
  }

  /**
   * {@return a copy of the class labels, one per row}
   *
   * @throws IllegalStateException if the data has no class labels
   */
  public int[] labels() {
    return requireLabels().clone();
  }

  /**
   * {@return a copy of all targets, {@code rows × targetCount} row-major}
   *
   * @throws IllegalStateException if the data has no targets
   */
  public float[] targets() {
    return requireTargets().clone();
  }

  /**
   * {@return the labels one-hot, {@code rows × classes} row-major}
   *
   * @throws IllegalStateException if the data has no class labels
   */
  public float[] oneHot() {
    requireLabels();
    float[] out = new float[Math.multiplyExact(rows, classes)];
    for (int r = 0; r < rows; r++) out[r * classes + label(r)] = 1f;
    return out;
  }

  /**
   * {@return the given rows, in the given order; a row may appear more than once}
   *
   * @param rowIndices each in {@code [0, rows())}
   * @throws IndexOutOfBoundsException if an index is out of range
   */
  public Dataset select(int[] rowIndices) {
    float[] f = new float[rowIndices.length * featureCount];
    int[] l = labels == null ? null : new int[rowIndices.length];
    float[] t = targets == null ? null : new float[rowIndices.length * targetCount];
    for (int i = 0; i < rowIndices.length; i++) {
      int r = Objects.checkIndex(rowIndices[i], rows);
      System.arraycopy(features, r * featureCount, f, i * featureCount, featureCount);
      if (l != null) l[i] = labels[r];
      if (t != null) System.arraycopy(targets, r * targetCount, t, i * targetCount, targetCount);
    }
    return new Dataset(rowIndices.length, f, featureNames, l, classes, t, labelNames);
  }

  /**
   * A random partition: {@code round(rows × validFraction)} rows, but at least one and at most
   * {@code rows - 1}, go to validation, the rest to training. Which rows go where depends only on the
   * seed; each part keeps the rows in their original order.
   *
   * @param validFraction the share of rows held out, in {@code (0, 1)}
   * @param seed what decides which rows are held out
   * @return the training and validation rows
   * @throws IllegalArgumentException if the fraction is out of range or there are fewer than 2 rows
   */
  public Split split(double validFraction, long seed) {
    check(validFraction > 0 && validFraction < 1, "the validation fraction must be in (0, 1), not %s", validFraction);
    check(rows >= 2, "cannot split %d rows into two non-empty parts", rows);
    int valid = (int) Math.min(rows - 1, Math.max(1, Math.round(rows * validFraction)));
    int[] order = new int[rows];
    for (int i = 0; i < rows; i++) order[i] = i;
    new SplitMix64(SplitMix64.derive(seed, 0)).shuffle(order);
    int[] validRows = Arrays.copyOfRange(order, 0, valid);
    int[] trainRows = Arrays.copyOfRange(order, valid, rows);
    Arrays.sort(validRows);
    Arrays.sort(trainRows);
    return new Split(select(trainRows), select(validRows));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Dataset d && rows == d.rows && classes == d.classes && featureNames.equals(d.featureNames)
        && labelNames.equals(d.labelNames) && Arrays.equals(features, d.features) && Arrays.equals(labels, d.labels)
        && Arrays.equals(targets, d.targets);
  }

  @Override
  public int hashCode() {
    return Objects.hash(rows, featureNames, labelNames, classes, Arrays.hashCode(features), Arrays.hashCode(labels),
        Arrays.hashCode(targets));
  }

  @Override
  public String toString() {
    String label = labels != null ? ", " + classes + " classes" : targets != null ? ", " + targetCount + " targets" : "";
    return "Dataset[" + rows + " rows × " + featureCount + " features" + label + "]";
  }

  private int[] requireLabels() {
    if (labels == null) throw new IllegalStateException("data set has no class labels");
    return labels;
  }

  private float[] requireTargets() {
    if (targets == null) throw new IllegalStateException("data set has no targets");
    return targets;
  }

  /** {@code x0, x1, ...}. */
  static List<String> featureNames(int count) {
    return numbered("x", count);
  }

  /** {@code y} for a single target, else {@code y0, y1, ...}. */
  static List<String> targetNames(int count) {
    return count == 1 ? List.of("y") : numbered("y", count);
  }

  private static List<String> numbered(String prefix, int count) {
    check(count >= 1, "the column count must be positive, not %d", count);
    List<String> names = new ArrayList<>(count);
    for (int i = 0; i < count; i++) names.add(prefix + i);
    return names;
  }

  private static int wholeRows(float[] values, int width, String what) {
    check(width >= 1, "the %s count must be positive, not %d", what, width);
    check(values.length % width == 0, "%d values are not whole rows of %d %ss", values.length, width, what);
    return values.length / width;
  }

  private static int width(float[][] rows) {
    check(rows.length > 0, "no rows, so the number of columns is unknown; use a row-major factory");
    return rows[0].length;
  }

  private static float[] flatten(float[][] rows, String what) {
    int width = width(rows);
    float[] flat = new float[Math.multiplyExact(rows.length, width)];
    for (int r = 0; r < rows.length; r++) {
      check(rows[r].length == width, "%s row %d has %d values, row 0 has %d", what, r, rows[r].length, width);
      System.arraycopy(rows[r], 0, flat, r * width, width);
    }
    return flat;
  }

  private static void check(boolean ok, String format, Object... args) {
    if (!ok) throw new IllegalArgumentException(String.format(format, args));
  }
}
