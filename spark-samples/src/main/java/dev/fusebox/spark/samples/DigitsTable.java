package dev.fusebox.spark.samples;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.model.ModelMetadata;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.model.SavedModel;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.data.Standardizer;
import dev.fusebox.runtime.train.Trainer;
import dev.fusebox.runtime.train.TrainingResult;
import dev.fusebox.samples.SampleData;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * What the Spark samples share: the digits model as a self-describing model file, and a table of any
 * number of made-up digits to score (each row a shipped digit with every pixel moved by about ±1, kept
 * in 0..16), whose row {@code id} alone decides its pixels, so that any program can make any row again.
 */
public final class DigitsTable implements Serializable {
  private static final long serialVersionUID = 1L;
  /** The digits network as a spec: 64-128-64-10 ReLU, Adam, as the Digits sample builds it in code. */
  public static final String SPEC = "{\"input\": 64, \"layers\": [{\"units\": 128, \"activation\": \"relu\"}, {\"units\": 64, "
      + "\"activation\": \"relu\"}, {\"units\": 10}], \"loss\": \"softmax_cross_entropy\", \"optimizer\": {\"type\": \"adam\", "
      + "\"lr\": 0.001}, \"batch\": 32, \"epochs\": 20, \"seed\": 7}";
  public static final int FEATURES = 64;

  private final float[] digits;
  private final int count;
  private final long seed;

  public DigitsTable(long seed) {
    Dataset d = SampleData.digits();
    this.digits = d.features();
    this.count = d.rows();
    this.seed = seed;
  }

  /** Trains the digits model (80% of the shipped digits, standardised) and writes it as fusebox train would. */
  public static Path trainModel(Path file) throws IOException {
    ModelSpec spec = ModelSpec.parse(SPEC, "digits.json");
    Dataset.Split split = SampleData.digits().split(0.2, spec.seed());
    Standardizer standardizer = Standardizer.fit(split.train());
    Dataset train = standardizer.apply(split.train());
    try (Program program = Compiler.compile(spec.forward(), spec.optimizer(), CompileOptions.defaults()).program()) {
      TrainingResult result = Trainer.builder(program, train).batchSize(spec.batch()).seed(spec.seed()).epochs(spec.epochs())
          .schedule(spec.schedule()).quiet().build().fit();
      SavedModel.save(file, program, ModelMetadata.of(spec, train.featureNames(), Optional.of("label"), Optional.of(standardizer)),
          result.state());
    }
    return file;
  }

  /** The pixels of row {@code id}, into {@code dst} at {@code offset}. */
  public void features(long id, float[] dst, int offset) {
    SplittableRandom random = new SplittableRandom(seed ^ (id * 0x9E3779B97F4A7C15L));
    int source = random.nextInt(count);
    for (int i = 0; i < FEATURES; i++) {
      long pixel = Math.round(digits[source * FEATURES + i] + random.nextGaussian());
      dst[offset + i] = Math.max(0, Math.min(16, pixel));
    }
  }

  /** The table's schema: {@code id}, then the pixels {@code p0..p63} as floats. */
  public static StructType schema() {
    StructType s = new StructType().add("id", DataTypes.LongType, false);
    for (int i = 0; i < FEATURES; i++) s = s.add("p" + i, DataTypes.FloatType, false);
    return s;
  }

  /** Writes {@code rows} rows as Parquet, in {@code partitions} parts made in parallel. */
  public void writeParquet(SparkSession spark, String path, long rows, int partitions) {
    MapPartitionsFunction<Long, Row> make = ids -> new Iterator<>() {
      private final float[] x = new float[FEATURES];

      @Override
      public boolean hasNext() {
        return ids.hasNext();
      }

      @Override
      public Row next() {
        long id = ids.next();
        features(id, x, 0);
        Object[] values = new Object[FEATURES + 1];
        values[0] = id;
        for (int i = 0; i < FEATURES; i++) values[i + 1] = x[i];
        return RowFactory.create(values);
      }
    };
    spark.range(0, rows, 1, partitions).mapPartitions(make, Encoders.row(schema())).write().mode("overwrite").parquet(path);
  }

  /** The column names {@code p0..p63}. */
  public static List<String> columns() {
    List<String> c = new ArrayList<>();
    for (int i = 0; i < FEATURES; i++) c.add("p" + i);
    return c;
  }
}
