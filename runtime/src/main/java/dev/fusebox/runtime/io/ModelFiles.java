package dev.fusebox.runtime.io;

import dev.fusebox.runtime.NamedTensors;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A model's two files, written and read as one unit: {@code NAME.safetensors} with the parameters and
 * beside it {@code NAME.optimizer.safetensors} with the optimizer state. Both are plain safetensors
 * files; each records the SHA-256 of its own data ({@value #DATA_SHA256}) and both record the same
 * {@value #PAIR_ID}, derived from the two hashes, so a reader can tell a pair that belongs together.
 *
 * <p><b>Commit protocol.</b> Whatever fails, and wherever a process is killed, the path holds the
 * complete old pair or the complete new one, as readers of this class see it:
 *
 * <ol>
 *   <li>Under a lock on {@code .fusebox.lock} in the directory (one writer at a time, across
 *       processes), finish any commit a killed writer left half done, and delete its temporaries.
 *   <li>Write the parameters to a temporary file and the optimizer state to a staged file named after
 *       the new pair id, both hidden beside the output; flush both to disk, then the directory.
 *   <li>Rename the parameters over {@code NAME.safetensors}: the commit point. Flush the directory.
 *   <li>Rename the staged optimizer state over {@code NAME.optimizer.safetensors}; flush the directory.
 * </ol>
 *
 * A kill before step 3 leaves the old pair and temporaries that the next writer deletes. A kill between
 * 3 and 4 leaves new parameters beside the old optimizer state and the staged new one: a reader takes
 * the staged file whose pair id matches the parameters, and the next writer renames it into place.
 * Readers take no lock and change nothing; a reader that races a writer reads again.
 */
public final class ModelFiles {
  /** The companion's suffix: {@code m.optimizer.safetensors} beside {@code m.safetensors}. */
  public static final String OPTIMIZER_SUFFIX = ".optimizer.safetensors";
  /** Metadata key: which file of the pair this is, {@code parameters} or {@code optimizer_state}. */
  public static final String CONTENT = "content";
  /** Metadata key: the SHA-256 of the file's data section (the bytes after its header), lower-case hex. */
  public static final String DATA_SHA256 = "data_sha256";
  /** Metadata key: the same in both files of a pair, derived from both files' data hashes. */
  public static final String PAIR_ID = "pair_id";
  /** The keys this class writes itself; callers' metadata must not use them. */
  public static final List<String> RESERVED_KEYS = List.of(CONTENT, DATA_SHA256, PAIR_ID);

  static final String PARAMETERS = "parameters";
  static final String OPTIMIZER_STATE = "optimizer_state";
  static final String LOCK = ".fusebox.lock";
  private static final String SUFFIX = ".safetensors";
  private static final int READ_ATTEMPTS = 100;
  // One writer per directory inside this JVM too: file locks are held by processes, not threads.
  private static final Map<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

  private ModelFiles() {}

  /**
   * The two files of a pair as read: the parameters, and the optimizer state if the pair has one.
   *
   * @param parametersFile the parameter file's path
   * @param parameters its tensors and metadata
   * @param optimizerFile where the optimizer state belongs ({@link ModelFiles#optimizerFile(Path)}), whether or not it is there
   * @param optimizerState its tensors and metadata, as committed (possibly read from the staged file), if the pair has one
   */
  public record Pair(Path parametersFile, SafeTensorsFile parameters, Path optimizerFile, Optional<SafeTensorsFile> optimizerState) {
    /**
     * A pair; no component may be null.
     *
     * @param parametersFile the parameter file's path
     * @param parameters its tensors and metadata
     * @param optimizerFile where the optimizer state belongs ({@link ModelFiles#optimizerFile(Path)}), whether or not it is there
     * @param optimizerState its tensors and metadata, as committed (possibly read from the staged file), if the pair has one
     */
    public Pair {
      Objects.requireNonNull(parametersFile, "parametersFile");
      Objects.requireNonNull(parameters, "parameters");
      Objects.requireNonNull(optimizerFile, "optimizerFile");
      Objects.requireNonNull(optimizerState, "optimizerState");
    }
  }

  /**
   * {@return {@code dir/m.optimizer.safetensors} for {@code dir/m.safetensors} (any other name gets the suffix appended)}
   *
   * @param parameters the parameter file's path
   */
  public static Path optimizerFile(Path parameters) {
    String name = name(parameters);
    String stem = name.endsWith(SUFFIX) ? name.substring(0, name.length() - SUFFIX.length()) : name;
    return parameters.resolveSibling(stem + OPTIMIZER_SUFFIX);
  }

  /**
   * Writes a pair by the commit protocol above. {@code metadata} goes into both files, {@code
   * optimizerMetadata} into the optimizer file as well; the reserved keys are added. Thread-safe: writers
   * of one directory, in this JVM or others, take turns.
   *
   * @param parameters the parameter file to replace; the optimizer state goes to {@link #optimizerFile(Path)}
   * @param parameterTensors the parameters, in the order the file lists them
   * @param optimizerTensors the optimizer state
   * @param metadata string pairs for both files' {@code __metadata__}
   * @param optimizerMetadata string pairs for the optimizer file only (the training position)
   * @throws FileSystemException naming the output file (never a temporary) when the file system fails
   *     it: a full disk, a read-only directory; the old pair is then unchanged
   * @throws IllegalArgumentException if the metadata uses a reserved key, or a name cannot be stored
   * @throws IOException if writing fails otherwise
   */
  public static void write(Path parameters, NamedTensors parameterTensors, NamedTensors optimizerTensors,
      Map<String, String> metadata, Map<String, String> optimizerMetadata) throws IOException {
    Path optimizer = optimizerFile(parameters);
    for (Map<String, String> m : List.of(metadata, optimizerMetadata)) {
      for (String key : RESERVED_KEYS) {
        if (m.containsKey(key)) throw new IllegalArgumentException("metadata key '" + key + "' is reserved for the pair itself");
      }
    }
    String parametersSha = Encoded.dataSha256(parameterTensors);
    String optimizerSha = Encoded.dataSha256(optimizerTensors);
    String pairId = pairId(parametersSha, optimizerSha);
    Encoded p = Encoded.of(parameterTensors, withPairKeys(metadata, Map.of(), PARAMETERS, parametersSha, pairId));
    Encoded o = Encoded.of(optimizerTensors, withPairKeys(metadata, optimizerMetadata, OPTIMIZER_STATE, optimizerSha, pairId));

    Path dir = directory(parameters);
    checkTarget(parameters);
    checkTarget(optimizer);
    Names names = new Names(parameters);
    try (DirectoryLock lock = DirectoryLock.acquire(dir, parameters)) {
      recover(parameters, names);
      // A name the file system refuses must fail now: once the parameters are committed it would be too late.
      checkNames(dir, parameters, optimizer);
      Path parametersTemp = dir.resolve(names.parametersTemp());
      Path staged = dir.resolve(names.staged(pairId));
      Path writing = parameters;
      try {
        create(parametersTemp, p, Hook.PARAMETERS_PARTIAL);
        writing = optimizer;
        Files.deleteIfExists(staged); // left by a killed writer of the same contents
        create(staged, o, Hook.OPTIMIZER_PARTIAL);
        Hook.at(Hook.WRITTEN);
        syncDirectory(dir);
        Hook.at(Hook.SYNCED);
        writing = parameters;
        move(parametersTemp, parameters);
      } catch (IOException | RuntimeException | Error e) {
        deleteQuietly(parametersTemp, e);
        deleteQuietly(staged, e);
        if (e instanceof IOException io) {
          throw new FileSystemException(writing.toString(), null, reason(io) + " while writing it; nothing was replaced");
        }
        throw e;
      }
      // Committed: from here on readers see the new pair, staged or not.
      Hook.at(Hook.PARAMETERS_COMMITTED);
      try {
        syncDirectory(dir);
        move(staged, optimizer);
        Hook.at(Hook.OPTIMIZER_COMMITTED);
        syncDirectory(dir);
      } catch (IOException e) {
        throw new FileSystemException(optimizer.toString(), null, reason(e) + " while renaming it into place; the new pair "
            + "is saved (its optimizer state as " + staged.getFileName() + ") and the next command that reads or writes it "
            + "finishes the rename");
      }
    }
  }

  /**
   * Reads a parameter file and, if the pair has one, its optimizer state, checking each file's data
   * against its recorded SHA-256 and that the two belong together. A parameter file alone (no
   * companion) is a pair without optimizer state; a parameter file without the pair's metadata, such as
   * one PyTorch wrote, is read as it is if it has no companion.
   *
   * @param parameters the parameter file; the optimizer state is looked for at {@link #optimizerFile(Path)}
   * @return both files' tensors and metadata
   * @throws ParameterFileException naming the file: corrupt data, or an optimizer state file that does
   *     not belong with the parameters (a save was interrupted by something other than this class, or
   *     one file was replaced)
   * @throws IOException if a file cannot be read (a missing parameter file is a {@link java.nio.file.NoSuchFileException})
   */
  public static Pair read(Path parameters) throws IOException {
    Path optimizer = optimizerFile(parameters);
    Names names = new Names(parameters);
    String seen = null;
    for (int attempt = 1; ; attempt++) {
      SafeTensorsFile p = verified(parameters);
      String pairId = p.metadata().get(PAIR_ID);
      Optional<SafeTensorsFile> o = readIfThere(optimizer);
      if (pairId != null && o.isPresent() && pairId.equals(o.get().metadata().get(PAIR_ID))) {
        return checkedPair(parameters, p, optimizer, o.get());
      }
      if (pairId != null) {
        // A commit whose last rename has not happened yet: the staged optimizer state is this pair's.
        Optional<SafeTensorsFile> staged = readIfThere(directory(parameters).resolve(names.staged(pairId)));
        if (staged.isPresent() && pairId.equals(staged.get().metadata().get(PAIR_ID))) {
          return checkedPair(parameters, p, optimizer, staged.get());
        }
      }
      if (o.isEmpty() && !Files.exists(optimizer)) return new Pair(parameters, p, optimizer, Optional.empty());
      // A writer may have renamed a file between these reads: the pair is mixed only if it stays so.
      String optimizerPairId = o.map(f -> f.metadata().get(PAIR_ID)).orElse(null);
      String now = pairId + "/" + optimizerPairId;
      if (!now.equals(seen) && attempt < READ_ATTEMPTS) {
        seen = now;
        Thread.onSpinWait();
        continue;
      }
      throw mismatch(parameters, optimizer, pairId, optimizerPairId);
    }
  }

  private static Optional<SafeTensorsFile> readIfThere(Path file) throws IOException {
    try {
      return Files.exists(file) ? Optional.of(verified(file)) : Optional.empty();
    } catch (NoSuchFileException e) {
      return Optional.empty(); // renamed away since
    }
  }

  /** The pair, once its id is shown to be the one the two files' data give. */
  private static Pair checkedPair(Path parameters, SafeTensorsFile p, Path optimizer, SafeTensorsFile o)
      throws ParameterFileException {
    String derived = pairId(p.metadata().getOrDefault(DATA_SHA256, ""), o.metadata().getOrDefault(DATA_SHA256, ""));
    if (!derived.equals(p.metadata().get(PAIR_ID))) {
      throw new ParameterFileException(optimizer, "records the pair id of " + name(parameters) + ", but not the data hashes "
          + "that id stands for: the metadata of one of them was edited; move it away to start from the parameters with a "
          + "fresh optimizer state");
    }
    return new Pair(parameters, p, optimizer, Optional.of(o));
  }

  /**
   * Reads one file of a pair, checking its data against the SHA-256 its metadata records, if it records
   * one: for a reader that needs the parameters alone (prediction).
   *
   * @param parameters the parameter file
   * @return its tensors and metadata
   * @throws ParameterFileException naming the file if it is not valid safetensors or its data does not match its hash
   * @throws IOException if the file cannot be read
   */
  public static SafeTensorsFile readParameters(Path parameters) throws IOException {
    return verified(parameters);
  }

  /**
   * Before an hour of training, checks that a pair can be written at {@code parameters}: the directory
   * exists or can be made, neither name is a directory or other non-file, both names are legal on the
   * file system, the directory can be written, and it has room for both files, as far as the platform
   * says (the old pair stays until the new one is complete, so the new one needs all of its room).
   * The tensors and metadata give the sizes; they need not hold the final values.
   *
   * @param parameters the parameter file the pair will be written to
   * @param parameterTensors tensors of the parameters' final names and shapes
   * @param optimizerTensors tensors of the optimizer state's final names and shapes
   * @param metadata metadata of about the final size
   * @throws FileSystemException naming the file and what is wrong with it
   * @throws IOException if the file system cannot be asked
   */
  public static void checkWritable(Path parameters, NamedTensors parameterTensors, NamedTensors optimizerTensors,
      Map<String, String> metadata) throws IOException {
    Path optimizer = optimizerFile(parameters);
    checkTarget(parameters);
    checkTarget(optimizer);
    Path dir = parameters.toAbsolutePath().getParent();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new FileSystemException(parameters.toString(), null, "cannot create its directory " + dir + ": " + reason(e));
    }
    checkNames(dir, parameters, optimizer);
    FileStore store = Files.getFileStore(dir);
    long block = blockSize(store);
    long needed = roundUp(estimate(parameterTensors, metadata), block)
        + roundUp(estimate(optimizerTensors, metadata) + TRAINING_ALLOWANCE, block);
    long usable = store.getUsableSpace();
    if (usable < needed) {
      throw new FileSystemException(parameters.toString(), null, "not enough space in " + dir + ": the model and its optimizer "
          + "state need " + needed + " bytes, " + usable + " are free");
    }
  }

  // ---- the protocol's parts

  /** Bytes of the optimizer file's header for a training position, whose numbers are not known beforehand. */
  private static final long TRAINING_ALLOWANCE = 1024;

  private static long estimate(NamedTensors tensors, Map<String, String> metadata) {
    String hash = "0".repeat(64);
    return Encoded.of(tensors, withPairKeys(metadata, Map.of(), OPTIMIZER_STATE, hash, hash.substring(0, 32))).size();
  }

  /**
   * Creating and deleting a hidden file as long as each new name shows a name longer than the file
   * system allows, and any such file shows a read-only or full file system or a directory without
   * write permission (even for root), all without touching the outputs themselves.
   */
  private static void checkNames(Path dir, Path parameters, Path optimizer) throws IOException {
    boolean probed = false;
    for (Path target : List.of(parameters, optimizer)) {
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) continue;
      probe(dir, target, name(target).getBytes(StandardCharsets.UTF_8).length);
      probed = true;
    }
    if (!probed) probe(dir, parameters, 0);
  }

  private static long blockSize(FileStore store) {
    try {
      return Math.max(1, store.getBlockSize());
    } catch (IOException | UnsupportedOperationException e) {
      return 4096;
    }
  }

  private static long roundUp(long bytes, long block) {
    return (bytes + block - 1) / block * block;
  }

  private static void probe(Path dir, Path target, int length) throws IOException {
    String random = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    StringBuilder name = new StringBuilder(".fusebox-probe-").append(random);
    while (name.length() < length) name.append('x');
    Path probe = dir.resolve(name.toString());
    try {
      Files.newByteChannel(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
    } catch (IOException e) {
      String why = reason(e);
      if (why.contains("name too long")) {
        throw new FileSystemException(target.toString(), null, "the name is " + length + " bytes, longer than the file system in "
            + dir + " allows (255 on most); choose a shorter --out");
      }
      throw new FileSystemException(target.toString(), null, "cannot write into " + dir + ": " + why);
    }
    Files.deleteIfExists(probe);
  }

  private static void checkTarget(Path target) throws IOException {
    if (Files.isDirectory(target)) throw new FileSystemException(target.toString(), null, "is a directory; give a file name");
    if (Files.exists(target) && !Files.isRegularFile(target)) {
      throw new FileSystemException(target.toString(), null, "is not a regular file (a device, pipe or socket); a model is "
          + "written beside its file and renamed over it, so give a file name");
    }
  }

  /** Writes a new file, flushed to disk. */
  private static void create(Path file, Encoded contents, String hook) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      contents.writeHeader(channel);
      if (Hook.armed(hook)) {
        channel.force(true);
        Hook.at(hook);
      }
      contents.writeData(channel);
      channel.force(true);
    }
  }

  /**
   * Under the lock: finishes a commit whose last rename did not happen, then deletes the temporaries of
   * writers that died (every live writer of this directory waits for the lock before making any).
   */
  private static void recover(Path parameters, Names names) throws IOException {
    Path dir = directory(parameters);
    Path optimizer = optimizerFile(parameters);
    if (Files.isRegularFile(parameters)) {
      String pairId = metadataOrNull(parameters).get(PAIR_ID);
      if (pairId != null) {
        Path staged = dir.resolve(names.staged(pairId));
        String optimizerPair = Files.isRegularFile(optimizer) ? metadataOrNull(optimizer).get(PAIR_ID) : null;
        if (!pairId.equals(optimizerPair) && Files.isRegularFile(staged)
            && pairId.equals(metadataOrNull(staged).get(PAIR_ID))) {
          move(staged, optimizer);
          syncDirectory(dir);
        }
      }
    }
    try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir, names.leftoverGlob())) {
      for (Path leftover : leftovers) Files.deleteIfExists(leftover);
    }
  }

  /** The file's metadata, or none if it cannot be read (a corrupt file is the reader's to report). */
  private static Map<String, String> metadataOrNull(Path file) {
    try {
      return SafeTensors.readMetadata(file);
    } catch (IOException e) {
      return Map.of();
    }
  }

  private static SafeTensorsFile verified(Path file) throws IOException {
    SafeTensors.Loaded loaded = SafeTensors.load(file);
    String recorded = loaded.file().metadata().get(DATA_SHA256);
    if (recorded != null && !recorded.equals(loaded.dataSha256())) {
      throw new ParameterFileException(file, "its tensor data does not match the SHA-256 recorded in its header: the file is "
          + "corrupt (changed or damaged after it was written)");
    }
    return loaded.file();
  }

  private static ParameterFileException mismatch(Path parameters, Path optimizer, String pairId, String optimizerPairId) {
    String why = pairId == null ? name(parameters) + " does not record a pair id (it was not written as a pair by Fusebox)"
        : optimizerPairId == null ? "it does not record a pair id (it was not written as a pair by Fusebox)"
        : "it has pair id " + optimizerPairId + ", " + name(parameters) + " has " + pairId
            + " (one of them was replaced, or copied from another save)";
    return new ParameterFileException(optimizer, "does not belong with " + name(parameters) + ": " + why + "; move it away to "
        + "start from the parameters with a fresh optimizer state");
  }

  static String pairId(String parametersSha, String optimizerSha) {
    byte[] digest = Encoded.sha256().digest((parametersSha + ":" + optimizerSha).getBytes(StandardCharsets.US_ASCII));
    return HexFormat.of().formatHex(digest, 0, 16);
  }

  private static Map<String, String> withPairKeys(Map<String, String> metadata, Map<String, String> extra, String content,
      String sha, String pairId) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put(CONTENT, content);
    all.put(DATA_SHA256, sha);
    all.put(PAIR_ID, pairId);
    all.putAll(metadata);
    all.putAll(extra);
    return all;
  }

  private static void move(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Makes renames in the directory durable; a platform that cannot open a directory (Windows) does without. */
  private static void syncDirectory(Path dir) throws IOException {
    FileChannel channel;
    try {
      channel = FileChannel.open(dir, StandardOpenOption.READ);
    } catch (IOException | UnsupportedOperationException e) {
      return;
    }
    try (channel) {
      channel.force(true);
    } catch (IOException e) {
      // Some file systems refuse to sync a directory; the renames themselves are still atomic.
    }
  }

  private static void deleteQuietly(Path file, Throwable failure) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }

  private static Path directory(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new NoSuchFileException(String.valueOf(dir), null, "directory does not exist");
    }
    return dir;
  }

  /** What went wrong, in lower case and without a file name: {@code no space left on device}. */
  static String reason(IOException e) {
    String why;
    if (e instanceof AccessDeniedException) why = "permission denied";
    else if (e instanceof NoSuchFileException) why = "no such file or directory";
    else if (e instanceof FileSystemException fs && fs.getReason() != null) why = fs.getReason();
    else if (e.getMessage() != null) why = e.getMessage();
    else why = e.getClass().getSimpleName();
    return why.isEmpty() ? why : why.substring(0, 1).toLowerCase(Locale.ROOT) + why.substring(1);
  }

  private static String name(Path file) {
    Path n = file.getFileName();
    return n == null ? file.toString() : n.toString();
  }

  /** The hidden names of one output's temporaries, short enough for any name the output may have. */
  private record Names(String prefix) {
    Names(Path parameters) {
      this(prefix(name(parameters)));
    }

    private static String prefix(String name) {
      // 40 UTF-16 units are at most 120 bytes of UTF-8; never cut a surrogate pair in half.
      int cut = Math.min(name.length(), 40);
      if (cut < name.length() && Character.isHighSurrogate(name.charAt(cut - 1))) cut--;
      byte[] hash = Encoded.sha256().digest(name.getBytes(StandardCharsets.UTF_8));
      return "." + name.substring(0, cut) + "." + HexFormat.of().formatHex(hash, 0, 4);
    }

    String parametersTemp() {
      return prefix + ".parameters." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp";
    }

    String staged(String pairId) {
      return prefix + ".optimizer." + pairId + ".staged";
    }

    String leftoverGlob() {
      return "{" + glob(prefix) + ".parameters.*.tmp," + glob(prefix) + ".optimizer.*.staged}";
    }

    private static String glob(String s) {
      return s.replaceAll("([\\\\*?\\[\\]{},])", "\\\\$1");
    }
  }

  /** The lock that makes writers of a directory take turns, within this JVM and across processes. */
  private static final class DirectoryLock implements AutoCloseable {
    private final ReentrantLock local;
    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(ReentrantLock local, FileChannel channel, FileLock lock) {
      this.local = local;
      this.channel = channel;
      this.lock = lock;
    }

    static DirectoryLock acquire(Path dir, Path output) throws IOException {
      ReentrantLock local = LOCKS.computeIfAbsent(dir.toRealPath(), d -> new ReentrantLock());
      local.lock();
      FileChannel channel = null;
      try {
        channel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        return new DirectoryLock(local, channel, channel.lock());
      } catch (IOException | RuntimeException | Error e) {
        if (channel != null) channel.close();
        local.unlock();
        if (e instanceof IOException io) {
          throw new FileSystemException(output.toString(), null, "cannot write into " + dir + ": " + reason(io));
        }
        throw e;
      }
    }

    @Override
    public void close() throws IOException {
      try {
        lock.release();
        channel.close();
      } finally {
        local.unlock();
      }
    }
  }

  /**
   * Stops the JVM at a named step of a write, as {@code kill -9} would, when the system property
   * {@code fusebox.test.haltAt} names it: how the tests show that a kill at any step leaves a pair.
   */
  static final class Hook {
    static final String PROPERTY = "fusebox.test.haltAt";
    static final String PARAMETERS_PARTIAL = "parameters-partial";
    static final String OPTIMIZER_PARTIAL = "optimizer-partial";
    static final String WRITTEN = "written";
    static final String SYNCED = "synced";
    static final String PARAMETERS_COMMITTED = "parameters-committed";
    static final String OPTIMIZER_COMMITTED = "optimizer-committed";
    static final List<String> PHASES = List.of(PARAMETERS_PARTIAL, OPTIMIZER_PARTIAL, WRITTEN, SYNCED, PARAMETERS_COMMITTED,
        OPTIMIZER_COMMITTED);

    static final int HALT_STATUS = 86;

    private Hook() {}

    static boolean armed(String phase) {
      return phase.equals(System.getProperty(PROPERTY));
    }

    static void at(String phase) {
      if (armed(phase)) Runtime.getRuntime().halt(HALT_STATUS);
    }
  }
}
