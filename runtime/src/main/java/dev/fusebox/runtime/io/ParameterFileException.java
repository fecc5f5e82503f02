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

  /**
   * An exception whose message is the file's name, a colon and {@code detail}.
   *
   * @param file the file as it was given to the reader
   * @param detail which part of the file is wrong, and how
   */
  public ParameterFileException(Path file, String detail) {
    super(nameOf(file) + ": " + detail);
    this.file = file;
  }

  /**
   * An exception whose message is the file's name, a colon and {@code detail}, with the failure behind it.
   *
   * @param file the file as it was given to the reader
   * @param detail which part of the file is wrong, and how
   * @param cause the failure that showed it
   */
  public ParameterFileException(Path file, String detail, Throwable cause) {
    super(nameOf(file) + ": " + detail, cause);
    this.file = file;
  }

  /** {@return the file that could not be read, as it was given to the reader} */
  public Path file() {
    return file;
  }

  private static String nameOf(Path file) {
    Path name = file.getFileName();
    return name == null ? file.toString() : name.toString();
  }
}
