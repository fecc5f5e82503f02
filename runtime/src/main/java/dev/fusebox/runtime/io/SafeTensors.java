package dev.fusebox.runtime.io;

import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes parameter files in the <a href="https://github.com/huggingface/safetensors">safetensors</a>
 * format: an 8-byte little-endian header length, a JSON header padded with spaces to a multiple of 8
 * bytes, then the raw little-endian tensor data. Only F32 tensors are supported.
 *
 * <p>Files written here have exactly the bytes NumPy and PyTorch writers produce for the same tensors:
 * tensors laid out contiguously in the order given, {@code __metadata__} first when there is any.
 */
public final class SafeTensors {
  /** The largest header accepted, as in the reference implementation: beyond it, a file is not one. */
  public static final long MAX_HEADER_BYTES = 100_000_000L;

  private static final int CHUNK_BYTES = 1 << 20;

  private SafeTensors() {}

  /** Writes the tensors with no metadata; see {@link #write(Path, NamedTensors, Map)}. */
  public static void write(Path file, NamedTensors tensors) throws IOException {
    write(file, tensors, Map.of());
  }

  /** Writes the program's trainable parameters alone, with no metadata; see {@link #writeParameters(Path, Program, Map)}. */
  public static void writeParameters(Path file, Program program) throws IOException {
    writeParameters(file, program, Map.of());
  }

  /**
   * Writes the program's trainable parameters ({@link Program#parameterNames()}, in that order) and
   * nothing else: no optimizer state, no other tensor. This is the model file: it loads into an
   * inference program of the same graph with {@code program.load(SafeTensors.read(file).tensors())},
   * and into PyTorch as a {@code state_dict}, since dense layers keep PyTorch's names and shapes.
   *
   * @throws IllegalStateException if the program names a parameter its state does not hold
   */
  public static void writeParameters(Path file, Program program, Map<String, String> metadata) throws IOException {
    NamedTensors state = program.state();
    NamedTensors parameters = new NamedTensors();
    for (String name : program.parameterNames()) {
      FloatTensor t = state.get(name);
      if (t == null) {
        throw new IllegalStateException("parameter '" + name + "' is missing from the program's state, which has " + state.names());
      }
      parameters.put(name, t);
    }
    write(file, parameters, metadata);
  }

  /**
   * Writes the tensors, in their order, and the metadata strings. The file is replaced atomically
   * where the file system allows it: if writing fails, an existing file keeps its old contents and no
   * temporary file is left behind.
   *
   * @throws IllegalArgumentException if a tensor is named {@code __metadata__}, or a name, key or value
   *     is not well-formed UTF-16 (and so could not be stored as UTF-8)
   */
  public static void write(Path file, NamedTensors tensors, Map<String, String> metadata) throws IOException {
    List<TensorEntry> entries = layout(tensors);
    metadata.forEach((k, v) -> {
      checkText(k, "metadata key");
      checkText(v, "metadata value of key '" + k + "'");
    });
    byte[] header = HeaderFormat.format(metadata, entries);
    List<float[]> data = tensors.asMap().values().stream().map(FloatTensor::data).toList();
    long largest = entries.stream().mapToLong(e -> e.end() - e.begin()).max().orElse(0);

    AtomicFiles.replace(file, channel -> {
      ByteBuffer prefix = ByteBuffer.allocate(Long.BYTES + header.length).order(ByteOrder.LITTLE_ENDIAN);
      prefix.putLong(header.length).put(header).flip();
      writeFully(channel, prefix);
      ByteBuffer chunk = chunk(largest);
      for (float[] values : data) {
        for (int off = 0; off < values.length; ) {
          int n = Math.min(values.length - off, chunk.capacity() / Float.BYTES);
          chunk.clear();
          chunk.asFloatBuffer().put(values, off, n);
          chunk.limit(n * Float.BYTES);
          writeFully(channel, chunk);
          off += n;
        }
      }
    });
  }

  /**
   * Reads a whole file. Every part of the header is checked before any data is read; a file that fails
   * a check throws {@link ParameterFileException} naming the file and the part that is wrong, and
   * nothing partial is returned.
   *
   * <p>The tensors come back in the order of their data in the file. For files from this class and from
   * the usual writers that is the order they were written in; unlike the order of keys in a JSON object,
   * which JSON leaves unspecified, it is always well defined.
   */
  public static SafeTensorsFile read(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < Long.BYTES) {
        throw new ParameterFileException(file, "file is " + size + " bytes, too short to hold the 8-byte header length");
      }
      ByteBuffer lengthBytes = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, lengthBytes, 0, file, "the header length");
      long headerLength = lengthBytes.flip().getLong();
      // A negative long is an unsigned length of at least 2^63: far over the limit too.
      if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
        throw new ParameterFileException(file, "header length " + Long.toUnsignedString(headerLength)
            + " is larger than the limit of " + MAX_HEADER_BYTES + " bytes; this is not a safetensors file");
      }
      if (headerLength > size - Long.BYTES) {
        throw new ParameterFileException(file, "header length " + headerLength + " runs past the end of the file ("
            + size + " bytes): the file is truncated or not a safetensors file");
      }
      ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
      readFully(channel, headerBytes, Long.BYTES, file, "the header");
      long dataStart = Long.BYTES + headerLength;
      HeaderParser.Header header = HeaderParser.parse(file, headerBytes.array(), size - dataStart);

      long largest = header.entries().stream().mapToLong(e -> e.end() - e.begin()).max().orElse(0);
      ByteBuffer chunk = chunk(largest);
      NamedTensors tensors = new NamedTensors();
      for (TensorEntry e : header.entries()) {
        float[] values = new float[(int) e.count()];
        long position = dataStart + e.begin();
        for (int off = 0; off < values.length; ) {
          int n = Math.min(values.length - off, chunk.capacity() / Float.BYTES);
          chunk.clear().limit(n * Float.BYTES);
          readFully(channel, chunk, position, file, "tensor '" + e.name() + "'");
          chunk.flip().asFloatBuffer().get(values, off, n);
          position += (long) n * Float.BYTES;
          off += n;
        }
        tensors.put(e.name(), new FloatTensor(e.shape(), values));
      }
      return new SafeTensorsFile(tensors, header.metadata());
    }
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

  private static ByteBuffer chunk(long largestTensorBytes) {
    int bytes = (int) Math.max(Float.BYTES, Math.min(CHUNK_BYTES, largestTensorBytes));
    return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) channel.write(buffer);
  }

  /** Fills the buffer from {@code position}; the file may have shrunk since its size was taken. */
  private static void readFully(FileChannel channel, ByteBuffer buffer, long position, Path file, String what)
      throws IOException {
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, position);
      if (n < 0) {
        throw new ParameterFileException(file, "file is truncated: it ends at byte " + position + " while reading " + what);
      }
      position += n;
    }
  }
}
