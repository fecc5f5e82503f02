package dev.fusebox.spark;

import dev.fusebox.Target;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.data.Standardizer;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.TaskCompletionListener;

/**
 * Scores one partition in blocks: up to {@code block} rows are gathered into one array, standardised as
 * the model file says, run through one forward pass of the task's own program (valid rows set to the
 * block's length, so a short last block costs its rows only), and written back as each row's output
 * columns. The program is made when the task starts and closed when it ends.
 */
final class BlockScorer implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;

  /** Where a feature comes from: a vector column, or one numeric column per feature. */
  record Features(int vectorColumn, String vectorName, int[] columns, String[] names, Kind[] kinds) implements Serializable {
    private static final long serialVersionUID = 1L;

    static Features vector(int column, String name) {
      return new Features(column, name, new int[0], new String[0], new Kind[0]);
    }

    static Features named(int[] columns, String[] names, DataType[] types) {
      Kind[] kinds = new Kind[types.length];
      for (int i = 0; i < types.length; i++) kinds[i] = Kind.of(types[i]);
      return new Features(-1, null, columns, names, kinds);
    }
  }

  /** How a numeric column's value becomes a float, as Spark's cast to float does it. */
  enum Kind {
    FLOAT, DOUBLE, LONG, INT, SHORT, BYTE, DECIMAL;

    static Kind of(DataType t) {
      if (t.equals(DataTypes.FloatType)) return FLOAT;
      if (t.equals(DataTypes.DoubleType)) return DOUBLE;
      if (t.equals(DataTypes.LongType)) return LONG;
      if (t.equals(DataTypes.IntegerType)) return INT;
      if (t.equals(DataTypes.ShortType)) return SHORT;
      if (t.equals(DataTypes.ByteType)) return BYTE;
      if (t instanceof DecimalType) return DECIMAL;
      return null;
    }

    float read(Row row, int i) {
      return switch (this) {
        case FLOAT -> row.getFloat(i);
        case DOUBLE -> (float) row.getDouble(i);
        case LONG -> (float) row.getLong(i);
        case INT -> (float) row.getInt(i);
        case SHORT -> (float) row.getShort(i);
        case BYTE -> (float) row.getByte(i);
        case DECIMAL -> row.getDecimal(i).floatValue();
      };
    }
  }

  /** Which output columns to append, in this order; each flag false when its column name is empty. */
  record Outputs(boolean raw, boolean probability, boolean prediction) implements Serializable {
    private static final long serialVersionUID = 1L;

    int count() {
      return (raw ? 1 : 0) + (probability ? 1 : 0) + (prediction ? 1 : 0);
    }
  }

  private final Broadcast<ShippedModel> model;
  private final Features features;
  private final Outputs outputs;
  private final Head head;
  private final int inputs;
  private final double[] mean; // null: no standardisation (Standardizer is not serialisable: its numbers travel)
  private final double[] scale;
  private final Target.Kind kind;
  private final int threads; // 0: the task's cores
  private final int block;
  private final CollectionAccumulator<String> notices;

  BlockScorer(Broadcast<ShippedModel> model, Features features, Outputs outputs, Head head, int inputs,
      Optional<Standardizer> standardizer, Target.Kind kind, int threads, int block, CollectionAccumulator<String> notices) {
    this.model = model;
    this.features = features;
    this.outputs = outputs;
    this.head = head;
    this.inputs = inputs;
    this.mean = standardizer.map(Standardizer::mean).orElse(null);
    this.scale = standardizer.map(Standardizer::scale).orElse(null);
    this.kind = kind;
    this.threads = threads;
    this.block = block;
    this.notices = notices;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    if (!rows.hasNext()) return rows;
    TaskContext task = TaskContext.get();
    // A task's kernels may use the cores Spark gave it (spark.task.cpus), unless the threads were set.
    Target t = new Target(kind, threads > 0 ? threads : task == null ? 1 : Math.max(1, task.cpus()));
    Program program = model.value().program(block, ExecutorTarget.resolve(t, notices::add));
    if (task != null) task.addTaskCompletionListener((TaskCompletionListener) c -> program.close());
    return new Blocks(rows, program, mean == null ? null : Standardizer.of(mean, scale));
  }

  /** The output rows, a block at a time. */
  private final class Blocks implements Iterator<Row> {
    private final Iterator<Row> in;
    private final Program program;
    private final Standardizer standardizer;
    private final float[] x;
    private final List<Row> pending = new ArrayList<>();
    private final double[] probabilities;
    private Row[] out = new Row[0];
    private int next;

    Blocks(Iterator<Row> in, Program program, Standardizer standardizer) {
      this.in = in;
      this.program = program;
      this.standardizer = standardizer;
      this.x = new float[block * inputs];
      int width = program.shape("prediction").length == 1 ? 1 : program.shape("prediction")[1];
      this.probabilities = new double[width];
    }

    @Override
    public boolean hasNext() {
      if (next < out.length) return true;
      if (!in.hasNext()) {
        if (TaskContext.get() == null) program.close(); // outside Spark (a test calling the function), nothing else will
        return false;
      }
      score();
      return true;
    }

    @Override
    public Row next() {
      if (!hasNext()) throw new NoSuchElementException();
      Row r = out[next];
      out[next++] = null;
      return r;
    }

    private void score() {
      pending.clear();
      while (pending.size() < block && in.hasNext()) {
        Row row = in.next();
        read(row, pending.size());
        pending.add(row);
      }
      int n = pending.size();
      // The model file's standardisation, by the code fusebox predict applies it with (rows past n are not scored).
      program.setInput("x", standardizer == null ? x : standardizer.apply(Dataset.ofFeatures(x, inputs)).features());
      program.setValidRows(n);
      program.forward();
      float[] prediction = program.read("prediction");
      int width = probabilities.length;
      out = new Row[n];
      next = 0;
      for (int r = 0; r < n; r++) out[r] = append(pending.get(r), prediction, r * width, width);
    }

    private void read(Row row, int r) {
      int offset = r * inputs;
      if (features.vectorColumn() >= 0) {
        if (row.isNullAt(features.vectorColumn())) throw nullValue(features.vectorName());
        Vector v = (Vector) row.get(features.vectorColumn());
        if (v.size() != inputs) {
          throw new IllegalArgumentException("fusebox: column '" + features.vectorName() + "' holds a vector of " + v.size()
              + " values, but the model takes " + inputs + " inputs");
        }
        double[] values = v instanceof DenseVector d ? d.values() : v.toArray();
        for (int i = 0; i < inputs; i++) x[offset + i] = (float) values[i];
        return;
      }
      int[] columns = features.columns();
      for (int i = 0; i < columns.length; i++) {
        if (row.isNullAt(columns[i])) throw nullValue(features.names()[i]);
        x[offset + i] = features.kinds()[i].read(row, columns[i]);
      }
    }

    private Row append(Row row, float[] p, int offset, int width) {
      int base = row.length();
      Object[] values = new Object[base + outputs.count()];
      for (int i = 0; i < base; i++) values[i] = row.get(i);
      int k = base;
      switch (head) {
        case CLASS_PROBABILITIES -> {
          int best = Head.softmax(p, offset, width, probabilities);
          if (outputs.raw()) {
            double[] raw = new double[width];
            for (int c = 0; c < width; c++) raw[c] = p[offset + c];
            values[k++] = Vectors.dense(raw);
          }
          if (outputs.probability()) values[k++] = Vectors.dense(probabilities.clone());
          if (outputs.prediction()) values[k++] = (double) best;
        }
        case BINARY_PROBABILITY -> {
          double z = p[offset];
          double one = Head.sigmoid(z);
          if (outputs.raw()) values[k++] = Vectors.dense(-z, z);
          if (outputs.probability()) values[k++] = Vectors.dense(1 - one, one);
          if (outputs.prediction()) values[k++] = z > 0 ? 1.0 : 0.0;
        }
        case VALUES -> {
          if (outputs.prediction()) {
            if (width == 1) {
              values[k++] = (double) p[offset];
            } else {
              double[] v = new double[width];
              for (int c = 0; c < width; c++) v[c] = p[offset + c];
              values[k++] = Vectors.dense(v);
            }
          }
        }
      }
      return RowFactory.create(values);
    }
  }

  private static IllegalArgumentException nullValue(String column) {
    return new IllegalArgumentException("fusebox: column '" + column + "' is null in a row to score; drop or fill such rows "
        + "first (Dataset.na().drop() or na().fill())");
  }
}
