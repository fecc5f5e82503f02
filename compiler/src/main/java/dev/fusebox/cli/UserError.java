package dev.fusebox.cli;

/**
 * Something the user can fix: a bad option, file or value. The message is shown as it is, after
 * {@code fusebox: error: }, so it must name the file, option or value at fault and fit on one line.
 */
final class UserError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UserError(String message) {
    super(message);
  }

  UserError(String message, Throwable cause) {
    super(message, cause);
  }
}
