package dev.fusebox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.io.SafeTensors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every bad input gives exit code 1 and exactly one line on standard error that names the file,
 * key, column or tensor at fault, and no output file is written or replaced.
 */
class InputErrorsTest {
  static final String SPEC = """
      {"input": 4, "layers": [{"units": 16, "activation": "relu"}, {"units": 3}],
       "loss": "softmax_cross_entropy", "optimizer": {"type": "adam", "lr": 0.01}, "batch": 16%s}""";

  static final String EARLIER = "an earlier model";

  @TempDir Path dir;
  Path spec;
  Path iris;
  Path out;

  @BeforeEach
  void files() {
    spec = Cli.write(dir.resolve("model.json"), SPEC.formatted(""));
    iris = Cli.resource("iris.csv", dir);
    out = dir.resolve("out.safetensors");
  }

  @Test
  void unknownSpecKey() {
    Path bad = Cli.write(dir.resolve("bad.json"), SPEC.formatted(", \"epoch\": 3"));
    assertFails(train(bad), "fusebox: error: bad.json: epoch: unknown key; known keys: input, layers, loss, optimizer, batch, "
        + "epochs, seed, init, bias_init, l2, clip_grad_norm, schedule");
  }

  @Test
  void badActivation() {
    Path bad = Cli.write(dir.resolve("bad.json"), SPEC.formatted("").replace("relu", "relux"));
    assertThat(fails(train(bad))).startsWith("fusebox: error: bad.json: layers[0].activation: unknown activation 'relux'; known: ");
  }

  @Test
  void specThatIsNotJson() {
    Path bad = Cli.write(dir.resolve("bad.json"), "{\"input\": 4,\n \"layers\": [}");
    assertThat(fails(train(bad))).startsWith("fusebox: error: bad.json: line 2, column ").contains("not valid JSON");
  }

  @Test
  void missingSpecAndDataFiles() {
    Path missing = dir.resolve("missing.csv");
    assertFails(Cli.run("train", spec, "--data", missing, "--label", "species", "--out", out),
        "fusebox: error: " + missing + ": no such file or directory");
    assertFails(Cli.run("train", dir.resolve("nope.json"), "--data", iris, "--label", "species", "--out", out),
        "fusebox: error: " + dir.resolve("nope.json") + ": no such file or directory");
    assertFails(Cli.run("train", spec, "--data", dir, "--label", "species", "--out", out),
        "fusebox: error: " + dir + ": is a directory, not a file");
  }

  @Test
  void nonNumericCsvValueNamesFileLineAndColumn() {
    Path bad = Cli.write(dir.resolve("data.csv"), "age,height,weight,shoe,species\n31,180,75,44,0\n29,abc,60,39,1\n");
    assertFails(Cli.run("train", spec, "--data", bad, "--label", "species", "--out", out),
        "fusebox: error: data.csv: line 3, column 'height': value \"abc\" is not a number");
  }

  @Test
  void unknownLabelColumn() {
    assertFails(Cli.run("train", spec, "--data", iris, "--label", "kind", "--out", out), "fusebox: error: iris.csv: line 1: no "
        + "column 'kind'; the columns are [sepal_length, sepal_width, petal_length, petal_width, species]");
  }

  @Test
  void dataThatDoesNotFitTheModel() {
    Path wide = Cli.write(dir.resolve("wide.csv"), "a,b,c,d,e,y\n1,2,3,4,5,0\n");
    assertFails(Cli.run("train", spec, "--data", wide, "--label", "y", "--out", out), "fusebox: error: wide.csv: has 5 "
        + "feature columns besides the label 'y' [a, b, c, d, e], but model.json takes 4 inputs");
    Path classes = Cli.write(dir.resolve("classes.csv"), "a,b,c,d,y\n1,2,3,4,0\n1,2,3,4,5\n");
    assertFails(Cli.run("train", spec, "--data", classes, "--label", "y", "--out", out), "fusebox: error: classes.csv: line 3, "
        + "column 'y': class label 5 is out of range: there are 3 classes, 0..2");
  }

  @Test
  void initWithAWrongTensorNameNamesTheTensorAndWritesNothing() throws IOException {
    Path init = writeInit("layers.0.weights", new int[] {16, 4});
    assertFails(train(spec, "--init", init), "fusebox: error: init.safetensors: tensor 'layers.0.weights' is not a parameter of "
        + "this model; its parameters are layers.0.weight [16, 4], layers.0.bias [16], layers.1.weight [3, 16], layers.1.bias [3]");
  }

  @Test
  void initWithAWrongShapeNamesTheTensorAndWritesNothing() throws IOException {
    Path init = writeInit("layers.0.weight", new int[] {4, 16});
    assertFails(train(spec, "--init", init),
        "fusebox: error: init.safetensors: tensor 'layers.0.weight' has shape [4, 16], but the model's is [16, 4]");
  }

  @Test
  void initMissingATensor() throws IOException {
    NamedTensors t = SafeTensors.read(writeInit("layers.0.weight", new int[] {16, 4})).tensors().filter(n -> !n.equals("layers.1.bias"));
    SafeTensors.write(dir.resolve("init.safetensors"), t);
    assertFails(train(spec, "--init", dir.resolve("init.safetensors")), "fusebox: error: init.safetensors: has no tensor "
        + "'layers.1.bias' [3]; the model's parameters are layers.0.weight [16, 4], layers.0.bias [16], layers.1.weight [3, 16], "
        + "layers.1.bias [3]");
  }

  @Test
  void truncatedInitFile() throws IOException {
    Path init = writeInit("layers.0.weight", new int[] {16, 4});
    byte[] bytes = Files.readAllBytes(init);
    Files.write(init, Arrays.copyOf(bytes, bytes.length - 10));
    assertThat(fails(train(spec, "--init", init))).startsWith("fusebox: error: init.safetensors: tensor 'layers.1.bias': "
        + "data_offsets [").contains("the file is truncated");
    Files.write(init, Arrays.copyOf(bytes, 5));
    assertFails(train(spec, "--init", init),
        "fusebox: error: init.safetensors: file is 5 bytes, too short to hold the 8-byte header length");
  }

  @Test
  void optimizerStateOfAnotherOptimizer() throws IOException {
    Path sgd = Cli.write(dir.resolve("sgd.json"), SPEC.formatted("").replace("\"adam\"", "\"sgd\", \"momentum\": 0.9"));
    Path first = dir.resolve("first.safetensors");
    assertThat(Cli.run("train", sgd, "--data", iris, "--label", "species", "--steps", 2, "--out", first).exitCode()).isZero();
    assertFails(train(spec, "--init", first), "fusebox: error: first.optimizer.safetensors: tensor 'layers.0.weight.momentum_buffer' "
        + "is not state of this model's optimizer (adam); was the file written for another optimizer or model?");
  }

  @Test
  void epochsAndStepsTogether() {
    assertFails(train(spec, "--epochs", 2, "--steps", 10), "fusebox: error: --epochs and --steps cannot be used together: give a "
        + "number of passes over the data or a number of optimizer steps (see 'fusebox train --help')");
  }

  @Test
  void anExistingOutputIsUntouchedWhenTrainingDiverges() throws IOException {
    Files.writeString(out, EARLIER);
    Path diverging = Cli.write(dir.resolve("diverging.json"), SPEC.formatted("").replace("\"lr\": 0.01", "\"lr\": 1e30")
        .replace("\"adam\"", "\"sgd\""));
    Cli.Result r = Cli.run("train", diverging, "--data", iris, "--label", "species", "--steps", 20, "--out", out);
    assertThat(r.exitCode()).isEqualTo(Errors.NON_FINITE_LOSS);
    assertThat(r.error()).startsWith("fusebox: error: training stopped: loss is ").endsWith("; nothing was written to " + out);
    assertThat(r.out()).contains("stopped: loss is ");
    assertThat(out).hasContent(EARLIER);
    assertThat(dir.resolve("out.optimizer.safetensors")).doesNotExist();
  }

  @Test
  void anExistingOutputIsUntouchedWhenTheInputIsBad() throws IOException {
    Files.writeString(out, EARLIER);
    Path init = writeInit("layers.0.weight", new int[] {4, 16});
    assertThat(fails(train(spec, "--init", init))).contains("'layers.0.weight'");
    assertThat(out).hasContent(EARLIER);
  }

  @Test
  void usageErrorsAreOneLineWithWhereToFindHelp() {
    assertFails(Cli.run("train", spec, "--data", iris), "fusebox: error: Missing required option: '--label=COLUMN' "
        + "(see 'fusebox train --help')");
    assertFails(Cli.run("train", spec, "--data", iris, "--label", "species", "--bogus"),
        "fusebox: error: Unknown option: '--bogus' (see 'fusebox train --help')");
    assertFails(train(spec, "--backend", "gpu"), "fusebox: error: Invalid value for option '--backend': unknown backend 'gpu'; "
        + "the backends are auto, vector, scalar, interpreter (see 'fusebox train --help')");
    assertFails(train(spec, "--steps", 0), "fusebox: error: --steps must be at least 1, not 0 (see 'fusebox train --help')");
    assertFails(train(spec, "--threads", 0), "fusebox: error: --threads must be at least 1, not 0 (see 'fusebox train --help')");
    assertFails(Cli.run("predict", spec, "--model", dir.resolve("m.safetensors"), "--data", iris, "--threads", 0),
        "fusebox: error: --threads must be at least 1, not 0 (see 'fusebox predict --help')");
    assertFails(Cli.run(), "fusebox: error: no command given; the commands are train, predict, export, dump and bench (see 'fusebox --help')");
    assertFails(Cli.run("fit"), "fusebox: error: Unmatched argument at index 0: 'fit' (see 'fusebox --help')");
  }

  @Test
  void anUnknownPassToDisableIsAnInputError() {
    System.setProperty("fusebox.passes.disable", "fusion");
    try {
      assertFails(Cli.run("dump", spec, "--out", dir.resolve("dump")), "fusebox: error: unknown pass 'fusion' to disable; passes are "
          + "[loss_fusion, algebraic_simplification, constant_folding, cse, dead_node_elimination, kernel_fusion, valid_rows]");
    } finally {
      System.clearProperty("fusebox.passes.disable");
    }
  }

  @Test
  void debugAddsTheStackTrace() {
    Path bad = Cli.write(dir.resolve("bad.json"), SPEC.formatted(", \"epoch\": 3"));
    Cli.Result r = Cli.run("train", bad, "--data", iris, "--label", "species", "--out", out, "--debug");
    assertThat(r.exitCode()).isEqualTo(Errors.USER);
    assertThat(r.errLines().get(0)).startsWith("fusebox: error: bad.json: epoch: unknown key");
    assertThat(r.err()).contains("dev.fusebox.model.SpecException", "\tat dev.fusebox.");
  }

  @Test
  void unexpectedExceptionsAreInternalErrors() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int code = Errors.report(new IllegalStateException("no buffer for node 7"), new PrintStream(bytes, true), false);
    assertThat(code).isEqualTo(Errors.INTERNAL).isEqualTo(3);
    assertThat(bytes.toString()).isEqualTo("fusebox: error: internal error: java.lang.IllegalStateException: no buffer for node 7 "
        + "(rerun with --debug for the stack trace)" + System.lineSeparator());
  }

  private Cli.Result train(Path spec, Object... options) {
    List<Object> args = new ArrayList<>(List.of("train", spec, "--data", iris, "--label", "species", "--out", out));
    args.addAll(Arrays.asList(options));
    return Cli.run(args.toArray());
  }

  private Path writeInit(String firstName, int[] firstShape) throws IOException {
    NamedTensors t = new NamedTensors();
    t.put(firstName, new FloatTensor(firstShape, new float[firstShape[0] * firstShape[1]]));
    t.put("layers.0.bias", new FloatTensor(new int[] {16}, new float[16]));
    t.put("layers.1.weight", new FloatTensor(new int[] {3, 16}, new float[48]));
    t.put("layers.1.bias", new FloatTensor(new int[] {3}, new float[3]));
    Path file = dir.resolve("init.safetensors");
    SafeTensors.write(file, t);
    return file;
  }

  /** Exit code 1, the expected line alone on standard error, nothing on standard output, and no file written. */
  private void assertFails(Cli.Result r, String expected) {
    assertThat(fails(r)).isEqualTo(expected);
  }

  private String fails(Cli.Result r) {
    assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(Errors.USER);
    assertThat(r.out()).as("inputs are checked before anything is printed").isEmpty();
    assertThat(dir.resolve("out.optimizer.safetensors")).doesNotExist();
    if (Files.exists(out)) assertThat(out).as("an output that existed before").hasContent(EARLIER);
    return r.error();
  }
}
