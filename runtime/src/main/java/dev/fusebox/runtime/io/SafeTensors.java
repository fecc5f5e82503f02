package dev.fusebox.runtime.io;

import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
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

  private SafeTensors() {}

  /**
   * Writes the tensors with no metadata; see {@link #write(Path, NamedTensors, Map)}.
   *
   * @param file the file to replace
   * @param tensors float32 tensors, written in their order
   * @throws IllegalArgumentException if a tensor's name cannot be stored
   * @throws IOException if the file cannot be written; an existing file keeps its contents
   */
  public static void write(Path file, NamedTensors tensors) throws IOException {
    write(file, tensors, Map.of());
  }

  /**
   * Writes the program's trainable parameters alone, with no metadata; see {@link #writeParameters(Path, Program, Map)}.
   *
   * @param file the file to replace
   * @param program the program whose parameters to write
   * @throws IOException if the file cannot be written; an existing file keeps its contents
   */
  public static void writeParameters(Path file, Program program) throws IOException {
    writeParameters(file, program, Map.of());
  }

  /**
   * Writes the program's trainable parameters ({@link Program#parameterNames()}, in that order) and
   * nothing else: no optimizer state, no other tensor. This is the model file: it loads into an
   * inference program of the same graph with {@code program.load(SafeTensors.read(file).tensors())},
   * and into PyTorch as a {@code state_dict}, since dense layers keep PyTorch's names and shapes.
   *
   * @param file the file to replace
   * @param program the program whose parameters to write
   * @param metadata strings for the header's {@code __metadata__}
   * @throws IllegalStateException if the program names a parameter its state does not hold
   * @throws IOException if the file cannot be written; an existing file keeps its contents
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
   * @param file the file to replace
   * @param tensors float32 tensors, written in their order
   * @param metadata strings for the header's {@code __metadata__}, in their order; empty for none
   * @throws IOException if the file cannot be written; an existing file keeps its contents
   */
  public static void write(Path file, NamedTensors tensors, Map<String, String> metadata) throws IOException {
    Encoded encoded = Encoded.of(tensors, metadata);
    AtomicFiles.replace(file, encoded::writeTo);
  }

  /**
   * Reads a whole file. Every part of the header is checked before any data is read; a file that fails
   * a check throws {@link ParameterFileException} naming the file and the part that is wrong, and
   * nothing partial is returned. A named pipe or process substitution ({@code <(cat m.safetensors)}),
   * which cannot be read out of order, is read into memory first.
   *
   * <p>The tensors come back in the order of their data in the file. For files from this class and from
   * the usual writers that is the order they were written in; unlike the order of keys in a JSON object,
   * which JSON leaves unspecified, it is always well defined.
   *
   * @param file a safetensors file of F32 tensors (or a pipe)
   * @return its tensors, owned by the caller, and its metadata
   * @throws ParameterFileException naming the file and the part that is wrong
   * @throws IOException if the file cannot be read
   */
  public static SafeTensorsFile read(Path file) throws IOException {
    return load(file).file();
  }

  /**
   * The metadata strings of a file, reading and checking its header but none of its tensor data: what
   * a file says about itself, cheaply, even for a large model.
   *
   * @param file a safetensors file
   * @return its {@code __metadata__} strings, in the file's order; empty when it has none
   * @throws ParameterFileException naming the file and the part of the header that is wrong
   * @throws IOException if the file cannot be read
   */
  public static Map<String, String> readMetadata(Path file) throws IOException {
    try (SeekableByteChannel channel = open(file)) {
      return header(file, channel).header().metadata();
    }
  }

  /** A file's contents and the SHA-256 of its data section (the bytes after the header), in lower-case hex. */
  record Loaded(SafeTensorsFile file, String dataSha256) {}

  static Loaded load(Path file) throws IOException {
    try (SeekableByteChannel channel = open(file)) {
      Located located = header(file, channel);
      HeaderParser.Header header = located.header();
      long dataStart = located.dataStart();
      long size = channel.size();
      MessageDigest digest = Encoded.sha256();
      long largest = header.entries().stream().mapToLong(e -> e.end() - e.begin()).max().orElse(0);
      ByteBuffer chunk = Encoded.chunk(largest);
      NamedTensors tensors = new NamedTensors();
      long position = dataStart; // every byte before it has gone into the digest
      for (TensorEntry e : header.entries()) {
        long begin = dataStart + e.begin();
        if (begin > position) position = digestGap(channel, chunk, position, begin, digest, file);
        float[] values = new float[(int) e.count()];
        for (int off = 0; off < values.length; ) {
          int n = Math.min(values.length - off, chunk.capacity() / Float.BYTES);
          chunk.clear().limit(n * Float.BYTES);
          readFully(channel, chunk, position, file, "tensor '" + e.name() + "'");
          chunk.flip();
          digest.update(chunk.duplicate());
          chunk.asFloatBuffer().get(values, off, n);
          position += (long) n * Float.BYTES;
          off += n;
        }
        tensors.put(e.name(), new FloatTensor(e.shape(), values));
      }
      digestGap(channel, chunk, position, size, digest, file);
      return new Loaded(new SafeTensorsFile(tensors, header.metadata()), HexFormat.of().formatHex(digest.digest()));
    }
  }

  /**
   * {@return the exact size in bytes of the file {@link #write} would write for these tensors and metadata}
   *
   * @param tensors the tensors
   * @param metadata the metadata strings
   * @throws IllegalArgumentException if they cannot be stored, as {@link #write} would
   */
  public static long fileSize(NamedTensors tensors, Map<String, String> metadata) {
    return Encoded.of(tensors, metadata).size();
  }

  private record Located(HeaderParser.Header header, long dataStart) {}

  /** Reads and checks the header; the data section starts where it ends. */
  private static Located header(Path file, SeekableByteChannel channel) throws IOException {
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
    return new Located(HeaderParser.parse(file, headerBytes.array(), size - dataStart), dataStart);
  }

  /**
   * The file as a channel that can be read at any position: the file itself, or, for what cannot be
   * (a pipe), its whole contents read into memory.
   */
  private static SeekableByteChannel open(Path file) throws IOException {
    if (Files.isRegularFile(file) || !Files.exists(file)) return FileChannel.open(file, StandardOpenOption.READ);
    if (Files.isDirectory(file)) throw new FileSystemException(file.toString(), null, "is a directory, not a parameter file");
    // Read in a loop: on JDK 17 FileInputStream.readNBytes and readAllBytes seek, which a pipe refuses.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = new FileInputStream(file.toFile())) {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        if (bytes.size() > Integer.MAX_VALUE - 8 - n) {
          throw new ParameterFileException(file, "is not a regular file and holds more than " + (Integer.MAX_VALUE - 8)
              + " bytes, too many to read into memory; save it to a file and read that");
        }
        bytes.write(buffer, 0, n);
      }
    }
    return new InMemoryChannel(bytes.toByteArray());
  }

  /** Reads the bytes in {@code [from, to)} into the digest, the chunk's worth at a time; returns {@code to}. */
  private static long digestGap(SeekableByteChannel channel, ByteBuffer chunk, long from, long to, MessageDigest digest,
      Path file) throws IOException {
    for (long p = from; p < to; ) {
      int n = (int) Math.min(chunk.capacity(), to - p);
      chunk.clear().limit(n);
      readFully(channel, chunk, p, file, "the data section");
      digest.update(chunk.flip());
      p += n;
    }
    return to;
  }

  /** Fills the buffer from {@code position}; the file may have shrunk since its size was taken. */
  private static void readFully(SeekableByteChannel channel, ByteBuffer buffer, long position, Path file, String what)
      throws IOException {
    channel.position(position);
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer);
      if (n < 0) {
        throw new ParameterFileException(file, "file is truncated: it ends at byte " + channel.position() + " while reading "
            + what);
      }
    }
  }
}
