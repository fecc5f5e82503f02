package dev.fusebox.runtime.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.NamedTensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every way a file can be malformed, and the message that says so. */
class SafeTensorsCorruptionTest {
  @TempDir Path dir;

  private static final String W = "\"w\": {\"dtype\": \"F32\", \"shape\": [2, 3], \"data_offsets\": [0, 24]}";

  private Path file(byte[] bytes) throws IOException {
    return Files.write(dir.resolve("model.safetensors"), bytes);
  }

  /** A header text (padded with spaces to a multiple of 8) followed by {@code dataBytes} zero bytes. */
  private static byte[] withHeader(String header, int dataBytes) {
    byte[] text = header.getBytes(StandardCharsets.UTF_8);
    int padded = (text.length + 7) / 8 * 8;
    ByteBuffer b = ByteBuffer.allocate(8 + padded + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(padded).put(text);
    for (int i = text.length; i < padded; i++) b.put((byte) ' ');
    return b.array();
  }

  private static String obj(String fields) {
    return "{" + fields + "}";
  }

  private static byte[] lengthThen(long headerLength, int moreBytes) {
    return ByteBuffer.allocate(8 + moreBytes).order(ByteOrder.LITTLE_ENDIAN).putLong(headerLength).array();
  }

  static Stream<Arguments> badHeaders() {
    return Stream.of(
        Arguments.of("[1, 2]", 0, "header must be a JSON object, got [1,2]"),
        Arguments.of("", 0, "header is empty; expected a JSON object"),
        Arguments.of("        ", 0, "header is empty; expected a JSON object"),
        Arguments.of("{\"w\": 3}", 0, "tensor 'w': entry must be a JSON object, got 3"),
        Arguments.of("{\"w\": {\"shape\": [2, 3], \"data_offsets\": [0, 24]}}", 24, "tensor 'w': missing field 'dtype'"),
        Arguments.of("{\"w\": {\"dtype\": \"F32\", \"data_offsets\": [0, 24]}}", 24, "tensor 'w': missing field 'shape'"),
        Arguments.of("{\"w\": {\"dtype\": \"F32\", \"shape\": [2, 3]}}", 24, "tensor 'w': missing field 'data_offsets'"),
        Arguments.of(obj(W.replace("\"F32\"", "32")), 24, "tensor 'w': field 'dtype' must be a string, got 32"),
        Arguments.of("{\"layers.0.weight\": {\"dtype\": \"F64\", \"shape\": [3], \"data_offsets\": [0, 24]}}", 24,
            "tensor 'layers.0.weight': dtype F64 is not supported (expected F32)"),
        Arguments.of(obj(W.replace("[2, 3]", "\"2x3\"")), 24,
            "tensor 'w': field 'shape' must be an array of integers, got \"2x3\""),
        Arguments.of(obj(W.replace("[2, 3]", "[2.0, 3]")), 24,
            "tensor 'w': field 'shape' must be an array of integers, got [2.0,3]"),
        Arguments.of(obj(W.replace("[0, 24]", "[0]")), 24,
            "tensor 'w': field 'data_offsets' must be an array of 2 integers, got [0]"),
        Arguments.of(obj(W.replace("[0, 24]", "{\"begin\": 0}")), 24,
            "tensor 'w': field 'data_offsets' must be an array of 2 integers, got {\"begin\":0}"),
        Arguments.of(obj(W.replace("[2, 3]", "[2, -3]")), 24, "tensor 'w': shape [2, -3] has a negative dimension"),
        Arguments.of(obj(W.replace("[2, 3]", "[3000000000]")), 24,
            "tensor 'w': shape [3000000000] has a dimension larger than 2147483647"),
        Arguments.of(obj(W.replace("[2, 3]", "[65536, 32768]")), 24,
            "tensor 'w': shape [65536, 32768] holds more values than a Java array can"),
        Arguments.of(obj(W.replace("[0, 24]", "[-4, 20]")), 24, "tensor 'w': data_offsets [-4, 20]: offsets must not be negative"),
        Arguments.of(obj(W.replace("[0, 24]", "[24, 0]")), 24, "tensor 'w': data_offsets [24, 0]: end is before begin"),
        Arguments.of(obj(W.replace("[0, 24]", "[0, 20]")), 24,
            "tensor 'w': data_offsets [0, 20] span 20 bytes, but shape [2, 3] of F32 needs 24"),
        Arguments.of(obj(W), 16, "tensor 'w': data_offsets [0, 24] run past the end of the data section"
            + " (16 bytes): the file is truncated or the offsets are wrong"),
        Arguments.of("{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]},"
            + " \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8, 16]}}", 16,
            "tensor 'b' (bytes 8..16) overlaps tensor 'a' (bytes 0..16)"),
        Arguments.of("{\"__metadata__\": [\"x\"], " + W + "}", 24,
            "field '__metadata__' must be an object of strings, got [\"x\"]"),
        Arguments.of("{\"__metadata__\": {\"ok\": \"1\", \"epoch\": 3}, " + W + "}", 24,
            "field '__metadata__': value of key 'epoch' must be a string, got 3"));
  }

  @ParameterizedTest(name = "{2}")
  @MethodSource("badHeaders")
  void rejectsAMalformedHeaderNamingTheFileAndField(String header, int dataBytes, String expected) throws IOException {
    Path file = file(withHeader(header, dataBytes));
    assertThatThrownBy(() -> SafeTensors.read(file))
        .isInstanceOf(ParameterFileException.class)
        .hasMessage("model.safetensors: " + expected)
        .satisfies(e -> assertThat(((ParameterFileException) e).file()).isEqualTo(file));
  }

  @Test
  void rejectsAFileTooShortForTheHeaderLength() throws IOException {
    Path file = file(new byte[5]);
    assertThatThrownBy(() -> SafeTensors.read(file))
        .isInstanceOf(ParameterFileException.class)
        .hasMessage("model.safetensors: file is 5 bytes, too short to hold the 8-byte header length");
  }

  @Test
  void rejectsAnAbsurdHeaderLength() throws IOException {
    Path big = file(lengthThen(200_000_000L, 16));
    assertThatThrownBy(() -> SafeTensors.read(big))
        .isInstanceOf(ParameterFileException.class)
        .hasMessage("model.safetensors: header length 200000000 is larger than the limit of 100000000 bytes;"
            + " this is not a safetensors file");
    Path huge = file(lengthThen(-1L, 16)); // all bits set: 2^64 - 1 as an unsigned length
    assertThatThrownBy(() -> SafeTensors.read(huge))
        .isInstanceOf(ParameterFileException.class)
        .hasMessage("model.safetensors: header length 18446744073709551615 is larger than the limit of 100000000"
            + " bytes; this is not a safetensors file");
  }

  @Test
  void rejectsAHeaderLengthPastTheEndOfTheFile() throws IOException {
    Path file = file(lengthThen(64, 16));
    assertThatThrownBy(() -> SafeTensors.read(file))
        .isInstanceOf(ParameterFileException.class)
        .hasMessage("model.safetensors: header length 64 runs past the end of the file (24 bytes):"
            + " the file is truncated or not a safetensors file");
  }

  @Test
  void reportsWhereTheJsonBreaks() throws IOException {
    Path file = file(withHeader("{\"w\": {\"dtype\": \"F32\",\n \"shape\": [2, 3]]}}", 24));
    assertThatThrownBy(() -> SafeTensors.read(file))
        .isInstanceOf(ParameterFileException.class)
        .hasMessageStartingWith("model.safetensors: header is not valid JSON at line 2, column 17: ");
  }

  @Test
  void rejectsDuplicateTensorNames() throws IOException {
    Path file = file(withHeader("{" + W + ", " + W + "}", 24));
    assertThatThrownBy(() -> SafeTensors.read(file))
        .isInstanceOf(ParameterFileException.class)
        .hasMessageStartingWith("model.safetensors: header is not valid JSON at line 1, column ")
        .hasMessageContaining("'w'");
  }

  @Test
  void rejectsAHeaderThatIsNotUtf8() throws IOException {
    byte[] bytes = withHeader("{\"w\u00e9\": 1}", 0);
    bytes[8 + 3] = (byte) 0xff; // the first byte of the two-byte letter, after the brace, quote and w
    Path file = file(bytes);
    assertThatThrownBy(() -> SafeTensors.read(file))
        .isInstanceOf(ParameterFileException.class)
        .hasMessage("model.safetensors: header is not valid UTF-8 (at header byte 3)");
  }

  @Test
  void rejectsATruncatedFile() throws IOException {
    Path file = dir.resolve("model.safetensors");
    SafeTensors.write(file, new NamedTensors()
        .put("a", FloatTensor.of(new float[] {1f, 2f}, 2))
        .put("b", FloatTensor.of(new float[] {3f, 4f, 5f}, 3)));
    byte[] whole = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(whole, whole.length - 3)); // 20 data bytes become 17

    assertThatThrownBy(() -> SafeTensors.read(file))
        .isInstanceOf(ParameterFileException.class)
        .hasMessage("model.safetensors: tensor 'b': data_offsets [8, 20] run past the end of the data section"
            + " (17 bytes): the file is truncated or the offsets are wrong");
  }
}
