package dev.fusebox.runtime.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fusebox.runtime.NamedTensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model pair is written as one unit: whatever fails, and wherever the writer is killed, a reader
 * finds the complete old pair or the complete new one, and a pair whose files do not belong together
 * is refused naming the file.
 */
class ModelFilesTest {
  static final int SIZE = 64;

  @TempDir Path dir;

  @Test
  void writesAPairThatReadsBackWithItsHashesAndPairId() throws Exception {
    Path file = dir.resolve("m.safetensors");
    PairWriterMain.write(file, 3, SIZE);

    ModelFiles.Pair pair = ModelFiles.read(file);
    assertThat(valueOf(pair)).isEqualTo(3);
    assertThat(pair.optimizerFile()).isEqualTo(dir.resolve("m.optimizer.safetensors"));
    Map<String, String> p = pair.parameters().metadata();
    Map<String, String> o = pair.optimizerState().orElseThrow().metadata();
    assertThat(p).containsEntry("content", "parameters").containsEntry("value", "3").doesNotContainKey("step");
    assertThat(o).containsEntry("content", "optimizer_state").containsEntry("value", "3").containsEntry("step", "3");
    // The hashes are those of the bytes after each header, computed here independently.
    assertThat(p.get("data_sha256")).isEqualTo(sha256OfDataSection(file));
    assertThat(o.get("data_sha256")).isEqualTo(sha256OfDataSection(pair.optimizerFile()));
    assertThat(p.get("pair_id")).hasSize(32).isEqualTo(o.get("pair_id"));
    // Each file stays a plain safetensors file, and the same content gives the same bytes.
    assertThat(SafeTensors.read(file).tensors()).isEqualTo(PairWriterMain.tensors("w", 3, SIZE));
    byte[] before = Files.readAllBytes(file);
    PairWriterMain.write(file, 3, SIZE);
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
    assertThat(hiddenLeftovers()).isEmpty();
  }

  @Test
  void aParameterFileAloneOrFromAnotherToolIsAPairWithoutOptimizerState() throws Exception {
    Path plain = dir.resolve("plain.safetensors");
    SafeTensors.write(plain, PairWriterMain.tensors("w", 1, 4));
    assertThat(ModelFiles.read(plain).optimizerState()).isEmpty();
    Path file = dir.resolve("m.safetensors");
    PairWriterMain.write(file, 2, SIZE);
    Files.delete(dir.resolve("m.optimizer.safetensors")); // to start again with a fresh optimizer state
    assertThat(ModelFiles.read(file).optimizerState()).isEmpty();
  }

  @Test
  void aMixedPairIsRefusedNamingTheOptimizerFile() throws Exception {
    Path a = dir.resolve("a.safetensors");
    Path b = dir.resolve("b.safetensors");
    PairWriterMain.write(a, 1, SIZE);
    PairWriterMain.write(b, 2, SIZE);
    Files.copy(dir.resolve("b.optimizer.safetensors"), dir.resolve("a.optimizer.safetensors"),
        StandardCopyOption.REPLACE_EXISTING);
    String aId = SafeTensors.readMetadata(a).get("pair_id");
    String bId = SafeTensors.readMetadata(b).get("pair_id");
    assertThatThrownBy(() -> ModelFiles.read(a)).isInstanceOf(ParameterFileException.class)
        .hasMessage("a.optimizer.safetensors: does not belong with a.safetensors: it has pair id " + bId + ", a.safetensors has "
            + aId + " (one of them was replaced, or copied from another save); move it away to start from the parameters with "
            + "a fresh optimizer state");

    // An optimizer file beside parameters that were not written as a pair cannot be vouched for either.
    SafeTensors.write(a, PairWriterMain.tensors("w", 1, SIZE));
    assertThatThrownBy(() -> ModelFiles.read(a)).isInstanceOf(ParameterFileException.class)
        .hasMessageStartingWith("a.optimizer.safetensors: does not belong with a.safetensors: a.safetensors does not record a "
            + "pair id");
  }

  @Test
  void corruptDataIsRefusedNamingTheFile() throws Exception {
    Path file = dir.resolve("m.safetensors");
    PairWriterMain.write(file, 5, SIZE);
    byte[] bytes = Files.readAllBytes(dir.resolve("m.optimizer.safetensors"));
    bytes[bytes.length - 3] ^= 1; // one bit of one float: still a well-formed file
    Files.write(dir.resolve("m.optimizer.safetensors"), bytes);
    assertThatThrownBy(() -> ModelFiles.read(file)).isInstanceOf(ParameterFileException.class)
        .hasMessage("m.optimizer.safetensors: its tensor data does not match the SHA-256 recorded in its header: the file is "
            + "corrupt (changed or damaged after it was written)");
    assertThat(ModelFiles.readParameters(file).tensors()).isEqualTo(PairWriterMain.tensors("w", 5, SIZE));
  }

  /**
   * A writer killed at each step of the commit (halted there as {@code kill -9} would stop it, in a
   * JVM of its own) leaves the old pair before the commit point and the new one after it; the next
   * writer cleans up what the dead one left.
   */
  @Test
  void aWriterKilledAtAnyStepLeavesTheOldPairOrTheNewOne() throws Exception {
    for (String phase : ModelFiles.Hook.PHASES) {
      Path sub = Files.createDirectory(dir.resolve(phase));
      Path file = sub.resolve("m.safetensors");
      PairWriterMain.write(file, 1, SIZE);
      byte[] oldParameters = Files.readAllBytes(file);
      byte[] oldOptimizer = Files.readAllBytes(sub.resolve("m.optimizer.safetensors"));

      Process writer = writer(phase, file, 2, 1).start();
      assertThat(writer.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(writer.exitValue()).as(phase + ": " + new String(writer.getInputStream().readAllBytes())).isEqualTo(
          ModelFiles.Hook.HALT_STATUS);

      boolean committed = ModelFiles.Hook.PHASES.indexOf(phase) >= ModelFiles.Hook.PHASES.indexOf("parameters-committed");
      assertThat(valueOf(ModelFiles.read(file))).as(phase).isEqualTo(committed ? 2 : 1);
      if (!committed) {
        assertThat(Files.readAllBytes(file)).as(phase).isEqualTo(oldParameters);
        assertThat(Files.readAllBytes(sub.resolve("m.optimizer.safetensors"))).as(phase).isEqualTo(oldOptimizer);
      }
      PairWriterMain.write(file, 3, SIZE);
      assertThat(valueOf(ModelFiles.read(file))).as(phase).isEqualTo(3);
      try (Stream<Path> files = Files.list(sub)) {
        assertThat(files.map(f -> f.getFileName().toString()))
            .as(phase).containsExactlyInAnyOrder("m.safetensors", "m.optimizer.safetensors", ".fusebox.lock");
      }
    }
  }

  /** The same with real {@code kill -9}s at arbitrary moments of a writer that keeps writing. */
  @Test
  void killingAWriterAtArbitraryMomentsNeverLeavesAMixedPair() throws Exception {
    Path file = dir.resolve("m.safetensors");
    PairWriterMain.write(file, 0, SIZE);
    for (int kill = 0; kill < 4; kill++) {
      int first = 1000 * (kill + 1);
      Process writer = writer(null, file, first, 100_000).start();
      Thread.sleep(250 + 150L * kill);
      writer.destroyForcibly().waitFor();
      int value = valueOf(ModelFiles.read(file));
      assertThat(value == 0 || value >= 1000).as("value %d", value).isTrue();
    }
  }

  /** Writers in other processes and in this one take turns; a reader never sees one writer's parameters with another's state. */
  @Test
  void concurrentWritersLeaveOneWholePairAndReadersNeverSeeAMixedOne() throws Exception {
    Path file = dir.resolve("m.safetensors");
    PairWriterMain.write(file, 0, SIZE);
    List<Process> processes = List.of(writer(null, file, 100, 30).start(), writer(null, file, 200, 30).start());
    ExecutorService pool = Executors.newFixedThreadPool(3);
    AtomicBoolean writing = new AtomicBoolean(true);
    try {
      List<Future<?>> threads = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        int first = 300 + 100 * t;
        threads.add(pool.submit(() -> {
          for (int i = 0; i < 30; i++) PairWriterMain.write(file, first + i, SIZE);
          return null;
        }));
      }
      Future<Integer> reader = pool.submit(() -> {
        int reads = 0;
        while (writing.get()) {
          valueOf(ModelFiles.read(file));
          reads++;
        }
        return reads;
      });
      for (Future<?> f : threads) f.get(120, TimeUnit.SECONDS);
      for (Process p : processes) {
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
      }
      writing.set(false);
      assertThat(reader.get(60, TimeUnit.SECONDS)).isPositive();
    } finally {
      writing.set(false);
      pool.shutdownNow();
      for (Process p : processes) p.destroyForcibly();
    }
    assertThat(List.of(129, 229, 329, 429)).contains(valueOf(ModelFiles.read(file)));
    assertThat(hiddenLeftovers()).isEmpty();
  }

  @Test
  void aCompanionNameTooLongForTheFileSystemFailsBeforeAnythingIsWritten() throws Exception {
    Path file = dir.resolve("a".repeat(239) + ".safetensors"); // fine itself; its companion would be 261 bytes
    assertThatThrownBy(() -> PairWriterMain.write(file, 1, SIZE)).isInstanceOf(FileSystemException.class)
        .hasMessage(dir.resolve("a".repeat(239) + ".optimizer.safetensors") + ": the name is 261 bytes, longer than the file "
            + "system in " + dir + " allows (255 on most); choose a shorter --out");
    assertThat(file).doesNotExist();
    assertThat(hiddenLeftovers()).isEmpty();
    assertThatThrownBy(() -> ModelFiles.checkWritable(file, PairWriterMain.tensors("w", 1, SIZE),
        PairWriterMain.tensors("w", 1, SIZE), Map.of())).isInstanceOf(FileSystemException.class)
        .hasMessageContaining(": the name is 261 bytes");
  }

  @Test
  void aCompanionPathThatIsADirectoryOrADeviceFailsBeforeAnythingIsWritten() throws Exception {
    Path file = dir.resolve("m.safetensors");
    PairWriterMain.write(file, 1, SIZE);
    byte[] old = Files.readAllBytes(file);
    Files.delete(dir.resolve("m.optimizer.safetensors"));
    Files.createDirectory(dir.resolve("m.optimizer.safetensors"));
    assertThatThrownBy(() -> PairWriterMain.write(file, 2, SIZE)).isInstanceOf(FileSystemException.class)
        .hasMessage(dir.resolve("m.optimizer.safetensors") + ": is a directory; give a file name");
    assertThat(Files.readAllBytes(file)).isEqualTo(old);
    assertThatThrownBy(() -> ModelFiles.checkWritable(Path.of("/dev/null"),
        new NamedTensors(), new NamedTensors(), Map.of())).isInstanceOf(FileSystemException.class)
        .hasMessage("/dev/null: is not a regular file (a device, pipe or socket); a model is written beside its file and "
            + "renamed over it, so give a file name");
  }

  @Test
  void aFullDiskFailsTheWriteNamingTheFileAndKeepsTheOldPair() throws Exception {
    Optional<Tmpfs> mounted = Tmpfs.mount(dir.resolve("small"), "64k");
    assumeTrue(mounted.isPresent(), Tmpfs.SKIP);
    try (Tmpfs disk = mounted.get()) {
      Path file = disk.dir().resolve("m.safetensors");
      PairWriterMain.write(file, 1, SIZE);
      byte[] oldParameters = Files.readAllBytes(file);
      byte[] oldOptimizer = Files.readAllBytes(disk.dir().resolve("m.optimizer.safetensors"));

      // Room for the new parameters (36 KB with their header, in pages) but not for the state after them.
      int floats = 8192;
      assertThatThrownBy(() -> PairWriterMain.write(file, 2, floats)).isInstanceOf(FileSystemException.class)
          .hasMessage(disk.dir().resolve("m.optimizer.safetensors") + ": no space left on device while writing it; nothing was "
              + "replaced");
      assertThat(Files.readAllBytes(file)).isEqualTo(oldParameters);
      assertThat(Files.readAllBytes(disk.dir().resolve("m.optimizer.safetensors"))).isEqualTo(oldOptimizer);
      try (Stream<Path> files = Files.list(disk.dir())) {
        assertThat(files.map(f -> f.getFileName().toString()))
            .containsExactlyInAnyOrder("m.safetensors", "m.optimizer.safetensors", ".fusebox.lock");
      }
      // Checked beforehand, the same pair is refused before any work.
      assertThatThrownBy(() -> ModelFiles.checkWritable(file, PairWriterMain.tensors("w", 2, floats),
          PairWriterMain.tensors("w", 2, floats), Map.of())).isInstanceOf(FileSystemException.class)
          .hasMessageStartingWith(file + ": not enough space in " + disk.dir() + ": the model and its optimizer state need ");
      ModelFiles.checkWritable(file, PairWriterMain.tensors("w", 2, 100), PairWriterMain.tensors("w", 2, 100), Map.of());
    }
  }

  @Test
  void aReadOnlyFileSystemFailsNamingTheFileAndTheReason() throws Exception {
    Optional<Tmpfs> mounted = Tmpfs.mount(dir.resolve("ro"), "64k");
    assumeTrue(mounted.isPresent(), Tmpfs.SKIP);
    try (Tmpfs disk = mounted.get()) {
      Path file = disk.dir().resolve("m.safetensors");
      PairWriterMain.write(file, 1, SIZE);
      disk.readOnly();
      assertThatThrownBy(() -> PairWriterMain.write(file, 2, SIZE)).isInstanceOf(FileSystemException.class)
          .hasMessage(file + ": cannot write into " + disk.dir() + ": read-only file system");
      assertThatThrownBy(() -> ModelFiles.checkWritable(file, new NamedTensors(), new NamedTensors(), Map.of()))
          .isInstanceOf(FileSystemException.class)
          .hasMessage(file + ": cannot write into " + disk.dir() + ": read-only file system");
      assertThat(valueOf(ModelFiles.read(file))).isEqualTo(1); // readers need no write access
    }
  }

  @Test
  void reservedMetadataKeysAreRefused() {
    assertThatThrownBy(() -> ModelFiles.write(dir.resolve("m.safetensors"), new NamedTensors(), new NamedTensors(),
        Map.of("pair_id", "x"), Map.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("metadata key 'pair_id' is reserved for the pair itself");
  }

  /** The value every tensor and metadata entry of a pair holds, after checking that they agree. */
  static int valueOf(ModelFiles.Pair pair) {
    NamedTensors parameters = pair.parameters().tensors();
    NamedTensors state = pair.optimizerState().orElseThrow().tensors();
    float v = parameters.require("w").data()[0];
    assertThat(parameters.require("w").data()).containsOnly(v);
    assertThat(state.require("w.exp_avg").data()).as("optimizer state of the same save").containsOnly(v);
    assertThat(pair.parameters().metadata().get("value")).isEqualTo(Integer.toString((int) v));
    assertThat(pair.optimizerState().get().metadata().get("step")).isEqualTo(Integer.toString((int) v));
    return (int) v;
  }

  private List<String> hiddenLeftovers() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(".") && !n.equals(".fusebox.lock")).toList();
    }
  }

  private static ProcessBuilder writer(String haltAt, Path file, int first, int count) {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path")));
    if (haltAt != null) command.add("-D" + ModelFiles.Hook.PROPERTY + "=" + haltAt);
    command.addAll(List.of(PairWriterMain.class.getName(), file.toString(), Integer.toString(first), Integer.toString(count),
        Integer.toString(SIZE)));
    return new ProcessBuilder(command).redirectErrorStream(true);
  }

  private static String sha256OfDataSection(Path file) throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    long header = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    byte[] data = Arrays.copyOfRange(bytes, (int) (8 + header), bytes.length);
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }
}
