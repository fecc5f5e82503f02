package dev.fusebox.runtime.io;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes a safetensors header byte for byte as Python's {@code json.dumps} does with its defaults
 * ({@code ", "} and {@code ": "} separators, non-ASCII escaped as lower-case {@code \\uXXXX}), padded
 * with spaces to a multiple of 8. Matching the Python writers exactly means a file saved here and one
 * saved from NumPy or PyTorch have the same bytes and the same hash. The header is small and its shape
 * is fixed, so it is formatted by hand rather than by bending a JSON library's pretty printer.
 */
final class HeaderFormat {
  static final String METADATA_KEY = "__metadata__";
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private HeaderFormat() {}

  /**
   * The padded header. {@code __metadata__} comes first, as the safetensors library writes it, and only
   * when there is metadata: an empty object would make the bytes differ from writers that omit it.
   */
  static byte[] format(Map<String, String> metadata, List<TensorEntry> entries) {
    StringBuilder b = new StringBuilder(64 + 96 * entries.size());
    b.append('{');
    String sep = "";
    if (!metadata.isEmpty()) {
      string(b, METADATA_KEY).append(": {");
      String inner = "";
      for (Map.Entry<String, String> m : metadata.entrySet()) {
        string(b.append(inner), m.getKey()).append(": ");
        string(b, m.getValue());
        inner = ", ";
      }
      b.append('}');
      sep = ", ";
    }
    for (TensorEntry e : entries) {
      string(b.append(sep), e.name()).append(": {\"dtype\": \"F32\", \"shape\": [");
      for (int i = 0; i < e.shape().length; i++) b.append(i > 0 ? ", " : "").append(e.shape()[i]);
      b.append("], \"data_offsets\": [").append(e.begin()).append(", ").append(e.end()).append("]}");
      sep = ", ";
    }
    b.append('}');
    // Every character is ASCII after escaping, so one char is one byte.
    int padded = (b.length() + 7) / 8 * 8;
    byte[] bytes = Arrays.copyOf(b.toString().getBytes(StandardCharsets.US_ASCII), padded);
    Arrays.fill(bytes, b.length(), padded, (byte) ' ');
    return bytes;
  }

  /** Appends {@code s} as a JSON string literal escaped as Python's {@code ensure_ascii=True} does. */
  private static StringBuilder string(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        default -> {
          if (c >= 0x20 && c < 0x7f) {
            b.append(c);
          } else {
            // Characters outside the BMP are already two UTF-16 surrogates here, which is how Python
            // escapes them too.
            b.append("\\u").append(HEX[c >>> 12]).append(HEX[(c >>> 8) & 15]).append(HEX[(c >>> 4) & 15])
                .append(HEX[c & 15]);
          }
        }
      }
    }
    return b.append('"');
  }

  /** Whether {@code s} is well-formed UTF-16, i.e. has no unpaired surrogate that UTF-8 cannot encode. */
  static boolean wellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
