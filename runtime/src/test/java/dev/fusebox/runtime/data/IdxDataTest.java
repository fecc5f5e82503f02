package dev.fusebox.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxDataTest {
  @TempDir Path dir;

  // Three 2×3 images, row-major, and their labels.
  private static final int[][] PIXELS = {{0, 1, 2, 3, 4, 5}, {255, 254, 128, 127, 0, 9}, {10, 20, 30, 40, 50, 60}};
  private static final int[] LABELS = {7, 0, 3};

  private static byte[] images(int magic, int count, int height, int width, int[][] pixels) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(magic);
    out.writeInt(count);
    out.writeInt(height);
    out.writeInt(width);
    for (int[] image : pixels) for (int p : image) out.writeByte(p);
    return bytes.toByteArray();
  }

  private static byte[] labels(int magic, int count, int[] labels) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(magic);
    out.writeInt(count);
    for (int l : labels) out.writeByte(l);
    return bytes.toByteArray();
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path file = dir.resolve(name);
    if (name.endsWith(".gz")) {
      try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
        out.write(bytes);
      }
      return file;
    }
    return Files.write(file, bytes);
  }

  private Path goodImages() throws IOException {
    return write("images-idx3-ubyte", images(0x803, 3, 2, 3, PIXELS));
  }

  private Path goodLabels() throws IOException {
    return write("labels-idx1-ubyte", labels(0x801, 3, LABELS));
  }

  @Test
  void readsImagesAsRowsOfPixelValues() throws IOException {
    Dataset d = IdxData.read(goodImages(), goodLabels());

    assertThat(d.rows()).isEqualTo(3);
    assertThat(d.featureCount()).isEqualTo(6);
    assertThat(d.features()).containsExactly(0, 1, 2, 3, 4, 5, 255, 254, 128, 127, 0, 9, 10, 20, 30, 40, 50, 60);
    assertThat(d.labels()).containsExactly(7, 0, 3);
    assertThat(d.classes()).isEqualTo(8);
    assertThat(d.labelNames()).containsExactly("label");
  }

  @Test
  void readsGzipAndScalesPixels() throws IOException {
    Path images = write("images.gz", images(0x803, 3, 2, 3, PIXELS));
    Path labels = write("labels.gz", labels(0x801, 3, LABELS));
    Dataset d = IdxData.read(images, labels, 1 / 255f);

    float[] expected = new float[18];
    for (int i = 0; i < 3; i++) for (int j = 0; j < 6; j++) expected[i * 6 + j] = PIXELS[i][j] * (1 / 255f);
    assertThat(d.features()).containsExactly(expected);
    assertThat(d.feature(1, 0)).isEqualTo(1f);
    assertThat(d.labels()).containsExactly(7, 0, 3);
  }

  @Test
  void rejectsAWrongMagicNumber() throws IOException {
    Path odd = write("odd-images", images(0x0804, 3, 2, 3, PIXELS));
    assertThatThrownBy(() -> IdxData.read(odd, goodLabels()))
        .isInstanceOf(DataFileException.class)
        .hasMessage("odd-images: magic number 0x00000804 is not 0x00000803 (IDX unsigned-byte images of rank 3)");
  }

  @Test
  void suggestsSwappedArgumentsWhenTheMagicNumbersAreTheOtherWayRound() throws IOException {
    Path images = goodImages();
    Path labels = goodLabels();
    assertThatThrownBy(() -> IdxData.read(labels, images))
        .isInstanceOf(DataFileException.class)
        .hasMessage("labels-idx1-ubyte: magic number 0x00000801 is not 0x00000803 (IDX unsigned-byte images of"
            + " rank 3); it looks like the other file of the pair, are images and labels swapped?");
  }

  @Test
  void rejectsDifferentCounts() throws IOException {
    Path labels = write("labels-idx1-ubyte", labels(0x801, 2, new int[] {7, 0}));
    assertThatThrownBy(() -> IdxData.read(goodImages(), labels))
        .isInstanceOf(DataFileException.class)
        .hasMessage("labels-idx1-ubyte: has 2 labels, but images-idx3-ubyte has 3 images");
  }

  @Test
  void rejectsTruncatedFiles() throws IOException {
    byte[] whole = images(0x803, 3, 2, 3, PIXELS);
    Path images = write("cut-images", Arrays.copyOf(whole, 16 + 10));
    assertThatThrownBy(() -> IdxData.read(images, goodLabels()))
        .isInstanceOf(DataFileException.class)
        .hasMessage("cut-images: is truncated: the header announces 3 images of 2×3 pixels (18 bytes),"
            + " but the data ends after 10 bytes");

    Path labels = write("cut-labels", Arrays.copyOf(labels(0x801, 3, LABELS), 8 + 2));
    assertThatThrownBy(() -> IdxData.read(goodImages(), labels))
        .isInstanceOf(DataFileException.class)
        .hasMessage("cut-labels: is truncated: the header announces 3 labels (3 bytes), but the data ends after 2 bytes");

    Path header = write("header-images", Arrays.copyOf(whole, 10));
    assertThatThrownBy(() -> IdxData.read(header, goodLabels()))
        .isInstanceOf(DataFileException.class)
        .hasMessage("header-images: is truncated: it ends inside the header, before dimension 1");

    Path gz = write("cut-images.gz", whole);
    byte[] compressed = Files.readAllBytes(gz);
    Files.write(gz, Arrays.copyOf(compressed, compressed.length - 12));
    assertThatThrownBy(() -> IdxData.read(gz, goodLabels()))
        .isInstanceOf(DataFileException.class)
        .hasMessageStartingWith("cut-images.gz: has corrupt or truncated gzip data (");
  }

  @Test
  void rejectsDataBeyondWhatTheHeaderAnnounces() throws IOException {
    byte[] whole = images(0x803, 3, 2, 3, PIXELS);
    Path images = write("long-images", Arrays.copyOf(whole, whole.length + 1));
    assertThatThrownBy(() -> IdxData.read(images, goodLabels()))
        .isInstanceOf(DataFileException.class)
        .hasMessage("long-images: has data after the length its header announces");
  }

  @Test
  void rejectsImpossibleDimensions() throws IOException {
    Path huge = write("huge-images", images(0x803, 3, -1, 3, new int[0][]));
    assertThatThrownBy(() -> IdxData.read(huge, goodLabels()))
        .isInstanceOf(DataFileException.class)
        .hasMessage("huge-images: dimension 1 is 4294967295, too large");
    Path flat = write("flat-images", images(0x803, 3, 0, 3, new int[0][]));
    assertThatThrownBy(() -> IdxData.read(flat, goodLabels()))
        .isInstanceOf(DataFileException.class)
        .hasMessage("flat-images: images of 0×3 pixels have no features");
  }
}
