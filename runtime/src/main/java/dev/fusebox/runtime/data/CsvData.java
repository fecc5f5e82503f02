package dev.fusebox.runtime.data;

import dev.fusebox.runtime.data.DataFiles.Source;
import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.DuplicateHeaderMode;

/**
 * Reads numeric CSV files with a header line into a {@link Dataset}: one column may be the label, every
 * other column is a feature. Gzip data is decompressed on the fly, recognised by its content (a file
 * named {@code .gz} must hold it). Named pipes and process substitutions ({@code <(zcat big.csv.gz)})
 * are read like files, and any stream (standard input) through the {@code InputStream} overloads.
 *
 * <p>Nothing is guessed: every value must be a finite decimal number and every line must have one
 * value per header column; blank lines are skipped. The first bad value stops the read with a
 * {@link DataFileException} naming the file, the line (the header is line 1) and the column.
 */
public final class CsvData {
  private static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder()
      .setHeader()
      .setSkipHeaderRecord(true)
      .setTrim(true)
      .setIgnoreEmptyLines(true)
      // Header names are checked by the reader, whose messages say which columns are at fault.
      .setDuplicateHeaderMode(DuplicateHeaderMode.ALLOW_ALL)
      .setAllowMissingColumnNames(true)
      .get();
  // What Float.parseFloat accepts beyond these (hex, "1f", "Infinity") is not meant as CSV data.
  private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  private static final Pattern NOT_FINITE = Pattern.compile("[+-]?(nan|inf|infinity)", Pattern.CASE_INSENSITIVE);
  private static final Pattern CLASS = Pattern.compile("\\d+");
  /** What the reader decodes malformed UTF-8 to. */
  private static final char MALFORMED = '\uFFFD';

  private CsvData() {}

  /**
   * Reads a labelled file. For {@link LabelKind#CLASS} the labels must be integers {@code 0..k-1}
   * ({@code 7}, or {@code 7.0} as pandas and NumPy write them) and the class count is the largest
   * label + 1; for {@link LabelKind#TARGET} the label is a float target.
   *
   * @param file a CSV file with a header line, plain or gzip
   * @param labelColumn the label column's name; every other column is a feature, in file order
   * @param kind how to read the labels
   * @return the rows, with their feature and label names
   * @throws DataFileException if the contents cannot be used, naming the file, line and column
   * @throws IOException if the file cannot be read
   */
  public static Dataset read(Path file, String labelColumn, LabelKind kind) throws IOException {
    return read(file, Objects.requireNonNull(labelColumn, "labelColumn"), Objects.requireNonNull(kind, "kind"), 0);
  }

  /**
   * Reads a file with class labels in {@code [0, classes)}, for data that may lack the highest classes
   * but must match a model's output width; a label outside is an error naming its line.
   *
   * @param file a CSV file with a header line, plain or gzip
   * @param labelColumn the label column's name; every other column is a feature, in file order
   * @param classes the class count, 1 or more
   * @return the rows, with {@code classes} classes
   * @throws DataFileException if the contents cannot be used, naming the file, line and column
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if {@code classes} is less than 1
   */
  public static Dataset readClasses(Path file, String labelColumn, int classes) throws IOException {
    return read(file, Objects.requireNonNull(labelColumn, "labelColumn"), LabelKind.CLASS, checkClasses(classes));
  }

  /**
   * Reads a file without labels, every column a feature: data to predict on.
   *
   * @param file a CSV file with a header line, plain or gzip
   * @return the rows, without labels
   * @throws DataFileException if the contents cannot be used, naming the file, line and column
   * @throws IOException if the file cannot be read
   */
  public static Dataset readFeatures(Path file) throws IOException {
    return read(file, null, null, 0);
  }

  /**
   * {@link #read(Path, String, LabelKind)} from a stream, such as standard input, which is read to its
   * end but not closed.
   *
   * @param in the data, plain or gzip
   * @param name what messages call the data in place of a file name ({@code "standard input"})
   * @param labelColumn the label column's name
   * @param kind how to read the labels
   * @return the rows, with their feature and label names
   * @throws DataFileException if the contents cannot be used, naming the stream, line and column
   * @throws IOException if the stream cannot be read
   */
  public static Dataset read(InputStream in, String name, String labelColumn, LabelKind kind) throws IOException {
    return read(in, name, Objects.requireNonNull(labelColumn, "labelColumn"), Objects.requireNonNull(kind, "kind"), 0);
  }

  /**
   * {@link #readClasses(Path, String, int)} from a stream; see {@link #read(InputStream, String, String, LabelKind)}.
   *
   * @param in the data, plain or gzip, read to its end but not closed
   * @param name what messages call the data
   * @param labelColumn the label column's name
   * @param classes the class count, 1 or more
   * @return the rows, with {@code classes} classes
   * @throws DataFileException if the contents cannot be used, naming the stream, line and column
   * @throws IOException if the stream cannot be read
   * @throws IllegalArgumentException if {@code classes} is less than 1
   */
  public static Dataset readClasses(InputStream in, String name, String labelColumn, int classes) throws IOException {
    return read(in, name, Objects.requireNonNull(labelColumn, "labelColumn"), LabelKind.CLASS, checkClasses(classes));
  }

  /**
   * {@link #readFeatures(Path)} from a stream; see {@link #read(InputStream, String, String, LabelKind)}.
   *
   * @param in the data, plain or gzip, read to its end but not closed
   * @param name what messages call the data
   * @return the rows, without labels
   * @throws DataFileException if the contents cannot be used, naming the stream, line and column
   * @throws IOException if the stream cannot be read
   */
  public static Dataset readFeatures(InputStream in, String name) throws IOException {
    return read(in, name, null, null, 0);
  }

  private static int checkClasses(int classes) {
    if (classes < 1) throw new IllegalArgumentException("the class count must be positive, not " + classes);
    return classes;
  }

  private static Dataset read(Path file, String labelColumn, LabelKind kind, int givenClasses) throws IOException {
    Source source = Source.of(file);
    InputStream in;
    try {
      in = DataFiles.open(file);
    } catch (IOException e) {
      throw readFailure(source, 0, e);
    }
    try (in) {
      return parse(source, in, labelColumn, kind, givenClasses);
    }
  }

  private static Dataset read(InputStream stream, String name, String labelColumn, LabelKind kind, int givenClasses)
      throws IOException {
    Source source = Source.stream(Objects.requireNonNull(name, "name"));
    // Not closed: the caller owns the stream. Buffers stay unreferenced once the read is done.
    InputStream unclosed = new FilterInputStream(Objects.requireNonNull(stream, "stream")) {
      @Override
      public void close() {}
    };
    InputStream in;
    try {
      in = DataFiles.decompressed(source, unclosed);
    } catch (IOException e) {
      throw readFailure(source, 0, e);
    }
    return parse(source, in, labelColumn, kind, givenClasses);
  }

  private static Dataset parse(Source source, InputStream in, String labelColumn, LabelKind kind, int givenClasses)
      throws IOException {
    try (BufferedReader reader = DataFiles.reader(in)) {
      CSVParser parser;
      try {
        parser = CSVParser.builder().setReader(reader).setFormat(FORMAT).get();
      } catch (IOException e) {
        throw readFailure(source, 1, e);
      }
      try (parser) {
        return new Reader(source, parser, labelColumn, kind, givenClasses).read();
      }
    } catch (UncheckedIOException e) {
      throw readFailure(source, 0, e.getCause());
    } catch (IOException e) {
      throw readFailure(source, 0, e);
    }
  }

  /** A failure of the bytes or the CSV syntax, rather than of a value, named after the file. */
  private static IOException readFailure(Source source, long line, IOException cause) {
    IOException described = DataFiles.describe(source, cause);
    if (described != cause) return described;
    if (cause instanceof CSVException) return new DataFileException(source, line, null, cause.getMessage(), cause);
    return cause;
  }

  /** The state of one read. */
  private static final class Reader {
    private final Source file;
    private final CSVParser parser;
    private final List<String> header;
    private final int labelIndex; // -1 when there is no label column
    private final LabelKind kind;
    private final int givenClasses;

    Reader(Source file, CSVParser parser, String labelColumn, LabelKind kind, int givenClasses) throws IOException {
      this.file = file;
      this.parser = parser;
      this.header = parser.getHeaderNames();
      this.kind = kind;
      this.givenClasses = givenClasses;
      if (header.isEmpty()) throw new DataFileException(file, "is empty; expected a header line");
      Map<String, Integer> seen = new HashMap<>();
      for (int c = 0; c < header.size(); c++) {
        String name = header.get(c);
        if (name.isEmpty()) throw new DataFileException(file, 1, null, "column " + (c + 1) + " has no name");
        if (name.indexOf(MALFORMED) >= 0) {
          throw new DataFileException(file, 1, null, "column name \"" + name + "\" is not valid UTF-8");
        }
        Integer first = seen.putIfAbsent(name, c);
        if (first != null) {
          throw new DataFileException(file, 1, null, "column name '" + name + "' appears twice (columns " + (first + 1)
              + " and " + (c + 1) + ")");
        }
      }
      this.labelIndex = labelColumn == null ? -1 : seen.getOrDefault(labelColumn, -1);
      if (labelColumn != null && labelIndex < 0) {
        throw new DataFileException(file, 1, null, "no column '" + labelColumn + "'; the columns are " + header);
      }
      if (labelIndex >= 0 && header.size() == 1) {
        throw new DataFileException(file, 1, null, "has no feature columns besides '" + labelColumn + "'");
      }
    }

    Dataset read() throws IOException {
      int width = header.size() - (labelIndex < 0 ? 0 : 1);
      float[] features = new float[1024];
      float[] targets = kind == LabelKind.TARGET ? new float[128] : null;
      int[] labels = kind == LabelKind.CLASS ? new int[128] : null;
      int rows = 0;
      int maxLabel = -1;
      Iterator<CSVRecord> records = parser.iterator();
      while (hasNext(records)) {
        CSVRecord record = records.next();
        // The line the record ends on, which for numeric data is the line it is on.
        long line = parser.getCurrentLineNumber();
        if (record.size() != header.size()) {
          throw new DataFileException(file, line, null, "has " + record.size() + " values, but the header has "
              + header.size() + " columns");
        }
        if ((long) (rows + 1) * width > Integer.MAX_VALUE - 8) {
          throw new DataFileException(file, line, null, "too many values for one data set");
        }
        features = ensure(features, (rows + 1) * width);
        int f = rows * width;
        for (int c = 0; c < header.size(); c++) {
          if (c == labelIndex) continue;
          features[f++] = number(record.get(c), line, c);
        }
        if (labels != null) {
          labels = ensure(labels, rows + 1);
          labels[rows] = classLabel(record.get(labelIndex), line);
          maxLabel = Math.max(maxLabel, labels[rows]);
        } else if (targets != null) {
          targets = ensure(targets, rows + 1);
          targets[rows] = number(record.get(labelIndex), line, labelIndex);
        }
        rows++;
      }
      if (rows == 0) throw new DataFileException(file, "has a header but no data rows");

      List<String> featureNames = new ArrayList<>(header);
      List<String> labelNames = List.of();
      if (labelIndex >= 0) labelNames = List.of(featureNames.remove(labelIndex));
      int classes = givenClasses > 0 ? givenClasses : maxLabel + 1;
      return new Dataset(rows, Arrays.copyOf(features, rows * width), featureNames,
          labels == null ? null : Arrays.copyOf(labels, rows), classes,
          targets == null ? null : Arrays.copyOf(targets, rows), labelNames);
    }

    /** Iterator.hasNext, with a CSV syntax error reported at the line where it was found. */
    private boolean hasNext(Iterator<CSVRecord> records) throws IOException {
      try {
        return records.hasNext();
      } catch (UncheckedIOException e) {
        throw readFailure(file, parser.getCurrentLineNumber(), e.getCause());
      }
    }

    private float number(String text, long line, int column) throws DataFileException {
      if (text.isEmpty()) throw fail(line, column, "missing value");
      if (DECIMAL.matcher(text).matches()) {
        float v = Float.parseFloat(text);
        if (Float.isFinite(v)) return v;
        throw fail(line, column, "value " + text + " is out of the float range");
      }
      if (NOT_FINITE.matcher(text).matches()) throw fail(line, column, "value " + text + " is not finite");
      if (text.indexOf(MALFORMED) >= 0) throw fail(line, column, "value \"" + text + "\" is not valid UTF-8");
      throw fail(line, column, "value \"" + text + "\" is not a number");
    }

    /** An integer label, written as one ({@code 7}) or as a float that is exactly one ({@code 7.0}, {@code 7e0}). */
    private int classLabel(String text, long line) throws DataFileException {
      if (text.isEmpty()) throw fail(line, labelIndex, "missing value");
      if (text.indexOf(MALFORMED) >= 0) throw fail(line, labelIndex, "value \"" + text + "\" is not valid UTF-8");
      BigInteger value;
      if (CLASS.matcher(text).matches()) {
        value = new BigInteger(text);
      } else if (DECIMAL.matcher(text).matches()) {
        BigDecimal d;
        try {
          d = new BigDecimal(text);
        } catch (NumberFormatException e) {
          throw fail(line, labelIndex, "class label " + text + " is too large"); // an exponent beyond the int range
        }
        if (d.signum() != 0 && d.stripTrailingZeros().scale() > 0) {
          throw fail(line, labelIndex, "class label " + text + " is not an integer; class labels are 0, 1, 2, ...");
        }
        if (d.signum() < 0) throw fail(line, labelIndex, "class label " + text + " is negative; class labels are 0, 1, 2, ...");
        // An exponent of a billion would make toBigInteger() build a billion-digit number first.
        value = d.precision() - d.scale() > 10 ? BigInteger.valueOf(Long.MAX_VALUE) : d.toBigInteger();
      } else if (NOT_FINITE.matcher(text).matches()) {
        throw fail(line, labelIndex, "class label " + text + " is not finite");
      } else {
        throw fail(line, labelIndex, "class label \"" + text + "\" is not a number; class labels are 0, 1, 2, ...");
      }
      if (value.bitLength() > 31) throw fail(line, labelIndex, "class label " + text + " is too large");
      int label = value.intValueExact();
      if (givenClasses > 0 && label >= givenClasses) {
        throw fail(line, labelIndex, "class label " + text + " is out of range: there are " + givenClasses + " classes, 0.."
            + (givenClasses - 1));
      }
      return label;
    }

    private DataFileException fail(long line, int column, String detail) {
      return new DataFileException(file, line, header.get(column), detail);
    }
  }

  private static float[] ensure(float[] a, int size) {
    return size <= a.length ? a : Arrays.copyOf(a, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(size, 2L * a.length)));
  }

  private static int[] ensure(int[] a, int size) {
    return size <= a.length ? a : Arrays.copyOf(a, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(size, 2L * a.length)));
  }
}
