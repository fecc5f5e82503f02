package dev.fusebox.spark;

import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.NamedTensors;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * How training state and gradients travel between tasks and the driver: a program's named tensors as
 * bytes (checkpoints), and float arrays as their little-endian bytes (gradients between tasks). Both are
 * exact: every bit of every float arrives.
 */
final class Wire {
  private Wire() {}

  /** Named tensors as bytes: count, then for each its name, shape and floats. */
  static byte[] encode(NamedTensors tensors) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(tensors.size());
      for (String name : tensors.names()) {
        FloatTensor t = tensors.get(name);
        out.writeUTF(name);
        out.writeInt(t.shape().length);
        for (int d : t.shape()) out.writeInt(d);
        float[] data = t.data();
        out.writeInt(data.length);
        for (float f : data) out.writeInt(Float.floatToRawIntBits(f));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** The tensors {@link #encode} wrote, in the same order. */
  static NamedTensors decode(byte[] encoded) {
    NamedTensors tensors = new NamedTensors();
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded))) {
      int count = in.readInt();
      for (int i = 0; i < count; i++) {
        String name = in.readUTF();
        int[] shape = new int[in.readInt()];
        for (int d = 0; d < shape.length; d++) shape[d] = in.readInt();
        float[] data = new float[in.readInt()];
        for (int j = 0; j < data.length; j++) data[j] = Float.intBitsToFloat(in.readInt());
        tensors.put(name, new FloatTensor(shape, data));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return tensors;
  }

  /** The first {@code length} floats as their little-endian bytes. */
  static byte[] bytes(float[] values, int length) {
    ByteBuffer b = ByteBuffer.allocate(length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values, 0, length);
    return b.array();
  }

  /** The floats {@link #bytes} wrote. */
  static float[] floats(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[b.remaining() / Float.BYTES];
    b.asFloatBuffer().get(out);
    return out;
  }

  /** SHA-256 of some bytes, in hex. */
  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
