package dev.fusebox.spark;

import static org.apache.spark.sql.functions.col;

import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.data.LabelKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;

/**
 * Tables in the formats batch jobs keep them in, chosen by the file's extension: {@code .csv} (a header
 * line; numbers read from their text as float, as Fusebox's own CSV reader reads them) and
 * {@code .parquet}. And a small table brought to the driver as a Fusebox {@link Dataset}, for sweeps.
 */
public final class SparkData {
  /** The table formats, by extension. */
  public enum Format {
    CSV, PARQUET;

    /** The format a path's extension names. */
    public static Format of(String path) {
      String name = path.toLowerCase(Locale.ROOT).replaceAll("/+$", "");
      if (name.endsWith(".csv")) return CSV;
      if (name.endsWith(".parquet")) return PARQUET;
      throw new IllegalArgumentException(path + ": the format is chosen by the extension, .csv or .parquet");
    }
  }

  private SparkData() {}

  /**
   * Reads a table; a CSV file's columns are text, which {@link #asFloats} turns into numbers the way
   * Fusebox's CSV reader does (Java's float parsing of the text).
   */
  public static org.apache.spark.sql.Dataset<Row> read(SparkSession spark, String path) {
    return switch (Format.of(path)) {
      case CSV -> spark.read().option("header", true).option("inferSchema", false).csv(path);
      case PARQUET -> spark.read().parquet(path);
    };
  }

  /** The table with the named columns as floats (text parsed, numbers cast), the other columns as they are. */
  public static org.apache.spark.sql.Dataset<Row> asFloats(org.apache.spark.sql.Dataset<Row> table, List<String> columns) {
    Column[] out = Arrays.stream(table.columns())
        .map(c -> columns.contains(c) ? col(quoted(c)).cast("float").as(c) : col(quoted(c))).toArray(Column[]::new);
    return table.select(out);
  }

  /**
   * A table brought to the driver as a labelled data set, as {@code fusebox train} reads a CSV file: every
   * column but the label a feature, in the table's order; the label integral class indices {@code 0..k-1}
   * ({@code classes} of them) or a float target.
   *
   * @throws IllegalArgumentException naming the column and the row at fault
   */
  public static Dataset labelled(org.apache.spark.sql.Dataset<Row> table, String label, LabelKind kind, int classes) {
    List<String> names = new ArrayList<>(Arrays.asList(table.columns()));
    if (!names.remove(label)) {
      throw new IllegalArgumentException("the data has no label column '" + label + "'; its columns are "
          + Arrays.toString(table.columns()));
    }
    for (String c : names) requireNumeric(table, c);
    requireNumeric(table, label);
    List<String> ordered = new ArrayList<>(names);
    ordered.add(label);
    List<Row> rows = asFloats(table.select(ordered.stream().map(c -> col(quoted(c))).toArray(Column[]::new)), ordered)
        .collectAsList();
    int d = names.size();
    float[] x = new float[Math.multiplyExact(rows.size(), d)];
    int[] labels = new int[rows.size()];
    float[] targets = new float[rows.size()];
    for (int r = 0; r < rows.size(); r++) {
      Row row = rows.get(r);
      for (int j = 0; j <= d; j++) {
        if (row.isNullAt(j)) {
          throw new IllegalArgumentException("column '" + ordered.get(j) + "' of row " + (r + 1) + " is null or not a number");
        }
      }
      for (int j = 0; j < d; j++) x[r * d + j] = row.getFloat(j);
      float y = row.getFloat(d);
      if (kind == LabelKind.CLASS) {
        if (y != Math.rint(y) || y < 0 || y >= classes) {
          throw new IllegalArgumentException("label column '" + label + "' of row " + (r + 1) + " is " + y + ", not a class "
              + "0.." + (classes - 1));
        }
        labels[r] = (int) y;
      } else {
        targets[r] = y;
      }
    }
    Dataset data = kind == LabelKind.CLASS ? Dataset.ofClasses(x, d, labels, classes) : Dataset.ofTargets(x, d, targets, 1);
    return data.withNames(names, List.of(label));
  }

  private static void requireNumeric(org.apache.spark.sql.Dataset<Row> table, String column) {
    DataType t = table.schema().apply(column).dataType();
    if (!t.simpleString().equals("string") && BlockScorer.Kind.of(t) == null) {
      throw new IllegalArgumentException("column '" + column + "' is " + t.simpleString() + ", not a number");
    }
  }

  /** A column name as Spark's col() takes it literally (dots and back-ticks included). */
  static String quoted(String name) {
    return "`" + name.replace("`", "``") + "`";
  }
}
