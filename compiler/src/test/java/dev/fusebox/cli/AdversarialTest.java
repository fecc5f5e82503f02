package dev.fusebox.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fusebox.runtime.io.ModelFiles;
import dev.fusebox.runtime.io.SafeTensors;
import dev.fusebox.runtime.io.SafeTensorsFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad inputs of every kind, tried against the command line as a batch job would meet them: bad specs,
 * bad data, corrupt and mismatched model files, outputs that cannot be written, a full disk, a process
 * killed at every step of writing a model, concurrent runs. Each case checks the exit code, that
 * exactly one line on standard error names the culprit (file, key, column, line or flag), and that the
 * model already at the output path, and everything else in its directory, is byte for byte unchanged.
 */
class AdversarialTest {
  static final String SPEC = """
      {"input": 4, "layers": [{"units": 16, "activation": "relu"}, {"units": 3}],
       "loss": "softmax_cross_entropy", "optimizer": {"type": "adam", "lr": 0.01}, "batch": 16, "epochs": 2, "seed": 1}""";

  @TempDir Path dir;
  Path spec;
  Path iris;
  /** A good model pair, trained before each case: what a failed run must leave as it is. */
  Path model;
  Map<Path, String> before;
  final List<AutoCloseable> mounts = new ArrayList<>();

  @BeforeEach
  void aGoodModel() throws IOException {
    spec = Cli.write(dir.resolve("model.json"), SPEC);
    iris = Cli.resource("iris.csv", dir);
    model = dir.resolve("model.safetensors");
    Cli.Result r = train("--steps", 3, "--out", model);
    assertThat(r.exitCode()).as(r.err()).isZero();
    protect();
  }

  @AfterEach
  void unmount() throws Exception {
    for (AutoCloseable m : mounts) m.close();
  }

  // ---- specs

  @Test
  void badSpecs() throws IOException {
    refused(trainWith("{\"input\": 4, \"batch\": 16,\n \"batch\": 8}"), "bad.json: line 2, column 9: batch: the key appears twice; "
        + "give it once");
    refused(trainWith(SPEC.replace("\"relu\"", "\"rectifier\"")), "bad.json: layers[0].activation: unknown activation "
        + "'rectifier'; known: identity, sigmoid, tanh, hard_sigmoid, hard_tanh, relu, leaky_relu, prelu, elu, softplus, swish, "
        + "gelu, gelu_tanh, maxout");
    refused(trainWith(SPEC.replace("\"lr\": 0.01", "\"lr\": 0")), "bad.json: optimizer.lr: learning rate must be positive and "
        + "finite, not 0.0");
    refused(trainWith(SPEC.replace("\"seed\": 1", "\"schedule\": {\"type\": \"exponential\"}")),
        "bad.json: schedule.gamma: is required");
    refused(trainWith(SPEC.replace("{\"units\": 3}", "{\"units\": 3, \"dropout\": 1}")), "bad.json: layers[1].dropout: must be in "
        + "[0, 1), got 1.0");
    refused(trainWith(SPEC.replace("\"units\": 3", "\"units\": 1")), "bad.json: loss: softmax_cross_entropy needs a last layer "
        + "with one unit per class (at least 2), not 1");
    refused(trainWith(""), "bad.json: is empty; a spec is a JSON object");
    refused(trainWith("[1, 2]"), "bad.json: must be a JSON object");
    Path latin1 = dir.resolve("latin1.json");
    Files.write(latin1, SPEC.replace("relu", "r\u00e9lu").getBytes(StandardCharsets.ISO_8859_1));
    protect();
    refused(Cli.run("train", latin1, "--data", iris, "--label", "species", "--out", model), "latin1.json: is not UTF-8 text; a "
        + "spec is a JSON file");
    refused(Cli.run("train", dir, "--data", iris, "--label", "species", "--out", model), dir + ": is a directory, not a file");
  }

  // ---- data

  @Test
  void badData() throws IOException {
    refused(trainOn(csv("a,b,c,d,species\n1,2,3,4,0\n1,2,3,4,7.5\n")), "data.csv: line 3, column 'species': class label 7.5 is not "
        + "an integer; class labels are 0, 1, 2, ...");
    refused(trainOn(csv("a,b,c,d,species\n1,2,3,4,0\n1,2,3,4,3.0\n")), "data.csv: line 3, column 'species': class label 3.0 is "
        + "out of range: there are 3 classes, 0..2");
    refused(trainOn(csv("a,b,c,d,species\n1,2,NaN,4,0\n")), "data.csv: line 2, column 'c': value NaN is not finite");
    refused(trainOn(csv("a,b,c,species\n1,2,3,0\n")), "data.csv: has 3 feature columns besides the label 'species' [a, b, c], but "
        + "model.json takes 4 inputs");
    refused(trainOn(csv("")), "data.csv: is empty; expected a header line");
    Path named = Cli.write(dir.resolve("plain.csv.gz"), "a,b,c,d,species\n1,2,3,4,0\n");
    protect();
    refused(trainOn(named), "plain.csv.gz: is named .gz but is not gzip data");
    Path cut = dir.resolve("cut.csv.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(cut))) {
      out.write(Files.readAllBytes(iris));
    }
    byte[] whole = Files.readAllBytes(cut);
    Files.write(cut, Arrays.copyOf(whole, whole.length / 2));
    protect();
    assertThat(refused(trainOn(cut))).startsWith("fusebox: error: cut.csv.gz: has corrupt or truncated gzip data (");
    refused(trainOn(dir), dir + ": is a directory, not a file");
    refused(trainOn(dir.resolve("missing.csv")), dir.resolve("missing.csv") + ": no such file or directory");
    refused(Cli.run("train", spec, "--data", "-", "--valid", "-", "--label", "species", "--out", model),
        "--data and --valid cannot both be standard input ('-') (see 'fusebox train --help')");
    // Standard input, and by name in messages.
    refused(Cli.runWithInput("a,b,c,d,species\n1,2,3,4,x\n", "train", spec, "--data", "-", "--label", "species", "--out", model),
        "standard input: line 2, column 'species': class label \"x\" is not a number; class labels are 0, 1, 2, ...");
    // Predicting on data without one of the model's input columns.
    refused(Cli.run("predict", "--model", model, "--data", csv("sepal_length,sepal_width,petal_width\n1,2,3\n")),
        "data.csv: has no column 'petal_length', one of the inputs of model.safetensors: [sepal_length, sepal_width, petal_length, "
        + "petal_width]");
  }

  // ---- model files

  @Test
  void corruptAndMismatchedModelFiles() throws IOException {
    Path copy = copyPair("copy");
    byte[] bytes = Files.readAllBytes(copy);
    Files.write(copy, Arrays.copyOf(bytes, bytes.length - 10));
    protect();
    assertThat(refused(predict(copy))).startsWith("fusebox: error: copy.safetensors: tensor 'layers.1.bias': data_offsets [")
        .contains("the file is truncated");
    bytes[bytes.length - 1] ^= 0x40;
    Files.write(copy, bytes);
    protect();
    refused(predict(copy), "copy.safetensors: its tensor data does not match the SHA-256 recorded in its header: the file is "
        + "corrupt (changed or damaged after it was written)");
    Files.writeString(copy, Files.readString(iris));
    protect();
    assertThat(refused(predict(copy))).startsWith("fusebox: error: copy.safetensors: header length ");
    refused(predict(dir), dir + ": is a directory, not a file");

    // The optimizer state of another save beside the parameters: --init refuses the pair.
    Path other = dir.resolve("other.safetensors");
    assertThat(train("--steps", 4, "--out", other).exitCode()).isZero();
    Path mixed = copyPair("mixed");
    Files.copy(dir.resolve("other.optimizer.safetensors"), dir.resolve("mixed.optimizer.safetensors"),
        StandardCopyOption.REPLACE_EXISTING);
    protect();
    assertThat(refused(train("--init", mixed, "--out", model))).startsWith("fusebox: error: mixed.optimizer.safetensors: does not "
        + "belong with mixed.safetensors: it has pair id ").endsWith("; move it away to start from the parameters with a fresh "
        + "optimizer state");

    // A model that disagrees with the spec given, a later format, a tampered training position.
    Path tanh = Cli.write(dir.resolve("tanh.json"), SPEC.replace("relu", "tanh"));
    protect();
    refused(Cli.run("predict", tanh, "--model", model, "--data", iris), "tanh.json: layers[0].activation is tanh, but "
        + "model.safetensors was trained with relu; the model file holds its own spec, so SPEC.json can be left out");
    Path wide = Cli.write(dir.resolve("wide.json"), SPEC.replace("\"units\": 16", "\"units\": 32"));
    protect();
    refused(Cli.run("train", wide, "--data", iris, "--label", "species", "--init", model, "--out", model), "wide.json: "
        + "layers[0].units is 32, but model.safetensors was trained with 16; --init continues a model with the spec it was "
        + "trained with");
    Path later = rewriteMetadata("later", m -> m.put("format_version", "2"));
    refused(predict(later), "later.safetensors: metadata key 'format_version' is 2: the file was written by a later Fusebox, and "
        + "this one (" + Main.version() + ") reads model format 1; upgrade Fusebox to read it");
    Path position = copyPair("position");
    Path state = dir.resolve("position.optimizer.safetensors");
    SafeTensorsFile o = SafeTensors.read(state);
    Map<String, String> m = new LinkedHashMap<>(o.metadata());
    m.put("training_step", "three");
    SafeTensors.write(state, o.tensors(), m); // its own data hash still matches: only the position is wrong
    protect();
    refused(train("--init", position, "--out", model), "position.optimizer.safetensors: metadata key 'training_step' is 'three', "
        + "not an integer");
  }

  // ---- outputs that cannot be written

  @Test
  void outputsThatCannotBeWritten() throws IOException {
    Files.createDirectory(dir.resolve("folder.safetensors"));
    protect();
    refused(train("--out", dir.resolve("folder.safetensors")), dir.resolve("folder.safetensors") + ": is a directory; give a file "
        + "name");
    Files.createDirectory(dir.resolve("taken.optimizer.safetensors"));
    protect();
    refused(train("--out", dir.resolve("taken.safetensors")), dir.resolve("taken.optimizer.safetensors") + ": is a directory; give "
        + "a file name");
    Path tooLong = dir.resolve("a".repeat(239) + ".safetensors");
    refused(train("--out", tooLong), dir.resolve("a".repeat(239) + ".optimizer.safetensors") + ": the name is 261 bytes, longer "
        + "than the file system in " + dir + " allows (255 on most); choose a shorter --out");
    refused(train("--out", Path.of("/dev/null")), "/dev/null: is not a regular file (a device, pipe or socket); a model is written "
        + "beside its file and renamed over it, so give a file name");
    Path notADir = dir.resolve("iris.csv/model.safetensors");
    assertThat(refused(train("--out", notADir))).startsWith("fusebox: error: " + notADir + ": cannot create its directory ");
    refused(Cli.run("predict", "--model", model, "--data", iris, "--out", dir), dir + ": is a directory; give a file name");
    refused(train("--out", ""), "--out is empty; give a file name (see 'fusebox train --help')");
    refused(Cli.run("predict", "--model", model, "--data", iris, "--out", ""), "--out is empty; give a file name, or leave --out out "
        + "for standard output (see 'fusebox predict --help')");
    refused(train("--out", model, "--log", dir.resolve("model.optimizer.safetensors")), "--log " + dir.resolve(
        "model.optimizer.safetensors") + " is also where the model goes; give the log another name (see 'fusebox train --help')");
    refused(train("--out", model, "--log", dir), dir + ": is a directory; give --log a file name");
  }

  @Test
  void aReadOnlyFileSystem() throws Exception {
    Path disk = mount("ro", "256k");
    Path out = disk.resolve("model.safetensors");
    assertThat(train("--steps", 2, "--out", out).exitCode()).isZero();
    Cli.run("predict", "--model", out, "--data", iris, "--out", disk.resolve("p.csv"));
    remountReadOnly(disk);
    Map<Path, String> onDisk = snapshot(disk);
    refused(train("--out", out), out + ": cannot write into " + disk + ": read-only file system");
    refused(Cli.run("predict", "--model", out, "--data", iris, "--out", disk.resolve("p.csv")), disk.resolve("p.csv")
        + ": cannot write into " + disk + ": read-only file system");
    assertThat(snapshot(disk)).isEqualTo(onDisk);
    // Reading needs no write access.
    assertThat(Cli.run("predict", "--model", out, "--data", iris).exitCode()).isZero();
  }

  @Test
  void aFullDisk() throws Exception {
    Path disk = mount("full", "64k");
    Path out = disk.resolve("model.safetensors");
    assertThat(train("--steps", 2, "--out", out).exitCode()).isZero();
    Map<Path, String> onDisk = snapshot(disk);
    // 64-128-10 with Adam: 38 KB of parameters and 77 KB of state, more than the disk holds.
    Path big = Cli.write(dir.resolve("big.json"), """
        {"input": 4, "layers": [{"units": 128, "activation": "relu"}, {"units": 64, "activation": "relu"}, {"units": 3}],
         "loss": "softmax_cross_entropy", "optimizer": {"type": "adam"}, "batch": 16}""");
    Cli.Result r = Cli.run("train", big, "--data", iris, "--label", "species", "--steps", 2, "--out", out);
    assertThat(r.exitCode()).isEqualTo(Errors.USER);
    assertThat(r.out()).as("refused before training").isEmpty();
    assertThat(r.error()).startsWith("fusebox: error: " + out + ": not enough space in " + disk + ": the model and its optimizer "
        + "state need ");
    assertThat(snapshot(disk)).isEqualTo(onDisk);
  }

  // ---- kills

  /**
   * {@code fusebox train} killed at each step of writing its model (halted there, as {@code kill -9}
   * would stop it, in a JVM of its own): before the commit point the old model is there byte for byte,
   * after it the new one, whole; either way the next run reads it and writes over it cleanly.
   */
  @Test
  void killedAtEveryStepOfWritingTheModel() throws Exception {
    Path out = dir.resolve("killed.safetensors");
    assertThat(train("--steps", 2, "--out", out).exitCode()).isZero();
    byte[] oldParameters = Files.readAllBytes(out);
    byte[] oldState = Files.readAllBytes(dir.resolve("killed.optimizer.safetensors"));
    Path reference = dir.resolve("reference.safetensors");
    assertThat(train("--steps", 5, "--out", reference, "--backend", "interpreter").exitCode()).isZero();
    NamedPair newPair = NamedPair.of(reference);
    List<String> phases = List.of("parameters-partial", "optimizer-partial", "written", "synced", "parameters-committed",
        "optimizer-committed");
    for (String phase : phases) {
      Files.write(out, oldParameters);
      Files.write(dir.resolve("killed.optimizer.safetensors"), oldState);
      Process p = cli(phase, "train", spec, "--data", iris, "--label", "species", "--steps", 5, "--out", out, "--backend",
          "interpreter");
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(phase + ": " + output).isEqualTo(86);
      boolean committed = phases.indexOf(phase) >= phases.indexOf("parameters-committed");
      if (committed) {
        assertThat(NamedPair.of(out)).as(phase).isEqualTo(newPair);
      } else {
        assertThat(Files.readAllBytes(out)).as(phase).isEqualTo(oldParameters);
        assertThat(Files.readAllBytes(dir.resolve("killed.optimizer.safetensors"))).as(phase).isEqualTo(oldState);
      }
      Cli.Result next = train("--init", out, "--steps", 1, "--out", out);
      assertThat(next.exitCode()).as(phase + ": " + next.err()).isZero();
      try (Stream<Path> files = Files.list(dir)) {
        assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(".killed"))).as(phase).isEmpty();
      }
    }
  }

  // ---- concurrent runs

  @Test
  void concurrentRunsWritingTheSameAndDifferentOutputs() throws Exception {
    Path same = dir.resolve("same.safetensors");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Cli.Result>> runs = new ArrayList<>();
      for (int seed = 1; seed <= 4; seed++) {
        Object[] args = {"train", spec, "--data", iris, "--label", "species", "--steps", 20, "--seed", seed, "--out", same};
        runs.add(pool.submit(() -> Cli.run(args)));
        Object[] own = {"train", spec, "--data", iris, "--label", "species", "--steps", 20, "--seed", seed, "--out",
            dir.resolve("own-" + seed + ".safetensors")};
        runs.add(pool.submit(() -> Cli.run(own)));
      }
      for (Future<Cli.Result> f : runs) {
        Cli.Result r = f.get(300, TimeUnit.SECONDS);
        assertThat(r.exitCode()).as(r.err()).isZero();
      }
    } finally {
      pool.shutdownNow();
    }
    // The shared output is one whole pair: that of one of the runs, which wrote the same to its own file.
    NamedPair result = NamedPair.of(same);
    List<NamedPair> own = new ArrayList<>();
    for (int seed = 1; seed <= 4; seed++) own.add(NamedPair.of(dir.resolve("own-" + seed + ".safetensors")));
    assertThat(own).contains(result);
    assertThat(Cli.run("predict", "--model", same, "--data", iris).exitCode()).isZero();
  }

  // ---- helpers

  /** A pair's tensors and training position, which two runs of the same inputs write alike. */
  record NamedPair(Object parameters, Object state, String position) {
    static NamedPair of(Path file) throws IOException {
      ModelFiles.Pair p = ModelFiles.read(file);
      SafeTensorsFile o = p.optimizerState().orElseThrow();
      return new NamedPair(p.parameters().tensors(), o.tensors(), new TreeMap<>(o.metadata()).toString()
          .replaceAll("pair_id=[0-9a-f]+", ""));
    }
  }

  /** Exit code 1, the line alone on standard error, nothing on standard output, and nothing in the directory changed. */
  private String refused(Cli.Result r, String line) throws IOException {
    String error = refused(r);
    assertThat(error).isEqualTo("fusebox: error: " + line);
    return error;
  }

  private String refused(Cli.Result r) throws IOException {
    assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(Errors.USER);
    assertThat(r.out()).as("inputs are checked before anything is printed").isEmpty();
    assertThat(snapshot(dir)).as("files of the directory, byte for byte").isEqualTo(before);
    return r.error();
  }

  /** Every regular file under {@code root} (mounted tmpfs directories apart) with its size and SHA-256. */
  private Map<Path, String> snapshot(Path root) throws IOException {
    Map<Path, String> files = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path f : (Iterable<Path>) all::iterator) {
        if (!Files.isRegularFile(f) || root.equals(dir) && f.startsWith(dir.resolve("mnt"))) continue;
        byte[] bytes = Files.readAllBytes(f);
        files.put(f, bytes.length + " bytes, sha256 " + HexFormat.of().formatHex(sha256(bytes)));
      }
    }
    return files;
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Takes what is in the directory now as what a refused command must leave. */
  private void protect() throws IOException {
    before = snapshot(dir);
  }

  private Path copyPair(String stem) throws IOException {
    Path copy = dir.resolve(stem + ".safetensors");
    Files.copy(model, copy);
    Files.copy(dir.resolve("model.optimizer.safetensors"), dir.resolve(stem + ".optimizer.safetensors"));
    protect();
    return copy;
  }

  private Path rewriteMetadata(String stem, Consumer<Map<String, String>> change) throws IOException {
    Path copy = dir.resolve(stem + ".safetensors");
    SafeTensorsFile f = SafeTensors.read(model);
    Map<String, String> m = new LinkedHashMap<>(f.metadata());
    change.accept(m);
    SafeTensors.write(copy, f.tensors(), m);
    protect();
    return copy;
  }

  private Path csv(String text) throws IOException {
    Path file = dir.resolve("data.csv");
    Files.writeString(file, text);
    protect();
    return file;
  }

  private Cli.Result trainWith(String specText) throws IOException {
    Path bad = Cli.write(dir.resolve("bad.json"), specText);
    protect();
    return Cli.run("train", bad, "--data", iris, "--label", "species", "--out", model);
  }

  private Cli.Result trainOn(Path data) {
    return Cli.run("train", spec, "--data", data, "--label", "species", "--out", model);
  }

  private Cli.Result predict(Path modelFile) {
    return Cli.run("predict", "--model", modelFile, "--data", iris);
  }

  private Cli.Result train(Object... options) {
    List<Object> args = new ArrayList<>(List.of("train", spec, "--data", iris, "--label", "species"));
    args.addAll(Arrays.asList(options));
    return Cli.run(args.toArray());
  }

  /** The command in a JVM of its own, halted at {@code haltAt} while writing its model. */
  private static Process cli(String haltAt, Object... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-modules=jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), "-Dfusebox.test.haltAt=" + haltAt,
        Main.class.getName()));
    for (Object a : args) command.add(a.toString());
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  /** A tmpfs of {@code size} on {@code dir/mnt/name}, unmounted after the test; skips the test where mounting is refused. */
  private Path mount(String name, String size) throws Exception {
    Path point = Files.createDirectories(dir.resolve("mnt").resolve(name));
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", point.toString())
        .redirectErrorStream(true).start();
    boolean mounted = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    assumeTrue(mounted, "cannot mount a tmpfs here (needs root): the full-disk and read-only cases are skipped");
    mounts.add(() -> new ProcessBuilder("umount", "-l", point.toString()).start().waitFor(30, TimeUnit.SECONDS));
    protect();
    return point;
  }

  private static void remountReadOnly(Path point) throws Exception {
    Process p = new ProcessBuilder("mount", "-o", "remount,ro", point.toString()).redirectErrorStream(true).start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0).as("remount read-only").isTrue();
  }
}
