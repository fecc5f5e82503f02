package dev.fusebox.spark.cli;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import org.apache.spark.sql.SparkSession;

/**
 * The command's Spark session: the one {@code spark-submit} or a caller already made, or a new one on
 * {@code --master} (default {@code local[*]}), which {@link #stopOwned} stops when the command is done.
 */
final class Sessions {
  private static SparkSession owned;

  private Sessions() {}

  static synchronized SparkSession get(String master, String app) {
    SparkSession active = SparkSession.getActiveSession().isDefined() ? SparkSession.getActiveSession().get()
        : SparkSession.getDefaultSession().isDefined() ? SparkSession.getDefaultSession().get() : null;
    if (active != null) return active;
    quietLogs();
    SparkSession.Builder b = SparkSession.builder().appName(app).config("spark.ui.showConsoleProgress", "false");
    // spark-submit passes its --master as spark.master; the command's own --master applies otherwise.
    if (master != null || System.getProperty("spark.master") == null) b.master(master == null ? "local[*]" : master);
    // Started without spark-submit (java, or the launcher without SPARK_HOME) on a cluster master: executors need the
    // Vector API flag and this jar, which spark-submit's --conf and --jars would otherwise give them.
    if (System.getProperty("spark.executor.extraJavaOptions") == null) {
      b.config("spark.executor.extraJavaOptions", "--add-modules=jdk.incubator.vector");
    }
    String jar = ownJar();
    if (System.getProperty("spark.jars") == null && jar != null) b.config("spark.jars", jar);
    owned = b.getOrCreate();
    return owned;
  }

  static synchronized void stopOwned() {
    if (owned != null) owned.stop();
    owned = null;
  }

  /** The jar this command runs from (the -all jar), or null when it runs from classes. */
  private static String ownJar() {
    try {
      CodeSource source = Sessions.class.getProtectionDomain().getCodeSource();
      if (source == null) return null;
      Path p = Path.of(source.getLocation().toURI());
      return p.toString().endsWith(".jar") ? p.toString() : null;
    } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
      return null;
    }
  }

  /** Spark logs at INFO unless configured otherwise: a command line shows warnings and errors only. */
  private static void quietLogs() {
    if (System.getProperty("log4j2.configurationFile") != null) return;
    try {
      org.apache.logging.log4j.core.config.Configurator.setRootLevel(org.apache.logging.log4j.Level.WARN);
    } catch (LinkageError e) {
      // Another logging back end: its own configuration decides.
    }
  }
}
