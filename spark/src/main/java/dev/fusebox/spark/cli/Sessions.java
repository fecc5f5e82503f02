package dev.fusebox.spark.cli;

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
    owned = b.getOrCreate();
    return owned;
  }

  static synchronized void stopOwned() {
    if (owned != null) owned.stop();
    owned = null;
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
