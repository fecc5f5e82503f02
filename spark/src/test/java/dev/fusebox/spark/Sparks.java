package dev.fusebox.spark;

import dev.fusebox.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/** The tests' Spark: one local[2] session for the whole test JVM, and the fusebox command line to compare with. */
final class Sparks {
  /** The command line's test files (iris, a small regression), shared with the compiler's tests. */
  static final Path CLI_DATA = Path.of("../compiler/src/test/resources/dev/fusebox/cli");

  private static SparkSession session;

  private Sparks() {}

  /**
   * A local[2] session. Local mode runs its executors in this JVM, which surefire starts with
   * --add-modules=jdk.incubator.vector; the executor and driver options say the same for the record,
   * as a cluster job must.
   */
  static synchronized SparkSession local() {
    if (session == null) {
      session = SparkSession.builder().master("local[2]").appName("fusebox-spark-tests")
          .config("spark.ui.enabled", "false")
          .config("spark.sql.shuffle.partitions", "4")
          .config("spark.driver.extraJavaOptions", "--add-modules=jdk.incubator.vector")
          .config("spark.executor.extraJavaOptions", "--add-modules=jdk.incubator.vector")
          .getOrCreate();
    }
    return session;
  }

  /** What {@code fusebox ARGS} printed, failing unless it exited with 0. */
  static String fusebox(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.commandLine(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
        .execute(args);
    if (code != 0) {
      throw new AssertionError("fusebox " + String.join(" ", args) + " exited with " + code + ": " + err.toString(StandardCharsets.UTF_8));
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
