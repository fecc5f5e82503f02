package dev.fusebox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.model.ModelSpec;
import dev.fusebox.onnx.OnnxExport;
import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fusebox export} writes what the Java API exports for the spec and the trained parameters
 * (whose ONNX Runtime checks are {@code OnnxRuntimeRoundTripTest}'s), says what the file takes and
 * gives, and rejects parameters that are not the spec's as {@code predict} does.
 */
class ExportCommandTest {
  @TempDir Path dir;

  private Path train(Path spec, String data, String label) {
    Path model = dir.resolve(spec.getFileName().toString().replace(".json", ".safetensors"));
    Cli.Result r = Cli.run("train", spec, "--data", Cli.resource(data, dir), "--label", label, "--steps", 3, "--out", model);
    assertThat(r.exitCode()).as(r.err()).isZero();
    return model;
  }

  @Test
  void aClassifierIsExportedWithItsSpecAndTrainedParameters() throws IOException {
    Path spec = Cli.resource("iris.json", dir);
    Path model = train(spec, "iris.csv", "species");
    Path out = dir.resolve("models/iris.onnx");

    Cli.Result r = Cli.run("export", spec, "--model", model, "--out", out);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.outLines()).containsExactly("wrote " + out + ": ONNX opset 17, 5 nodes; input x [batch, 4]; "
        + "outputs probabilities [batch, 3], class [batch], prediction [batch, 3]");
    String json = Files.readString(spec);
    byte[] expected = OnnxExport.of(ModelSpec.read(spec).forward(), SafeTensors.read(model).tensors()).withName("iris").withSpec(json)
        .export().bytes();
    assertThat(Files.readAllBytes(out)).isEqualTo(expected);
  }

  @Test
  void aRegressionModelGivesItsValues() {
    Path spec = Cli.resource("regression.json", dir);
    Path model = train(spec, "regression.csv", "target");
    Cli.Result r = Cli.run("export", spec, "--model", model, "--out", dir.resolve("r.onnx"));
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.outLines()).containsExactly("wrote " + dir.resolve("r.onnx") + ": ONNX opset 17, 5 nodes; input x [batch, 3]; "
        + "output prediction [batch, 1]");
  }

  @Test
  void parametersThatAreNotTheSpecsAreAnErrorAndNothingIsWritten() throws IOException {
    Path spec = Cli.resource("iris.json", dir);
    Path out = dir.resolve("iris.onnx");
    Path wrong = dir.resolve("m.safetensors");
    SafeTensors.write(wrong, new NamedTensors().put("layers.0.weight", new FloatTensor(new int[] {16, 4}, new float[64])));
    Cli.Result r = Cli.run("export", spec, "--model", wrong, "--out", out);
    assertThat(r.exitCode()).isEqualTo(Errors.USER);
    assertThat(r.error()).isEqualTo("fusebox: error: m.safetensors: has no tensor 'layers.0.bias' [16]; the model's parameters are "
        + "layers.0.weight [16, 4], layers.0.bias [16], layers.1.weight [3, 16], layers.1.bias [3]");
    assertThat(out).doesNotExist();

    Cli.Result missing = Cli.run("export", spec, "--model", dir.resolve("none.safetensors"), "--out", out);
    assertThat(missing.exitCode()).isEqualTo(Errors.USER);
    assertThat(missing.error()).isEqualTo("fusebox: error: " + dir.resolve("none.safetensors") + ": no such file or directory");

    Cli.Result usage = Cli.run("export", spec, "--model", wrong);
    assertThat(usage.exitCode()).isEqualTo(Errors.USER);
    assertThat(usage.error()).isEqualTo("fusebox: error: Missing required option: '--out=FILE.onnx' (see 'fusebox export --help')");
  }
}
