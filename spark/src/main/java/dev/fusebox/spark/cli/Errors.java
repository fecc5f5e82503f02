package dev.fusebox.spark.cli;

import dev.fusebox.ir.GraphException;
import dev.fusebox.model.SpecException;
import dev.fusebox.runtime.data.DataFileException;
import dev.fusebox.runtime.io.ParameterFileException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.apache.spark.SparkException;
import org.apache.spark.sql.AnalysisException;

/** Which failures are the user's to fix (exit 1), and their one-line messages. */
final class Errors {
  private Errors() {}

  /** Bad input: a file, spec, column or option; or a Spark job that failed for one of those in an executor. */
  static boolean isUserError(Throwable e) {
    Throwable root = cause(e);
    return root instanceof IllegalArgumentException || root instanceof IllegalStateException || root instanceof IOException
        || root instanceof UncheckedIOException || root instanceof SpecException || root instanceof GraphException
        || root instanceof AnalysisException || root instanceof ArithmeticException;
  }

  /** The message of what went wrong, where it went wrong: an executor's exception rather than Spark's wrapping of it. */
  static String message(Throwable e) {
    Throwable root = cause(e);
    if (root instanceof NoSuchFileException f) return f.getFile() + ": no such file";
    if (root instanceof FileSystemException f) return Main.oneLine(f.getMessage());
    if (root instanceof AnalysisException a) return Main.oneLine(a.getSimpleMessage());
    if (root instanceof ParameterFileException || root instanceof DataFileException) return Main.oneLine(root.getMessage());
    String m = root.getMessage() == null ? root.toString() : root.getMessage();
    return Main.oneLine(m.startsWith("fusebox: ") ? m.substring("fusebox: ".length()) : m);
  }

  /** The innermost cause worth showing: through Spark's job failures (an executor's exception) and unchecked wrappers. */
  private static Throwable cause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t && (t instanceof SparkException || t instanceof UncheckedIOException
        || t instanceof java.util.concurrent.ExecutionException)) {
      t = t.getCause();
    }
    return t;
  }
}
