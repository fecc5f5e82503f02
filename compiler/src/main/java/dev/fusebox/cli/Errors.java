package dev.fusebox.cli;

import dev.fusebox.ir.GraphException;
import dev.fusebox.model.SpecException;
import dev.fusebox.runtime.data.DataFileException;
import dev.fusebox.runtime.io.ParameterFileException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;

/**
 * What the command line makes of a failure: an exit code and one line for standard error. Failures
 * of the user's files and options exit with {@link #USER}; anything else is a bug in Fusebox and
 * exits with {@link #INTERNAL}, asking for a rerun with {@code --debug} to get the stack trace.
 */
final class Errors {
  static final int OK = 0;
  /** A bad option, spec, data or parameter file: something the user can fix. */
  static final int USER = 1;
  /** Training stopped because a step's loss was NaN or infinite. */
  static final int NON_FINITE_LOSS = 2;
  /** A bug: an exception nobody expected. */
  static final int INTERNAL = 3;

  static final String PREFIX = "fusebox: error: ";

  private Errors() {}

  /** The exit code for a failure. */
  static int exitCode(Throwable t) {
    return isUserError(t) ? USER : INTERNAL;
  }

  /** The line to show for a failure, without the {@code fusebox: error: } prefix. */
  static String message(Throwable t) {
    if (t instanceof IOException io && isUserError(t)) return describe(io);
    if (isUserError(t)) return oneLine(t.getMessage());
    String what = t.getClass().getName() + (t.getMessage() == null ? "" : ": " + oneLine(t.getMessage()));
    return "internal error: " + what + " (rerun with --debug for the stack trace)";
  }

  /** Prints the failure's line, and its stack trace when debugging; returns the exit code. */
  static int report(Throwable t, PrintStream err, boolean debug) {
    err.println(PREFIX + message(t));
    if (debug) t.printStackTrace(err);
    err.flush();
    return exitCode(t);
  }

  private static boolean isUserError(Throwable t) {
    // Every IOException the commands let through concerns a file the user named: a missing or
    // unreadable input, an output that cannot be written, or a file whose contents are wrong.
    // A GraphException is the graph a spec describes at fault (Models names the spec), or sizes that
    // cannot fit this JVM (the message names -Xmx).
    return t instanceof UserError || t instanceof SpecException || t instanceof IOException || t instanceof GraphException;
  }

  /**
   * A file-system failure in words, naming the file: {@code data.csv: no such file}. Data and parameter
   * file exceptions already read that way.
   */
  static String describe(IOException e) {
    if (e instanceof DataFileException || e instanceof ParameterFileException) return oneLine(e.getMessage());
    if (e instanceof FileSystemException fs) {
      String file = fs.getFile() == null ? "" : fs.getFile() + ": ";
      return oneLine(file + reason(e));
    }
    return oneLine(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
  }

  /** What went wrong, in lower case and without the file: {@code no space left on device}. */
  static String reason(IOException e) {
    String why;
    if (e instanceof NoSuchFileException) why = "no such file or directory";
    else if (e instanceof AccessDeniedException) why = "permission denied";
    else if (e instanceof FileAlreadyExistsException) why = "already exists";
    else if (e instanceof NotDirectoryException) why = "not a directory";
    else if (e instanceof DirectoryNotEmptyException) why = "directory not empty";
    else if (e instanceof FileSystemException fs) why = fs.getReason() == null ? e.getClass().getSimpleName() : fs.getReason();
    else why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    // The JDK's reasons start with a capital ("No space left on device"); in the middle of a line they read better without.
    return why.isEmpty() || Character.isUpperCase(why.charAt(1 % why.length())) ? why
        : why.substring(0, 1).toLowerCase(Locale.ROOT) + why.substring(1);
  }

  /** Multi-line messages (from libraries) joined, so a failure is always one line. */
  static String oneLine(String s) {
    return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", "; ");
  }
}
