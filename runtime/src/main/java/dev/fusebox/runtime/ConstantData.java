package dev.fusebox.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/**
 * Large constants of generated programs, written into the source as Base64 text rather than as array
 * initialisers: an initialiser costs about seven bytes of bytecode per element, and a class's static
 * initialiser may hold at most 64 KB, so a constant of some ten thousand elements would not compile. A
 * string literal may hold 64 KB, so the text comes in chunks.
 */
public final class ConstantData {
  private ConstantData() {}

  /** Characters of Base64 per chunk: a multiple of 4, well below a string literal's 65,535 bytes. */
  public static final int CHUNK = 48_000;

  /** The floats as Base64 of their little-endian bytes, in chunks of at most {@link #CHUNK} characters. */
  public static String[] encode(float[] values) {
    ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) bytes.putFloat(v);
    String all = Base64.getEncoder().encodeToString(bytes.array());
    String[] chunks = new String[(all.length() + CHUNK - 1) / CHUNK];
    for (int i = 0; i < chunks.length; i++) chunks[i] = all.substring(i * CHUNK, Math.min(all.length(), (i + 1) * CHUNK));
    return chunks;
  }

  /** A new array of {@code length} floats (at least as many as encoded; the rest are 0) from {@link #encode}'s chunks. */
  public static float[] decode(int length, String... chunks) {
    ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(String.join("", chunks))).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[length];
    for (int i = 0; bytes.remaining() >= 4; i++) out[i] = bytes.getFloat();
    return out;
  }
}
