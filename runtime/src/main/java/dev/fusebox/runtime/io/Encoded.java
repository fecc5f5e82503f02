package dev.fusebox.runtime.io;

import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.NamedTensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A safetensors file laid out in memory but for its data, which stays in the tensors' arrays until it
 * is written: the padded header, and the tensors in order. Shared by single files and model pairs.
 */
final class Encoded {
  private static final int CHUNK_BYTES = 1 << 20;

  private final byte[] header;
  private final List<float[]> data;
  private final long dataBytes;
  private final long largest;

  private Encoded(byte[] header, List<float[]> data, long dataBytes, long largest) {
    this.header = header;
    this.data = data;
    this.dataBytes = dataBytes;
    this.largest = largest;
  }

  /**
   * Lays out the tensors, in their order, after a header with the metadata strings.
   *
   * @throws IllegalArgumentException if a tensor is named {@code __metadata__}, or a name, key or value
   *     is not well-formed UTF-16 (and so could not be stored as UTF-8)
   */
  static Encoded of(NamedTensors tensors, Map<String, String> metadata) {
    List<TensorEntry> entries = layout(tensors);
    metadata.forEach((k, v) -> {
      checkText(k, "metadata key");
      checkText(v, "metadata value of key '" + k + "'");
    });
    byte[] header = HeaderFormat.format(metadata, entries);
    List<float[]> data = tensors.asMap().values().stream().map(FloatTensor::data).toList();
    long bytes = entries.isEmpty() ? 0 : entries.get(entries.size() - 1).end();
    long largest = entries.stream().mapToLong(e -> e.end() - e.begin()).max().orElse(0);
    return new Encoded(header, data, bytes, largest);
  }

  /** The size of the whole file. */
  long size() {
    return Long.BYTES + header.length + dataBytes;
  }

  /** Writes the whole file to the channel. */
  void writeTo(WritableByteChannel channel) throws IOException {
    writeHeader(channel);
    writeData(channel);
  }

  void writeHeader(WritableByteChannel channel) throws IOException {
    ByteBuffer prefix = ByteBuffer.allocate(Long.BYTES + header.length).order(ByteOrder.LITTLE_ENDIAN);
    prefix.putLong(header.length).put(header).flip();
    writeFully(channel, prefix);
  }

  void writeData(WritableByteChannel channel) throws IOException {
    ByteBuffer chunk = chunk(largest);
    for (float[] values : data) {
      for (int off = 0; off < values.length; ) {
        int n = fill(chunk, values, off);
        writeFully(channel, chunk);
        off += n;
      }
    }
  }

  /** SHA-256 of the data section the tensors make (their little-endian bytes in order), in lower-case hex. */
  static String dataSha256(NamedTensors tensors) {
    MessageDigest digest = sha256();
    long largest = tensors.asMap().values().stream().mapToLong(t -> (long) t.size() * Float.BYTES).max().orElse(0);
    ByteBuffer chunk = chunk(largest);
    for (FloatTensor t : tensors.asMap().values()) {
      float[] values = t.data();
      for (int off = 0, size = t.size(); off < size; ) {
        int n = fill(chunk, values, off, size);
        digest.update(chunk);
        off += n;
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  static ByteBuffer chunk(long largestTensorBytes) {
    int bytes = (int) Math.max(Float.BYTES, Math.min(CHUNK_BYTES, largestTensorBytes));
    return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Puts as many of {@code values[off..]} as fit into the cleared chunk, ready to drain; returns how many. */
  private static int fill(ByteBuffer chunk, float[] values, int off) {
    return fill(chunk, values, off, values.length);
  }

  private static int fill(ByteBuffer chunk, float[] values, int off, int end) {
    int n = Math.min(end - off, chunk.capacity() / Float.BYTES);
    chunk.clear();
    chunk.asFloatBuffer().put(values, off, n);
    chunk.limit(n * Float.BYTES);
    return n;
  }

  static void writeFully(WritableByteChannel channel, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) channel.write(buffer);
  }

  /** Contiguous byte ranges in the tensors' order, after checking their names. */
  private static List<TensorEntry> layout(NamedTensors tensors) {
    List<TensorEntry> entries = new ArrayList<>(tensors.size());
    long offset = 0;
    for (Map.Entry<String, FloatTensor> t : tensors.asMap().entrySet()) {
      String name = t.getKey();
      checkText(name, "tensor name");
      if (name.equals(HeaderFormat.METADATA_KEY)) {
        throw new IllegalArgumentException("a tensor cannot be named '" + name + "': the format reserves it");
      }
      long bytes = (long) t.getValue().size() * Float.BYTES;
      entries.add(new TensorEntry(name, t.getValue().shape().clone(), offset, offset + bytes));
      offset += bytes;
    }
    return entries;
  }

  private static void checkText(String s, String what) {
    if (s == null) throw new IllegalArgumentException(what + " is null");
    if (!HeaderFormat.wellFormed(s)) {
      throw new IllegalArgumentException(what + " '" + s + "' has an unpaired surrogate and cannot be stored as UTF-8");
    }
  }
}
