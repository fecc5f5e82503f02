package dev.fusebox.runtime.data;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Opening data: files, named pipes and process substitutions ({@code <(zcat big.csv.gz)}) alike, and
 * streams such as standard input; gzip recognised by its content; UTF-8 text without a byte-order mark.
 */
final class DataFiles {
  private static final int BUFFER = 1 << 16;
  private static final int GZIP_MAGIC_0 = 0x1f;
  private static final int GZIP_MAGIC_1 = 0x8b;

  private DataFiles() {}

  /** What data is read from: a file, or a stream with a name for messages ({@code standard input}). */
  record Source(Path file, String name) {
    static Source of(Path file) {
      Path n = file.getFileName();
      return new Source(file, n == null ? file.toString() : n.toString());
    }

    static Source stream(String name) {
      return new Source(null, name);
    }

    boolean namedGz() {
      return name.toLowerCase(Locale.ROOT).endsWith(".gz");
    }
  }

  /** The file's bytes, decompressed if they are gzip data, whatever the file's name. */
  static InputStream open(Path file) throws IOException {
    // Not Files.newInputStream for what is not a regular file: on JDK 17 its available() seeks, which a
    // pipe refuses with "Illegal seek".
    InputStream raw = Files.isRegularFile(file) ? Files.newInputStream(file) : new FileInputStream(file.toFile());
    return decompressed(Source.of(file), raw);
  }

  /**
   * {@code raw}, buffered and, if its first bytes are gzip's magic number, decompressed. A name ending
   * in {@code .gz} promises gzip data: anything else is an error rather than garbage read as text.
   */
  static InputStream decompressed(Source source, InputStream raw) throws IOException {
    try {
      BufferedInputStream in = new BufferedInputStream(raw, BUFFER);
      in.mark(2);
      boolean gzip = in.read() == GZIP_MAGIC_0 && in.read() == GZIP_MAGIC_1;
      in.reset();
      if (gzip) return new GZIPInputStream(in, BUFFER);
      if (source.namedGz()) throw new DataFileException(source, "is named .gz but is not gzip data");
      return in;
    } catch (ZipException | EOFException e) {
      raw.close();
      throw new DataFileException(source, "has corrupt or truncated gzip data (" + e.getMessage() + ")", e);
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  /**
   * A failure while reading the contents, named after the source when it is one of corrupt or cut
   * off compressed data; other failures (a disk error, say) are returned as they are.
   */
  static IOException describe(Source source, IOException e) {
    if (e instanceof DataFileException) return e;
    if (e instanceof ZipException || e instanceof EOFException) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return new DataFileException(source, "has corrupt or truncated gzip data (" + why + ")", e);
    }
    return e;
  }

  static IOException describe(Path file, IOException e) {
    return describe(Source.of(file), e);
  }

  /**
   * The data as UTF-8 text, minus the byte-order mark that spreadsheet programs put at the start, which
   * would otherwise become part of the first column's name. Malformed bytes become U+FFFD: the decoder
   * reads ahead, so failing there would report the wrong line, while a caller that rejects U+FFFD in
   * a value can name the exact line and column.
   */
  static BufferedReader reader(InputStream in) throws IOException {
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
