package dev.fusebox.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The protocol-buffer wire format, as much of it as ONNX files need: varints, 32-bit floats and
 * length-delimited fields (strings, bytes, nested messages). Fields are written in the order the
 * caller gives them, so the same model always gives the same bytes.
 *
 * <p>Written here rather than taken from a protobuf library: ONNX's messages are few and their field
 * numbers fixed forever, and a writer of them keeps {@code protobuf-java} (whose major versions clash
 * on users' class paths) out of Fusebox's dependencies.
 */
final class Protobuf {
  private static final int VARINT = 0;
  private static final int FIXED32 = 5;
  private static final int LENGTH_DELIMITED = 2;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  /** An int32, int64 or enum field. */
  Protobuf varint(int field, long value) {
    tag(field, VARINT);
    rawVarint(value);
    return this;
  }

  /** A float field. */
  Protobuf float32(int field, float value) {
    tag(field, FIXED32);
    int bits = Float.floatToRawIntBits(value);
    for (int i = 0; i < 4; i++) out.write(bits >>> (8 * i));
    return this;
  }

  /** A string field, in UTF-8. */
  Protobuf string(int field, String value) {
    return bytes(field, value.getBytes(StandardCharsets.UTF_8));
  }

  /** A bytes field. */
  Protobuf bytes(int field, byte[] value) {
    tag(field, LENGTH_DELIMITED);
    rawVarint(value.length);
    out.writeBytes(value);
    return this;
  }

  /** A nested message field. */
  Protobuf message(int field, Protobuf message) {
    return bytes(field, message.toBytes());
  }

  /** The bytes written so far. */
  byte[] toBytes() {
    return out.toByteArray();
  }

  /** How many bytes have been written. */
  int size() {
    return out.size();
  }

  private void tag(int field, int wireType) {
    rawVarint(((long) field << 3) | wireType);
  }

  /** Seven bits a byte, lowest first; a negative int64 takes ten bytes, as protobuf writes it. */
  private void rawVarint(long value) {
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }
}
