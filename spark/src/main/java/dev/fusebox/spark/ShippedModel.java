package dev.fusebox.spark;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Compiler.Compilation;
import dev.fusebox.Target;
import dev.fusebox.model.ModelMetadata;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.io.ModelFiles;
import dev.fusebox.runtime.io.ParameterFileException;
import dev.fusebox.runtime.io.SafeTensorsFile;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A model file as it travels to executors: its bytes (a model is kilobytes to a few megabytes) and its
 * name. An executor writes them to a local file once, reads that file as {@code fusebox predict} reads a
 * model (its SHA-256 checked, its metadata its own description), and compiles its inference graph once
 * per block size; every task then makes its own program from that compilation, whose class the
 * executor's {@link OnceLoader} compiled once.
 */
final class ShippedModel implements Serializable {
  private static final long serialVersionUID = 1L;
  // Per JVM: what the executor made of each model it was sent, by content and block size.
  private static final ConcurrentMap<String, Loaded> LOADED = new ConcurrentHashMap<>();
  private static final ConcurrentMap<String, Path> FILES = new ConcurrentHashMap<>();

  private final String name;
  private final byte[] bytes;
  private final String sha256;

  private ShippedModel(String name, byte[] bytes) {
    this.name = name;
    this.bytes = bytes;
    this.sha256 = sha256(bytes);
  }

  static ShippedModel of(String name, byte[] bytes) {
    return new ShippedModel(name, bytes.clone());
  }

  static ShippedModel read(Path file) throws IOException {
    return new ShippedModel(String.valueOf(file.getFileName()), Files.readAllBytes(file));
  }

  String name() {
    return name;
  }

  byte[] bytes() {
    return bytes.clone();
  }

  /** What the model file says about itself, read on the driver. */
  ModelMetadata metadata() throws IOException {
    return loaded(0).metadata;
  }

  /** A new program for {@code target} running batches of {@code block} rows, with the model's parameters loaded. */
  Program program(int block, Target target) {
    try {
      Loaded l = loaded(block);
      Program p = l.compilation.program(target);
      try {
        p.load(l.tensors);
      } catch (RuntimeException e) {
        p.close();
        throw e;
      }
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The model read from its local file; with {@code block} 0 its metadata alone, without a compilation. */
  private Loaded loaded(int block) throws IOException {
    String key = sha256 + "/" + block;
    Loaded l = LOADED.get(key);
    if (l != null) return l;
    try {
      return LOADED.computeIfAbsent(key, k -> {
        try {
          return load(block);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private Loaded load(int block) throws IOException {
    Path file = localFile();
    SafeTensorsFile contents = ModelFiles.readParameters(file);
    ModelMetadata metadata = ModelMetadata.fromMetadata(file, contents.metadata()).orElseThrow(() -> new ParameterFileException(
        Path.of(name), "does not describe itself (no 'format' in its metadata); Spark scores models fusebox train wrote"));
    if (block == 0) return new Loaded(metadata, contents.tensors(), null);
    CompileOptions options = CompileOptions.defaults().withLoader(OnceLoader.executor());
    return new Loaded(metadata, contents.tensors(), Compiler.inference(metadata.spec().withBatch(block).forward(), options));
  }

  /** The bytes as a file of this JVM, written once: under a directory named by their hash, with the model's own name. */
  private Path localFile() {
    return FILES.computeIfAbsent(sha256, k -> {
      try {
        Path dir = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "fusebox-spark-models", k));
        Path file = dir.resolve(name);
        Path temp = Files.createTempFile(dir, ".model", ".tmp");
        Files.write(temp, bytes);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        file.toFile().deleteOnExit();
        dir.toFile().deleteOnExit();
        return file;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the model " + name + " to this JVM's temporary directory", e);
      }
    });
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private record Loaded(ModelMetadata metadata, NamedTensors tensors, Compilation compilation) {}
}
