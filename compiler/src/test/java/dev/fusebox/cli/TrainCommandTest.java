package dev.fusebox.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.io.SafeTensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {
  @TempDir Path dir;
  Path spec;
  Path iris;

  @BeforeEach
  void files() {
    spec = Cli.resource("iris.json", dir);
    iris = Cli.resource("iris.csv", dir);
  }

  @Test
  void irisTrainsToNinetyPercentValidationAccuracyAndSavesPytorchNamedParameters() throws IOException {
    Path train = Cli.resource("iris-train.csv", dir); // 120 rows
    Path valid = Cli.resource("iris-valid.csv", dir); // the other 30: every fifth row, 10 per species
    Path out = dir.resolve("iris.safetensors");

    Cli.Result r = Cli.run("train", spec, "--data", train, "--label", "species", "--valid", valid, "--out", out);

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.outLines().get(0)).isEqualTo("train iris.json (4-16-3, adam) on iris-train.csv: 120 rows, batch 16, 60 epochs");
    assertThat(r.outLines()).filteredOn(l -> l.startsWith("epoch ")).hasSize(60);
    String done = r.line("done: 480 steps");
    Matcher accuracy = Pattern.compile("valid_accuracy (\\d\\.\\d{4})").matcher(done);
    assertThat(accuracy.find()).as(done).isTrue();
    assertThat(Double.parseDouble(accuracy.group(1))).as(done).isGreaterThanOrEqualTo(0.9);
    assertThat(r.outLines()).last().isEqualTo("wrote " + out + " (parameters) and " + dir.resolve("iris.optimizer.safetensors")
        + " (optimizer state)");

    Map<String, List<Integer>> shapes = safetensorsShapes(out);
    assertThat(shapes).containsOnlyKeys("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias")
        .containsEntry("layers.0.weight", List.of(16, 4)).containsEntry("layers.0.bias", List.of(16))
        .containsEntry("layers.1.weight", List.of(3, 16)).containsEntry("layers.1.bias", List.of(3));
    assertThat(SafeTensors.read(out).metadata()).containsEntry("format", "fusebox-model").containsEntry("spec_file", "iris.json")
        .containsEntry("input_columns", "[\"sepal_length\",\"sepal_width\",\"petal_length\",\"petal_width\"]")
        .containsEntry("label_column", "species").containsEntry("classes", "3").containsEntry("content", "parameters");
    NamedTensors optimizer = SafeTensors.read(dir.resolve("iris.optimizer.safetensors")).tensors();
    assertThat(optimizer.names()).contains("layers.0.weight.exp_avg", "layers.1.bias.exp_avg_sq")
        .doesNotContain("layers.0.weight");
  }

  @Test
  void theOptimizerFileBesideInitResumesTrainingExactly() throws IOException {
    // iris.json: 10 batches per epoch, so ten steps are one epoch and a resumed run starts at the same batch.
    Path whole = dir.resolve("whole.safetensors");
    Path half = dir.resolve("half.safetensors");
    Path resumed = dir.resolve("resumed.safetensors");
    assertThat(train("--steps", 20, "--no-shuffle", "--out", whole).exitCode()).isZero();
    assertThat(train("--steps", 10, "--no-shuffle", "--out", half).exitCode()).isZero();
    Cli.Result r = train("--steps", 10, "--no-shuffle", "--init", half, "--out", resumed);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.outLines()).contains("resuming from " + half + " and its optimizer state " + dir.resolve("half.optimizer.safetensors")
        + " after epoch 1 (step 10)");
    assertThat(SafeTensors.read(resumed).tensors()).isEqualTo(SafeTensors.read(whole).tensors());
    assertThat(SafeTensors.read(dir.resolve("resumed.optimizer.safetensors")).tensors())
        .isEqualTo(SafeTensors.read(dir.resolve("whole.optimizer.safetensors")).tensors());

    // Without the optimizer file, Adam starts afresh (moments at zero, bias correction from step 1): another result.
    Path alone = Files.createDirectory(dir.resolve("alone")).resolve("half.safetensors");
    Files.copy(half, alone);
    Path fresh = dir.resolve("fresh.safetensors");
    Cli.Result f = train("--steps", 10, "--no-shuffle", "--init", alone, "--out", fresh);
    assertThat(f.outLines()).contains("starting from the parameters in " + alone + " with a fresh optimizer state");
    assertThat(SafeTensors.read(fresh).tensors()).isNotEqualTo(SafeTensors.read(whole).tensors());
  }

  @Test
  void seedOptionReplacesTheSpecsSeedForInitialisationAndShuffling() throws IOException {
    train("--steps", 3, "--out", dir.resolve("default.safetensors"));
    train("--steps", 3, "--seed", 1, "--out", dir.resolve("one.safetensors")); // iris.json says "seed": 1
    train("--steps", 3, "--seed", 2, "--out", dir.resolve("two.safetensors"));
    train("--steps", 3, "--seed", 2, "--out", dir.resolve("two-again.safetensors"));
    assertThat(read("one")).isEqualTo(read("default"));
    assertThat(read("two")).isEqualTo(read("two-again")).isNotEqualTo(read("one"));
  }

  @Test
  void epochsOptionOverridesTheSpecAndTheLogHasOneRowPerStep() throws IOException {
    Path log = dir.resolve("logs/steps.csv");
    Cli.Result r = train("--epochs", 2, "--log", log, "--out", dir.resolve("m.safetensors"));
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.outLines()).filteredOn(l -> l.startsWith("epoch ")).containsExactly(
        r.line("epoch 1/2"), r.line("epoch 2/2"));
    List<String> rows = Files.readAllLines(log);
    assertThat(rows).hasSize(1 + 20).first().isEqualTo("epoch,step,loss,ms");
    assertThat(rows.get(20)).startsWith("2,20,");
    assertThat(r.line("done: 20 steps")).doesNotContain("valid_");
  }

  @Test
  void everyBackendTrainsTheSameModel() throws IOException {
    Path interpreted = dir.resolve("interpreted.safetensors");
    assertThat(train("--steps", 3, "--backend", "interpreter", "--out", interpreted).err()).isEmpty();
    NamedTensors reference = SafeTensors.read(interpreted).tensors();
    for (String backend : List.of("vector", "scalar")) {
      Path out = dir.resolve(backend + ".safetensors");
      Cli.Result r = train("--steps", 3, "--backend", backend, "--out", out);
      assertThat(r.exitCode()).isZero();
      NamedTensors t = SafeTensors.read(out).tensors();
      assertThat(t.names()).isEqualTo(reference.names());
      for (String name : reference.names()) {
        float[] a = reference.get(name).data(), b = t.get(name).data();
        for (int i = 0; i < a.length; i++) assertThat(b[i]).as("%s %s[%d]", backend, name, i).isCloseTo(a[i], within(1e-4f));
      }
    }
    Path twoThreads = dir.resolve("two-threads.safetensors");
    assertThat(train("--steps", 3, "--threads", 2, "--out", twoThreads).exitCode()).isZero();
    assertThat(SafeTensors.read(twoThreads).tensors()).isEqualTo(SafeTensors.read(dir.resolve("vector.safetensors")).tensors());
    Cli.Result interpreterThreads = train("--steps", 1, "--threads", 2, "--backend", "interpreter", "--out", dir.resolve("t.safetensors"));
    assertThat(interpreterThreads.errLines()).contains("fusebox: note: the interpreter runs on one thread; --threads 2 is not used");
  }

  private Cli.Result train(Object... options) {
    List<Object> args = new ArrayList<>(List.of("train", spec, "--data", iris, "--label", "species"));
    args.addAll(Arrays.asList(options));
    return Cli.run(args.toArray());
  }

  private NamedTensors read(String stem) throws IOException {
    return SafeTensors.read(dir.resolve(stem + ".safetensors")).tensors();
  }

  /**
   * Checks the file against the safetensors format independently of Fusebox's reader (an 8-byte
   * little-endian header length, a JSON header padded to 8 bytes, F32 tensors laid out contiguously to
   * the end of the file) and returns each tensor's shape.
   */
  static Map<String, List<Integer>> safetensorsShapes(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(n % 8).as("header padded to 8 bytes").isZero();
    JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
    Map<String, List<Integer>> shapes = new TreeMap<>();
    List<long[]> ranges = new ArrayList<>();
    header.properties().forEach(e -> {
      if (e.getKey().equals("__metadata__")) return;
      JsonNode t = e.getValue();
      assertThat(t.get("dtype").asText()).isEqualTo("F32");
      List<Integer> shape = new ArrayList<>();
      t.get("shape").forEach(d -> shape.add(d.asInt()));
      long begin = t.get("data_offsets").get(0).asLong(), end = t.get("data_offsets").get(1).asLong();
      assertThat(end - begin).isEqualTo(4L * shape.stream().mapToLong(Integer::longValue).reduce(1, (a, b) -> a * b));
      ranges.add(new long[] {begin, end});
      shapes.put(e.getKey(), shape);
    });
    ranges.sort((a, b) -> Long.compare(a[0], b[0]));
    long at = 0;
    for (long[] range : ranges) {
      assertThat(range[0]).as("tensors laid out without gaps").isEqualTo(at);
      at = range[1];
    }
    assertThat(8 + n + at).as("file size").isEqualTo(bytes.length);
    return shapes;
  }
}
