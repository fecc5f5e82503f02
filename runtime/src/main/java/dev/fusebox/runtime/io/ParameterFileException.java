package dev.fusebox.runtime.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A parameter file that cannot be read because its contents are malformed. The message starts with the
 * file's name and then says which part of the file is wrong, so it can be shown to a user as it is.
 */
public final class ParameterFileException extends IOException {
  private static final long serialVersionUID = 1L;

  // Path is not serializable; the message already carries the file name.
  private final transient Path file;

  public ParameterFileException(Path file, String detail) {
    super(nameOf(file) + ": " + detail);
    this.file = file;
  }

  public ParameterFileException(Path file, String detail, Throwable cause) {
    super(nameOf(file) + ": " + detail, cause);
    this.file = file;
  }

  /** The file that could not be read, as it was given to the reader. */
  public Path file() {
    return file;
  }

  private static String nameOf(Path file) {
    Path name = file.getFileName();
    return name == null ? file.toString() : name.toString();
  }
}
