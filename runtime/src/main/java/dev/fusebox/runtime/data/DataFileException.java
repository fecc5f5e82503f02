package dev.fusebox.runtime.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A data file whose contents cannot be used. The message starts with the file's name (or the stream's,
 * {@code standard input}), then the line
 * (1-based; a CSV header is line 1) and column where there is one, then what is wrong, for example
 * {@code train.csv: line 7, column 'age': "abc" is not a number}.
 */
public final class DataFileException extends IOException {
  private static final long serialVersionUID = 1L;

  // Path is not serializable; the message already carries the file name.
  private final transient Path file;
  /** The 1-based line, or 0 if the problem is not on one. */
  private final long line;
  /** The column's name, or null if the problem is not in one. */
  private final String column;

  DataFileException(Path file, String detail) {
    this(DataFiles.Source.of(file), 0, null, detail, null);
  }

  DataFileException(Path file, String detail, Throwable cause) {
    this(DataFiles.Source.of(file), 0, null, detail, cause);
  }

  DataFileException(DataFiles.Source source, String detail) {
    this(source, 0, null, detail, null);
  }

  DataFileException(DataFiles.Source source, String detail, Throwable cause) {
    this(source, 0, null, detail, cause);
  }

  DataFileException(DataFiles.Source source, long line, String column, String detail) {
    this(source, line, column, detail, null);
  }

  DataFileException(DataFiles.Source source, long line, String column, String detail, Throwable cause) {
    super(message(source.name(), line, column, detail), cause);
    this.file = source.file();
    this.line = line;
    this.column = column;
  }

  /** {@return the file, as it was given to the reader; null for data read from a stream (standard input)} */
  public Path file() {
    return file;
  }

  /** {@return the 1-based line the problem is on, if it is on one} */
  public OptionalLong line() {
    return line > 0 ? OptionalLong.of(line) : OptionalLong.empty();
  }

  /** {@return the name of the column the problem is in, if it is in one} */
  public Optional<String> column() {
    return Optional.ofNullable(column);
  }

  private static String message(String name, long line, String column, String detail) {
    StringBuilder b = new StringBuilder(name);
    if (line > 0) b.append(": line ").append(line);
    if (column != null) b.append(line > 0 ? ", " : ": ").append("column '").append(column).append('\'');
    return b.append(": ").append(detail).toString();
  }
}
