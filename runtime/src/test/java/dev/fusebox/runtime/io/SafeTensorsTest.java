package dev.fusebox.runtime.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.NamedTensors;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedByInterruptException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
  @TempDir Path dir;

  /** The tensors make_reference.py writes, spelled out independently of both writers. */
  private static NamedTensors referenceTensors() {
    return new NamedTensors()
        .put("dense.weight", FloatTensor.of(
            new float[] {1.5f, -2.25f, 0.125f, -0.0f, Float.MIN_VALUE, Float.MAX_VALUE}, 2, 3))
        .put("dense.bias", FloatTensor.of(new float[] {0.5f, -1f, 2f}, 3))
        .put("step", FloatTensor.of(new float[] {42f}))
        .put("empty", FloatTensor.of(new float[0], 0, 4))
        .put("na\u00efve.\u540d", FloatTensor.of(new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}, 2))
        .put("quote\"back\\slash\ttab", FloatTensor.of(new float[] {7f}, 1));
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = SafeTensorsTest.class.getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    }
  }

  /** A file from a header text (padded here with spaces to a multiple of 8) and raw data bytes. */
  private static byte[] fileBytes(String header, byte[] data) {
    byte[] text = header.getBytes(StandardCharsets.UTF_8);
    int padded = (text.length + 7) / 8 * 8;
    ByteBuffer b = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(padded).put(text);
    for (int i = text.length; i < padded; i++) b.put((byte) ' ');
    return b.put(data).array();
  }

  private static byte[] littleEndian(float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) b.putFloat(v);
    return b.array();
  }

  @Test
  void readsTheFileThePythonReferenceWriterWrote() throws IOException {
    Path file = dir.resolve("reference.safetensors");
    Files.write(file, resource("reference.safetensors"));

    SafeTensorsFile read = SafeTensors.read(file);

    assertThat(read.tensors()).isEqualTo(referenceTensors());
    assertThat(read.tensors().names()).containsExactlyElementsOf(referenceTensors().names());
    assertThat(read.tensors().require("step").shape()).isEmpty();
    assertThat(read.metadata()).isEmpty();
  }

  @Test
  void writesTheSameBytesAsThePythonReferenceWriter() throws IOException {
    Path file = dir.resolve("model.safetensors");
    SafeTensors.write(file, referenceTensors());
    assertThat(Files.readAllBytes(file)).isEqualTo(resource("reference.safetensors"));
  }

  @Test
  void writesPythonLayoutWithMetadataFirst() throws IOException {
    Path file = dir.resolve("model.safetensors");
    NamedTensors tensors = new NamedTensors()
        .put("w", FloatTensor.of(new float[] {1f, 2f, 3f, 4f}, 2, 2))
        .put("b", FloatTensor.of(new float[] {-1f}, 1));
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("format", "pt");
    metadata.put("\u00e9poch", "3");

    SafeTensors.write(file, tensors, metadata);

    // 181 characters of JSON, padded with 3 spaces to 184.
    String json = "{\"__metadata__\": {\"format\": \"pt\", \"\\u00e9poch\": \"3\"}, "
        + "\"w\": {\"dtype\": \"F32\", \"shape\": [2, 2], \"data_offsets\": [0, 16]}, "
        + "\"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [16, 20]}}";
    assertThat(json).hasSize(181);
    ByteBuffer expected = ByteBuffer.allocate(8 + 184 + 20).order(ByteOrder.LITTLE_ENDIAN);
    expected.putLong(184).put((json + "   ").getBytes(StandardCharsets.US_ASCII));
    expected.put(littleEndian(1f, 2f, 3f, 4f, -1f));
    assertThat(Files.readAllBytes(file)).isEqualTo(expected.array());
  }

  @Test
  void roundTripsTensorsMetadataScalarsAndEmptyTensors() throws IOException {
    Path file = dir.resolve("model.safetensors");
    float[] big = new float[300_000]; // more than one 1 MiB chunk
    for (int i = 0; i < big.length; i++) big[i] = (float) Math.sin(i) * i;
    NamedTensors tensors = new NamedTensors()
        .put("z.last-name-first", FloatTensor.of(new float[] {Float.NaN, 1e-30f}, 1, 2))
        .put("scalar", FloatTensor.of(new float[] {-7.5f}))
        .put("none", FloatTensor.of(new float[0], 3, 0))
        .put("big", FloatTensor.of(big, 1000, 300));
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("z", "last key first");
    metadata.put("a", "");

    SafeTensors.write(file, tensors, metadata);
    SafeTensorsFile read = SafeTensors.read(file);

    assertThat(read.tensors()).isEqualTo(tensors);
    assertThat(read.tensors().names()).containsExactly("z.last-name-first", "scalar", "none", "big");
    assertThat(read.metadata()).containsExactly(Map.entry("z", "last key first"), Map.entry("a", ""));
  }

  @Test
  void writesNoMetadataObjectWhenMetadataIsEmpty() throws IOException {
    Path file = dir.resolve("model.safetensors");
    SafeTensors.write(file, new NamedTensors().put("s", FloatTensor.of(new float[] {2f})), Map.of());

    byte[] bytes = Files.readAllBytes(file);
    long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
    assertThat(header.has("__metadata__")).isFalse();
    assertThat(SafeTensors.read(file).metadata()).isEmpty();
  }

  @Test
  void writesAndReadsAFileWithNoTensors() throws IOException {
    Path file = dir.resolve("empty.safetensors");
    SafeTensors.write(file, new NamedTensors());

    byte[] expected = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
        .putLong(8).put("{}      ".getBytes(StandardCharsets.US_ASCII)).array();
    assertThat(Files.readAllBytes(file)).isEqualTo(expected);
    assertThat(SafeTensors.read(file).tensors().size()).isZero();
  }

  @Test
  void readsAHandBuiltFileInDataOrder() throws IOException {
    // Header order differs from data order; offsets leave a 4-byte gap before "late", which readers
    // must allow; the JSON uses compact separators the way the Rust writer does.
    String header = "{\"late\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]},"
        + "\"__metadata__\":{\"epoch\":\"12\",\"note\":\"caf\u00e9\"},"
        + "\"early\":{\"shape\":[1,2],\"data_offsets\":[0,8],\"dtype\":\"F32\"},"
        + "\"zero\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,8]},"
        + "\"one\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]}}";
    byte[] data = littleEndian(0.25f, -8f, 1e6f, Float.NaN, 3f, -3f);
    Path file = dir.resolve("hand.safetensors");
    Files.write(file, fileBytes(header, data));

    SafeTensorsFile read = SafeTensors.read(file);

    assertThat(read.tensors().names()).containsExactly("early", "zero", "one", "late");
    assertThat(read.tensors().require("early")).isEqualTo(FloatTensor.of(new float[] {0.25f, -8f}, 1, 2));
    assertThat(read.tensors().require("zero")).isEqualTo(FloatTensor.of(new float[0], 0));
    assertThat(read.tensors().require("one")).isEqualTo(FloatTensor.of(new float[] {1e6f}));
    assertThat(read.tensors().require("late")).isEqualTo(FloatTensor.of(new float[] {3f, -3f}, 2));
    assertThat(read.metadata()).containsExactly(Map.entry("epoch", "12"), Map.entry("note", "caf\u00e9"));
  }

  @Test
  void readsANamedPipeWhichCannotSeekByReadingItFirst() throws Exception {
    Path file = dir.resolve("model.safetensors");
    SafeTensors.write(file, referenceTensors(), Map.of("epoch", "3"));
    Path fifo = dir.resolve("pipe.safetensors");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assumeTrue(mkfifo.waitFor() == 0, "mkfifo is not available");
    Thread writer = new Thread(() -> {
      try {
        Files.write(fifo, Files.readAllBytes(file));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    writer.start();
    SafeTensorsFile read = SafeTensors.read(fifo);
    writer.join();
    assertThat(read.tensors()).isEqualTo(referenceTensors());
    assertThat(read.metadata()).containsExactly(Map.entry("epoch", "3"));
  }

  @Test
  void readsMetadataAloneAndTheExactSizeOfAFile() throws IOException {
    Path file = dir.resolve("model.safetensors");
    SafeTensors.write(file, referenceTensors(), Map.of("epoch", "3", "note", "x"));
    assertThat(SafeTensors.readMetadata(file)).containsOnly(Map.entry("epoch", "3"), Map.entry("note", "x"));
    assertThat(SafeTensors.fileSize(referenceTensors(), Map.of("epoch", "3", "note", "x"))).isEqualTo(Files.size(file));
  }

  @Test
  void aFailedWriteLeavesTheOldFileAndNoTemporaryFile() throws IOException {
    Path file = dir.resolve("model.safetensors");
    SafeTensors.write(file, referenceTensors());
    byte[] before = Files.readAllBytes(file);

    // An interrupt makes the channel's first write fail after the temporary file exists, just as when
    // a training job is stopped in the middle of saving a checkpoint.
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> SafeTensors.write(file, new NamedTensors().put("x", FloatTensor.of(new float[] {1f}))))
          .isInstanceOf(ClosedByInterruptException.class);
    } finally {
      assertThat(Thread.interrupted()).as("interrupt status kept for the caller").isTrue();
    }

    assertThat(Files.readAllBytes(file)).isEqualTo(before);
    assertThat(listing()).containsExactly("model.safetensors");
  }

  @Test
  void aFailedRenameLeavesNoTemporaryFile() throws IOException {
    Path target = Files.createDirectory(dir.resolve("model.safetensors"));
    Files.writeString(target.resolve("keep.txt"), "kept");

    assertThatThrownBy(() -> SafeTensors.write(target, referenceTensors())).isInstanceOf(IOException.class);

    assertThat(listing()).containsExactly("model.safetensors");
    assertThat(Files.readString(target.resolve("keep.txt"))).isEqualTo("kept");
  }

  @Test
  void writingIntoAMissingDirectoryCreatesNothing() {
    Path file = dir.resolve("missing").resolve("model.safetensors");
    assertThatThrownBy(() -> SafeTensors.write(file, referenceTensors()))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("missing");
    assertThat(listing()).isEmpty();
  }

  @Test
  void rejectsNamesTheFormatCannotHold() throws IOException {
    Path file = dir.resolve("model.safetensors");
    SafeTensors.write(file, referenceTensors());
    byte[] before = Files.readAllBytes(file);
    FloatTensor one = FloatTensor.of(new float[] {1f});

    assertThatThrownBy(() -> SafeTensors.write(file, new NamedTensors().put("__metadata__", one)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a tensor cannot be named '__metadata__': the format reserves it");
    assertThatThrownBy(() -> SafeTensors.write(file, new NamedTensors().put("bad\ud800", one)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tensor name 'bad\ud800' has an unpaired surrogate and cannot be stored as UTF-8");
    assertThatThrownBy(() -> SafeTensors.write(file, new NamedTensors().put("ok", one), Map.of("k", "\udc00")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("metadata value of key 'k' '\udc00' has an unpaired surrogate and cannot be stored as UTF-8");

    assertThat(Files.readAllBytes(file)).isEqualTo(before);
    assertThat(listing()).containsExactly("model.safetensors");
  }

  private List<String> listing() {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
