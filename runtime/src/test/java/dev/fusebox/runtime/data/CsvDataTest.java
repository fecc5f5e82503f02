package dev.fusebox.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CsvDataTest {
  @TempDir Path dir;

  private static final String IRIS = """
      sepal_length,sepal_width,species,petal_length
      5.1,3.5,0,1.4
      7.0,3.2,1,4.7

      "6.3",3.3,2,6.0
      -1.5e2,.25,1,+3
      """;

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  @Test
  void readsClassLabelsAndFeaturesInHeaderOrder() throws IOException {
    Dataset data = CsvData.read(write("iris.csv", IRIS), "species", LabelKind.CLASS);

    assertThat(data.rows()).isEqualTo(4);
    assertThat(data.featureNames()).containsExactly("sepal_length", "sepal_width", "petal_length");
    assertThat(data.labelNames()).containsExactly("species");
    assertThat(data.features()).containsExactly(5.1f, 3.5f, 1.4f, 7.0f, 3.2f, 4.7f, 6.3f, 3.3f, 6.0f, -150f, 0.25f, 3f);
    assertThat(data.labels()).containsExactly(0, 1, 2, 1);
    assertThat(data.classes()).isEqualTo(3);
    assertThat(data.hasTargets()).isFalse();
  }

  @Test
  void readsAFloatTarget() throws IOException {
    Dataset data = CsvData.read(write("iris.csv", IRIS), "petal_length", LabelKind.TARGET);

    assertThat(data.featureNames()).containsExactly("sepal_length", "sepal_width", "species");
    assertThat(data.targetCount()).isEqualTo(1);
    assertThat(data.targets()).containsExactly(1.4f, 4.7f, 6.0f, 3f);
    assertThat(data.features()).startsWith(5.1f, 3.5f, 0f);
    assertThat(data.hasLabels()).isFalse();
  }

  @Test
  void readsEveryColumnAsAFeatureForPrediction() throws IOException {
    Dataset data = CsvData.readFeatures(write("iris.csv", IRIS));
    assertThat(data.featureCount()).isEqualTo(4);
    assertThat(data.labelNames()).isEmpty();
    assertThat(data.features()).endsWith(-150f, 0.25f, 1f, 3f);
  }

  @Test
  void usesAGivenClassCount() throws IOException {
    Dataset data = CsvData.readClasses(write("iris.csv", IRIS), "species", 5);
    assertThat(data.classes()).isEqualTo(5);
  }

  @Test
  void readsGzipByExtensionAndSkipsAByteOrderMark() throws IOException {
    Path file = dir.resolve("iris.csv.GZ");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write("\uFEFF".getBytes(StandardCharsets.UTF_8));
      out.write(IRIS.getBytes(StandardCharsets.UTF_8));
    }
    Dataset gz = CsvData.read(file, "species", LabelKind.CLASS);
    assertThat(gz).isEqualTo(CsvData.read(write("iris.csv", IRIS), "species", LabelKind.CLASS));
  }

  @Test
  void acceptsClassLabelsWrittenAsIntegralFloatsAsPandasWritesThem() throws IOException {
    Path floats = write("floats.csv", "a,y\n1,0.0\n2,1.000\n3,2e0\n4,+1.\n5,-0.0\n6,20E-1\n");
    Dataset data = CsvData.read(floats, "y", LabelKind.CLASS);
    assertThat(data.labels()).containsExactly(0, 1, 2, 1, 0, 2);
    assertThat(data.classes()).isEqualTo(3);
  }

  @Test
  void readsAStreamAndNamesItInMessages() throws IOException {
    Dataset data = CsvData.read(new ByteArrayInputStream(IRIS.getBytes(StandardCharsets.UTF_8)), "standard input", "species",
        LabelKind.CLASS);
    assertThat(data).isEqualTo(CsvData.read(write("iris.csv", IRIS), "species", LabelKind.CLASS));
    assertThatThrownBy(() -> CsvData.readClasses(new ByteArrayInputStream("a,y\n1,0\n1,4\n".getBytes(StandardCharsets.UTF_8)),
        "standard input", "y", 3))
        .isInstanceOf(DataFileException.class)
        .hasMessage("standard input: line 3, column 'y': class label 4 is out of range: there are 3 classes, 0..2")
        .satisfies(e -> assertThat(((DataFileException) e).file()).isNull());
    // The caller's stream is left open.
    boolean[] closed = {false};
    InputStream in = new ByteArrayInputStream("a,b\n1,2\n".getBytes(StandardCharsets.UTF_8)) {
      @Override
      public void close() {
        closed[0] = true;
      }
    };
    assertThat(CsvData.readFeatures(in, "standard input").rows()).isEqualTo(1);
    assertThat(closed[0]).isFalse();
  }

  @Test
  void recognisesGzipByItsContentWhateverTheName() throws IOException {
    Path file = dir.resolve("iris.data");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(IRIS.getBytes(StandardCharsets.UTF_8));
    }
    assertThat(CsvData.read(file, "species", LabelKind.CLASS)).isEqualTo(CsvData.read(write("iris.csv", IRIS), "species",
        LabelKind.CLASS));
    assertThat(CsvData.readFeatures(new ByteArrayInputStream(Files.readAllBytes(file)), "standard input").rows()).isEqualTo(4);
  }

  @Test
  void readsANamedPipe() throws Exception {
    Path fifo = dir.resolve("pipe.csv");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assumeTrue(mkfifo.waitFor() == 0, "mkfifo is not available");
    Thread writer = new Thread(() -> {
      try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(fifo))) {
        out.write(IRIS.getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    writer.start();
    Dataset data = CsvData.read(fifo, "species", LabelKind.CLASS);
    writer.join();
    assertThat(data).isEqualTo(CsvData.read(write("iris.csv", IRIS), "species", LabelKind.CLASS));
  }

  @Test
  void namesTheColumnsThereAreWhenTheLabelColumnIsMissing() throws IOException {
    Path file = write("bad.csv", "a,b,y\n1,2,0\n");
    assertThatThrownBy(() -> CsvData.read(file, "label", LabelKind.CLASS))
        .isInstanceOf(DataFileException.class)
        .hasMessage("bad.csv: line 1: no column 'label'; the columns are [a, b, y]");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
      "missing value        | a,b,y\\n1,2,0\\n3,,1\\n      | 3 | b | missing value",
      "blank value          | a,b,y\\n1,2,0\\n3,  ,1\\n    | 3 | b | missing value",
      "missing label        | a,b,y\\n1,2,0\\n3,4,\\n      | 3 | y | missing value",
      "not a number         | a,b,y\\nabc,2,0\\n         | 2 | a | value \"abc\" is not a number",
      "hex is not decimal   | a,b,y\\n1,0x10,0\\n        | 2 | b | value \"0x10\" is not a number",
      "NaN                  | a,b,y\\n1,2,0\\n\\n1,NaN,0\\n | 4 | b | value NaN is not finite",
      "infinity             | a,b,y\\n-inf,2,0\\n        | 2 | a | value -inf is not finite",
      "overflow             | a,b,y\\n1,1e39,0\\n        | 2 | b | value 1e39 is out of the float range",
      "fractional label     | a,b,y\\n1,2,0\\n1,2,2.5\\n   | 3 | y | class label 2.5 is not an integer; class labels are 0, 1, 2, ...",
      "almost integral      | a,b,y\\n1,2,7.0000001\\n   | 2 | y | class label 7.0000001 is not an integer; class labels are 0, 1, 2, ...",
      "negative label       | a,b,y\\n1,2,-1\\n          | 2 | y | class label -1 is negative; class labels are 0, 1, 2, ...",
      "negative float label | a,b,y\\n1,2,-2.0\\n        | 2 | y | class label -2.0 is negative; class labels are 0, 1, 2, ...",
      "word label           | a,b,y\\n1,2,setosa\\n      | 2 | y | class label \"setosa\" is not a number; class labels are 0, 1, 2, ...",
      "NaN label            | a,b,y\\n1,2,nan\\n         | 2 | y | class label nan is not finite",
      "huge label           | a,b,y\\n1,2,99999999999\\n | 2 | y | class label 99999999999 is too large",
      "huge float label     | a,b,y\\n1,2,3e10\\n        | 2 | y | class label 3e10 is too large",
      "huge exponent        | a,b,y\\n1,2,1e99999999999\\n | 2 | y | class label 1e99999999999 is too large",
  })
  void namesFileLineAndColumnOfABadValue(String what, String text, long line, String column, String detail)
      throws IOException {
    Path file = write("bad.csv", text.replace("\\n", "\n"));
    assertThatThrownBy(() -> CsvData.read(file, "y", LabelKind.CLASS))
        .isInstanceOf(DataFileException.class)
        .hasMessage("bad.csv: line " + line + ", column '" + column + "': " + detail)
        .satisfies(e -> {
          DataFileException d = (DataFileException) e;
          assertThat(d.line()).isEqualTo(OptionalLong.of(line));
          assertThat(d.column()).contains(column);
          assertThat(d.file()).isEqualTo(file);
        });
  }

  @Test
  void rejectsATargetThatIsNotANumber() throws IOException {
    Path file = write("bad.csv", "a,price\n1,2\n1,cheap\n");
    assertThatThrownBy(() -> CsvData.read(file, "price", LabelKind.TARGET))
        .isInstanceOf(DataFileException.class)
        .hasMessage("bad.csv: line 3, column 'price': value \"cheap\" is not a number");
  }

  @Test
  void rejectsALabelAtOrAboveAGivenClassCount() throws IOException {
    Path file = write("bad.csv", "a,y\n1,0\n1,3\n");
    assertThatThrownBy(() -> CsvData.readClasses(file, "y", 3))
        .isInstanceOf(DataFileException.class)
        .hasMessage("bad.csv: line 3, column 'y': class label 3 is out of range: there are 3 classes, 0..2");
  }

  @Test
  void rejectsALineWithTheWrongNumberOfValues() throws IOException {
    Path shorter = write("short.csv", "a,b,y\n1,2,0\n\n1,2\n");
    assertThatThrownBy(() -> CsvData.read(shorter, "y", LabelKind.CLASS))
        .isInstanceOf(DataFileException.class)
        .hasMessage("short.csv: line 4: has 2 values, but the header has 3 columns");
    Path longer = write("long.csv", "a,b,y\r\n1,2,0,5\r\n");
    assertThatThrownBy(() -> CsvData.readFeatures(longer))
        .isInstanceOf(DataFileException.class)
        .hasMessage("long.csv: line 2: has 4 values, but the header has 3 columns");
  }

  @Test
  void rejectsFilesWithoutUsableHeaderOrRows() throws IOException {
    Path empty = write("empty.csv", "");
    assertThatThrownBy(() -> CsvData.readFeatures(empty))
        .isInstanceOf(DataFileException.class)
        .hasMessage("empty.csv: is empty; expected a header line");
    Path headerOnly = write("header.csv", "a,b,y\n");
    assertThatThrownBy(() -> CsvData.read(headerOnly, "y", LabelKind.CLASS))
        .isInstanceOf(DataFileException.class)
        .hasMessage("header.csv: has a header but no data rows");
    Path labelOnly = write("label.csv", "y\n1\n");
    assertThatThrownBy(() -> CsvData.read(labelOnly, "y", LabelKind.CLASS))
        .isInstanceOf(DataFileException.class)
        .hasMessage("label.csv: line 1: has no feature columns besides 'y'");
    Path duplicate = write("dup.csv", "a,b,a\n1,2,3\n");
    assertThatThrownBy(() -> CsvData.readFeatures(duplicate))
        .isInstanceOf(DataFileException.class)
        .hasMessage("dup.csv: line 1: column name 'a' appears twice (columns 1 and 3)");
    Path unnamed = write("unnamed.csv", "a,,c\n1,2,3\n");
    assertThatThrownBy(() -> CsvData.readFeatures(unnamed))
        .isInstanceOf(DataFileException.class)
        .hasMessage("unnamed.csv: line 1: column 2 has no name");
  }

  @Test
  void reportsMalformedTextAndCsvSyntaxWithTheLine() throws IOException {
    Path latin1 = dir.resolve("latin1.csv");
    Files.write(latin1, "a,b\n1,2\n3,4\n5,caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> CsvData.readFeatures(latin1))
        .isInstanceOf(DataFileException.class)
        .hasMessage("latin1.csv: line 4, column 'b': value \"caf\uFFFD\" is not valid UTF-8");
    Path badName = dir.resolve("name.csv");
    Files.write(badName, "a,\u00e9\n1,2\n".getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> CsvData.readFeatures(badName))
        .isInstanceOf(DataFileException.class)
        .hasMessage("name.csv: line 1: column name \"\uFFFD\" is not valid UTF-8");
    Path quote = write("quote.csv", "a,b\n1,2\n\"3\"x,4\n");
    assertThatThrownBy(() -> CsvData.readFeatures(quote))
        .isInstanceOf(DataFileException.class)
        .hasMessageStartingWith("quote.csv: line 3: Invalid character between encapsulated token and delimiter");
  }

  @Test
  void namesAGzipFileWhoseDataIsCutOff() throws IOException {
    Path file = dir.resolve("cut.csv.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write("a,b\n".repeat(2000).getBytes(StandardCharsets.UTF_8));
    }
    byte[] whole = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(whole, whole.length / 2));
    assertThatThrownBy(() -> CsvData.readFeatures(file))
        .isInstanceOf(DataFileException.class)
        .hasMessageStartingWith("cut.csv.gz: has corrupt or truncated gzip data (");
    Path plain = write("plain.csv.gz", "a,b\n1,2\n");
    assertThatThrownBy(() -> CsvData.readFeatures(plain))
        .isInstanceOf(DataFileException.class)
        .hasMessage("plain.csv.gz: is named .gz but is not gzip data");
    Path empty = write("empty.csv.gz", "");
    assertThatThrownBy(() -> CsvData.readFeatures(empty))
        .isInstanceOf(DataFileException.class)
        .hasMessage("empty.csv.gz: is named .gz but is not gzip data");
  }

  @Test
  void keepsNamesFromTheHeaderTrimmed() throws IOException {
    Dataset data = CsvData.read(write("spaced.csv", " a , b ,y\n1, 2 ,0\n"), "y", LabelKind.CLASS);
    assertThat(data.featureNames()).isEqualTo(List.of("a", "b"));
    assertThat(data.features()).containsExactly(1f, 2f);
  }
}
