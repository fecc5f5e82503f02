package dev.fusebox.onnx;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a protobuf message field by field, to check what the exporter wrote without its own code:
 * varints as {@code Long}, 32-bit values as {@code Integer} bits, length-delimited fields as {@code byte[]}.
 */
final class ProtoReader {
  private final Map<Integer, List<Object>> fields = new LinkedHashMap<>();

  ProtoReader(byte[] bytes) {
    int[] at = {0};
    while (at[0] < bytes.length) {
      long tag = varint(bytes, at);
      int field = (int) (tag >>> 3);
      Object value;
      switch ((int) (tag & 7)) {
        case 0 -> value = varint(bytes, at);
        case 5 -> {
          int bits = 0;
          for (int i = 0; i < 4; i++) bits |= (bytes[at[0] + i] & 0xFF) << (8 * i);
          at[0] += 4;
          value = bits;
        }
        case 2 -> {
          int n = (int) varint(bytes, at);
          byte[] b = new byte[n];
          System.arraycopy(bytes, at[0], b, 0, n);
          at[0] += n;
          value = b;
        }
        default -> throw new IllegalArgumentException("wire type " + (tag & 7) + " of field " + field);
      }
      fields.computeIfAbsent(field, k -> new ArrayList<>()).add(value);
    }
  }

  private static long varint(byte[] b, int[] at) {
    long v = 0;
    for (int shift = 0; ; shift += 7) {
      byte x = b[at[0]++];
      v |= (long) (x & 0x7F) << shift;
      if ((x & 0x80) == 0) return v;
    }
  }

  List<Object> all(int field) {
    return fields.getOrDefault(field, List.of());
  }

  long number(int field) {
    return (Long) all(field).get(0);
  }

  String string(int field) {
    return all(field).isEmpty() ? "" : new String((byte[]) all(field).get(0), StandardCharsets.UTF_8);
  }

  List<String> strings(int field) {
    return all(field).stream().map(b -> new String((byte[]) b, StandardCharsets.UTF_8)).toList();
  }

  ProtoReader message(int field) {
    return new ProtoReader((byte[]) all(field).get(0));
  }

  List<ProtoReader> messages(int field) {
    return all(field).stream().map(b -> new ProtoReader((byte[]) b)).toList();
  }

  boolean has(int field) {
    return fields.containsKey(field);
  }
}
