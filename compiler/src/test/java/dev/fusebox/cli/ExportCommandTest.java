package dev.fusebox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.model.ModelMetadata;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.onnx.OnnxExport;
import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.data.Standardizer;
import dev.fusebox.runtime.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fusebox export} writes what the Java API exports for the model and its trained parameters
 * (whose ONNX Runtime checks are {@code OnnxRuntimeRoundTripTest}'s), with its standardisation; says
 * what the file takes and gives; reads the spec from the model file, and rejects a spec or parameters
 * that do not fit it as {@code predict} does.
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
  void aModelFileIsExportedWithoutItsSpecAndWithItsStandardisation() throws IOException {
    Path spec = Cli.resource("iris.json", dir);
    Path model = dir.resolve("flowers.safetensors");
    Cli.Result trained = Cli.run("train", spec, "--data", Cli.resource("iris.csv", dir), "--label", "species", "--steps", 3,
        "--standardize", "--out", model);
    assertThat(trained.exitCode()).as(trained.err()).isZero();
    Path out = dir.resolve("flowers.onnx");

    Cli.Result r = Cli.run("export", "--model", model, "--out", out);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    // The standardisation's Sub and Div come before the network's five nodes.
    assertThat(r.outLines()).containsExactly("wrote " + out + ": ONNX opset 17, 7 nodes; input x [batch, 4]; "
        + "outputs probabilities [batch, 3], class [batch], prediction [batch, 3]");
    ModelMetadata own = ModelMetadata.read(model).orElseThrow();
    Standardizer standardizer = own.standardizer().orElseThrow();
    assertThat(standardizer.mean()[0]).isGreaterThan(5); // sepal length in cm: a real standardisation, not the identity
    byte[] expected = OnnxExport.of(own.spec().forward(), SafeTensors.read(model).tensors()).withName("flowers")
        .withSpec(own.spec().toJson()).withStandardization("x", standardizer).export().bytes();
    assertThat(Files.readAllBytes(out)).isEqualTo(expected);

    // A spec given must agree with the model's own, as for predict; the file's text then goes into the metadata.
    Cli.Result agreeing = Cli.run("export", spec, "--model", model, "--out", dir.resolve("again.onnx"));
    assertThat(agreeing.exitCode()).as(agreeing.err()).isZero();
    assertThat(Files.readAllBytes(dir.resolve("again.onnx"))).isEqualTo(OnnxExport.of(own.spec().forward(),
        SafeTensors.read(model).tensors()).withName("iris").withSpec(Files.readString(spec)).withStandardization("x", standardizer)
        .export().bytes());
    Path tanh = Cli.write(dir.resolve("tanh.json"), Files.readString(spec).replace("relu", "tanh"));
    Cli.Result disagreeing = Cli.run("export", tanh, "--model", model, "--out", dir.resolve("tanh.onnx"));
    assertThat(disagreeing.exitCode()).isEqualTo(Errors.USER);
    assertThat(disagreeing.error()).isEqualTo("fusebox: error: tanh.json: layers[0].activation is tanh, but flowers.safetensors was "
        + "trained with relu; the model file holds its own spec, so SPEC.json can be left out");
    assertThat(dir.resolve("tanh.onnx")).doesNotExist();
  }

  @Test
  void parametersAloneNeedTheirSpec() throws IOException {
    Path spec = Cli.resource("iris.json", dir);
    Path bare = dir.resolve("bare.safetensors");
    SafeTensors.write(bare, SafeTensors.read(train(spec, "iris.csv", "species")).tensors());
    Cli.Result r = Cli.run("export", "--model", bare, "--out", dir.resolve("bare.onnx"));
    assertThat(r.exitCode()).isEqualTo(Errors.USER);
    assertThat(r.error()).isEqualTo("fusebox: error: bare.safetensors: does not describe itself (no 'format' in its metadata: it was "
        + "not written by Fusebox 0.1 or later); give its spec");
    assertThat(dir.resolve("bare.onnx")).doesNotExist();
    assertThat(Cli.run("export", spec, "--model", bare, "--out", dir.resolve("bare.onnx")).exitCode()).isZero();
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
