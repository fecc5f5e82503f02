package dev.fusebox.runtime.data;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Opening data files: gzip by extension, and UTF-8 text without a byte-order mark. */
final class DataFiles {
  private static final int BUFFER = 1 << 16;

  private DataFiles() {}

  static boolean gzipped(Path file) {
    Path name = file.getFileName();
    return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".gz");
  }

  /** The file's bytes, decompressed if its name ends in {@code .gz}. */
  static InputStream open(Path file) throws IOException {
    InputStream raw = Files.newInputStream(file);
    try {
      return gzipped(file) ? new GZIPInputStream(raw, BUFFER) : new BufferedInputStream(raw, BUFFER);
    } catch (ZipException | EOFException e) {
      raw.close();
      throw new DataFileException(file, "is named .gz but is not gzip data", e);
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  /**
   * A failure while reading the file's contents, named after the file when it is one of corrupt or cut
   * off compressed data; other failures (a disk error, say) are returned as they are.
   */
  static IOException describe(Path file, IOException e) {
    if (e instanceof DataFileException) return e;
    if (gzipped(file) && (e instanceof ZipException || e instanceof EOFException)) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return new DataFileException(file, "has corrupt or truncated gzip data (" + why + ")", e);
    }
    return e;
  }

  /**
   * The file as UTF-8 text, minus the byte-order mark that spreadsheet programs put at the start, which
   * would otherwise become part of the first column's name. Malformed bytes become U+FFFD: the decoder
   * reads ahead, so failing there would report the wrong line, while a caller that rejects U+FFFD in
   * a value can name the exact line and column.
   */
  static BufferedReader reader(Path file) throws IOException {
    InputStream in = open(file);
    try {
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      reader.mark(1);
      if (reader.read() != '\uFEFF') reader.reset();
      return reader;
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }
}
