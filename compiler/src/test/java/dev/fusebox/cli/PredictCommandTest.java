package dev.fusebox.cli;

import static dev.fusebox.cli.ReferenceMlp.Activation.IDENTITY;
import static dev.fusebox.cli.ReferenceMlp.Activation.RELU;
import static dev.fusebox.cli.ReferenceMlp.Activation.SIGMOID;
import static dev.fusebox.cli.ReferenceMlp.Activation.TANH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fusebox.cli.ReferenceMlp.Activation;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.data.CsvData;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.data.LabelKind;
import dev.fusebox.runtime.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fusebox predict} on models trained by {@code fusebox train}: its classes and outputs agree
 * with an independent forward pass of the saved parameters, and its scores with the trainer's.
 */
class PredictCommandTest {
  @TempDir Path dir;
  Path iris;

  @BeforeEach
  void files() {
    iris = Cli.resource("iris.csv", dir);
  }

  @Test
  void softmaxClassifierPredictionsMatchTheSavedModelAndTheTrainersAccuracy() throws IOException {
    Path spec = Cli.resource("iris.json", dir);
    Path model = dir.resolve("iris.safetensors");
    Cli.Result trained = Cli.run("train", spec, "--data", iris, "--label", "species", "--valid", iris, "--epochs", 10,
        "--out", model);
    assertThat(trained.exitCode()).as(trained.err()).isZero();
    String trainerScores = trained.line("done: ").replaceFirst(".*valid_loss", "loss").replace("valid_", "");

    Path predictions = dir.resolve("out/predictions.csv");
    Cli.Result r = Cli.run("predict", spec, "--model", model, "--data", iris, "--label", "species", "--out", predictions);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.outLines()).containsExactly("wrote " + predictions + ": 150 predictions", trainerScores + "  (150 rows)");
    assertThat(trainerScores).matches("loss \\d\\.\\d{4}  accuracy \\d\\.\\d{4}");

    List<String> lines = Files.readAllLines(predictions);
    assertThat(lines).hasSize(151).first().isEqualTo("class,p0,p1,p2");
    ReferenceMlp reference = load(model, new int[] {4, 16, 3}, new Activation[] {RELU, IDENTITY});
    Dataset data = CsvData.read(iris, "species", LabelKind.CLASS);
    double[][] logits = reference.forward(features(data));
    int correct = 0;
    for (int r2 = 0; r2 < data.rows(); r2++) {
      String[] cells = lines.get(r2 + 1).split(",");
      int predicted = Integer.parseInt(cells[0]);
      assertThat(predicted).as("row %d", r2 + 1).isEqualTo(argmax(logits[r2]));
      double max = Math.max(logits[r2][0], Math.max(logits[r2][1], logits[r2][2]));
      double sum = 0;
      for (double z : logits[r2]) sum += Math.exp(z - max);
      for (int c = 0; c < 3; c++) {
        assertThat(Double.parseDouble(cells[c + 1])).isCloseTo(Math.exp(logits[r2][c] - max) / sum, within(1e-5));
      }
      if (predicted == data.label(r2)) correct++;
    }
    assertThat(trainerScores).endsWith(String.format(Locale.ROOT, "accuracy %.4f", correct / 150.0));
  }

  @Test
  void withoutOutPredictionsAloneGoToStandardOutput() throws IOException {
    Path spec = Cli.resource("iris.json", dir);
    Path model = dir.resolve("iris.safetensors");
    assertThat(Cli.run("train", spec, "--data", iris, "--label", "species", "--steps", 5, "--out", model).exitCode()).isZero();
    Path features = dir.resolve("features.csv");
    Files.write(features, Files.readAllLines(iris).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList());

    Cli.Result r = Cli.run("predict", spec, "--model", model, "--data", features);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.outLines()).hasSize(151).first().isEqualTo("class,p0,p1,p2");
    assertThat(r.outLines().get(1)).matches("[012](,[0-9.E-]+){3}");

    // The model takes its input columns by name, so the label column beside them is left out unnamed.
    Cli.Result unnamed = Cli.run("predict", "--model", model, "--data", iris);
    assertThat(unnamed.exitCode()).as(unnamed.err()).isZero();
    assertThat(unnamed.out()).isEqualTo(r.out());

    // Parameters alone, with their spec, go by position: a file with one column too many says so.
    Path bare = dir.resolve("bare.safetensors");
    SafeTensors.write(bare, SafeTensors.read(model).tensors());
    Cli.Result positional = Cli.run("predict", spec, "--model", bare, "--data", iris);
    assertThat(positional.exitCode()).isEqualTo(Errors.USER);
    assertThat(positional.error()).isEqualTo("fusebox: error: iris.csv: has 5 feature columns [sepal_length, sepal_width, "
        + "petal_length, petal_width, species], but iris.json takes 4 inputs; if one is the label, name it with --label");
    assertThat(Cli.run("predict", spec, "--model", bare, "--data", features).out()).isEqualTo(r.out());
  }

  @Test
  void regressionOutputsMatchTheSavedModelAndScoresAreRmseAndMae() throws IOException {
    Path spec = Cli.resource("regression.json", dir);
    Path data = Cli.resource("regression.csv", dir);
    Path model = dir.resolve("regression.safetensors");
    assertThat(Cli.run("train", spec, "--data", data, "--label", "target", "--steps", 12, "--out", model).exitCode()).isZero();
    Path predictions = dir.resolve("predictions.csv");
    Cli.Result r = Cli.run("predict", spec, "--model", model, "--data", data, "--label", "target", "--out", predictions);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.line("loss ")).matches("loss \\d+\\.\\d{4}  rmse \\d+\\.\\d{4}  mae \\d+\\.\\d{4}  \\(40 rows\\)");

    List<String> lines = Files.readAllLines(predictions);
    assertThat(lines).hasSize(41).first().isEqualTo("y0");
    Dataset d = CsvData.read(data, "target", LabelKind.TARGET);
    double[][] y = load(model, new int[] {3, 8, 4, 1}, new Activation[] {TANH, SIGMOID, IDENTITY}).forward(features(d));
    double squares = 0;
    for (int row = 0; row < d.rows(); row++) {
      double predicted = Double.parseDouble(lines.get(row + 1));
      assertThat(predicted).isCloseTo(y[row][0], within(1e-5));
      squares += Math.pow(predicted - d.target(row, 0), 2);
    }
    assertThat(r.line("loss ")).contains(String.format(Locale.ROOT, "rmse %.4f", Math.sqrt(squares / d.rows())));
  }

  @Test
  void binaryClassifierWritesProbabilityAndClass() throws IOException {
    Path spec = Cli.write(dir.resolve("setosa.json"), """
        {"input": 4, "layers": [{"units": 1}], "loss": "binary_cross_entropy",
         "optimizer": {"type": "adam", "lr": 0.05}, "batch": 16, "epochs": 20, "seed": 4}""");
    Path data = dir.resolve("setosa.csv");
    Files.write(data, Files.readAllLines(iris).stream()
        .map(l -> l.endsWith("species") ? l.replace("species", "setosa") : l.replaceFirst(",0$", ",1").replaceFirst(",[12]$", ",0"))
        .toList());
    Path model = dir.resolve("setosa.safetensors");
    Cli.Result trained = Cli.run("train", spec, "--data", data, "--label", "setosa", "--valid", data, "--out", model);
    assertThat(trained.exitCode()).as(trained.err()).isZero();
    assertThat(trained.line("done: ")).endsWith("valid_accuracy 1.0000");

    Cli.Result r = Cli.run("predict", spec, "--model", model, "--data", data, "--label", "setosa");
    assertThat(r.exitCode()).as(r.err()).isZero();
    List<String> lines = r.outLines();
    assertThat(lines).hasSize(151).first().isEqualTo("probability,class");
    NamedTensors p = SafeTensors.read(model).tensors();
    Dataset d = CsvData.read(data, "setosa", LabelKind.TARGET);
    for (int row = 0; row < d.rows(); row++) {
      double z = p.require("layers.0.bias").data()[0];
      for (int f = 0; f < 4; f++) z += p.require("layers.0.weight").data()[f] * d.feature(row, f);
      String[] cells = lines.get(row + 1).split(",");
      assertThat(Double.parseDouble(cells[0])).isCloseTo(1 / (1 + Math.exp(-z)), within(1e-5));
      assertThat(cells[1]).isEqualTo(d.target(row, 0) == 1 ? "1" : "0");
    }
    assertThat(r.errLines()).hasSize(1).first().asString().matches("loss \\d\\.\\d{4}  accuracy 1\\.0000  \\(150 rows\\)");
  }

  @Test
  void aModelThatDoesNotFitTheSpecIsRejectedAndAnExistingOutputKept() throws IOException {
    Path spec = Cli.resource("iris.json", dir);
    Path model = dir.resolve("iris.safetensors");
    assertThat(Cli.run("train", spec, "--data", iris, "--label", "species", "--steps", 2, "--out", model).exitCode()).isZero();
    Path wider = Cli.write(dir.resolve("wider.json"), Files.readString(spec).replace("\"units\": 16", "\"units\": 32"));
    Path predictions = Cli.write(dir.resolve("predictions.csv"), "earlier predictions\n");
    Cli.Result r = Cli.run("predict", wider, "--model", model, "--data", iris, "--label", "species", "--out", predictions);
    assertThat(r.exitCode()).isEqualTo(Errors.USER);
    assertThat(r.error()).isEqualTo("fusebox: error: wider.json: layers[0].units is 32, but iris.safetensors was trained with 16; "
        + "the model file holds its own spec, so SPEC.json can be left out");
    assertThat(predictions).hasContent("earlier predictions");
    try (var files = Files.list(dir)) {
      assertThat(files.filter(f -> f.getFileName().toString().endsWith(".tmp"))).isEmpty();
    }
  }

  @Test
  void aStandardisedModelStandardisesWhatItPredictsOnAndTakesColumnsByName() throws IOException {
    Path spec = Cli.resource("iris.json", dir);
    Path model = dir.resolve("iris.safetensors");
    Cli.Result trained = Cli.run("train", spec, "--data", iris, "--label", "species", "--steps", 30, "--standardize", "--out", model);
    assertThat(trained.exitCode()).as(trained.err()).isZero();

    // The columns in another order, the label first: the model picks its own by name.
    List<String> lines = Files.readAllLines(iris);
    Path shuffled = dir.resolve("shuffled.csv");
    Files.write(shuffled, lines.stream().map(l -> {
      String[] c = l.split(",");
      return String.join(",", c[4], c[3], c[1], c[0], c[2]);
    }).toList());
    Cli.Result r = Cli.run("predict", "--model", model, "--data", shuffled);
    assertThat(r.exitCode()).as(r.err()).isZero();

    // Independently: population mean and standard deviation of each training column, then the layers.
    Dataset data = CsvData.read(iris, "species", LabelKind.CLASS);
    double[][] x = features(data);
    for (int f = 0; f < 4; f++) {
      double mean = 0;
      for (double[] row : x) mean += row[f] / x.length;
      double variance = 0;
      for (double[] row : x) variance += (row[f] - mean) * (row[f] - mean) / x.length;
      for (double[] row : x) row[f] = (float) ((row[f] - mean) / Math.sqrt(variance));
    }
    double[][] logits = load(model, new int[] {4, 16, 3}, new Activation[] {RELU, IDENTITY}).forward(x);
    List<String> predicted = r.outLines();
    assertThat(predicted).hasSize(151);
    for (int row = 0; row < data.rows(); row++) {
      assertThat(Integer.parseInt(predicted.get(row + 1).split(",")[0])).as("row %d", row + 1).isEqualTo(argmax(logits[row]));
    }
  }

  static ReferenceMlp load(Path model, int[] sizes, Activation[] activations) throws IOException {
    NamedTensors t = SafeTensors.read(model).tensors();
    ReferenceMlp mlp = new ReferenceMlp(sizes, activations, ReferenceMlp.Loss.MSE, (name, p, g, step) -> { });
    for (int l = 0; l < mlp.layers(); l++) {
      mlp.set(l, ReferenceAgreementTest.doubles(t.require("layers." + l + ".weight")),
          ReferenceAgreementTest.doubles(t.require("layers." + l + ".bias")));
    }
    return mlp;
  }

  static double[][] features(Dataset d) {
    double[][] x = new double[d.rows()][d.featureCount()];
    for (int r = 0; r < d.rows(); r++) for (int f = 0; f < d.featureCount(); f++) x[r][f] = d.feature(r, f);
    return x;
  }

  static int argmax(double[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
    return best;
  }
}
