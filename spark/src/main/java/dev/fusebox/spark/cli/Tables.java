package dev.fusebox.spark.cli;

import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import dev.fusebox.spark.SparkData;
import java.io.IOException;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;

/** Writing a table as the commands do: to a temporary beside the output, then renamed over it. */
final class Tables {
  private Tables() {}

  /**
   * Writes {@code table} to {@code out} in the format its extension names (CSV with a header line in each
   * part, or Parquet); an old {@code out} is replaced only once the new one is complete.
   *
   * @return the rows written
   */
  static long write(Dataset<Row> table, String out) throws IOException {
    SparkData.Format format = SparkData.Format.of(out);
    Path target = new Path(out);
    FileSystem fs = target.getFileSystem(table.sparkSession().sparkContext().hadoopConfiguration());
    target = fs.makeQualified(target);
    if (fs.exists(target) && fs.getFileStatus(target).isFile()) {
      throw new IOException(out + ": is a file; Spark writes a table as a directory of parts: remove it or name another --out");
    }
    String stem = target.getName().substring(0, Math.min(target.getName().length(), 40));
    Path temp = new Path(target.getParent(), "." + stem + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
    // Counted as the rows go by, not by a second job.
    Observation rows = new Observation("fusebox_rows_written");
    try {
      var writer = table.observe(rows, count(lit(1)).as("rows")).write().mode(SaveMode.ErrorIfExists);
      switch (format) {
        case CSV -> writer.option("header", true).csv(temp.toString());
        case PARQUET -> writer.parquet(temp.toString());
      }
      Path old = new Path(target.getParent(), "." + stem + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".old");
      boolean replacing = fs.exists(target);
      if (replacing && !fs.rename(target, old)) throw new IOException(out + ": cannot move the old table aside to replace it");
      if (!fs.rename(temp, target)) throw new IOException(out + ": cannot rename the new table into place");
      if (replacing) fs.delete(old, true);
      try {
        return ((Number) rows.getAsJava().get("rows")).longValue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(out + ": interrupted while counting the rows written", e);
      }
    } finally {
      if (fs.exists(temp)) fs.delete(temp, true);
    }
  }
}
