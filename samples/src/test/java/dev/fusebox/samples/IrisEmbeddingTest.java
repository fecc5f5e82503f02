package dev.fusebox.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.data.CsvData;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.io.SafeTensors;
import dev.fusebox.runtime.io.SafeTensorsFile;
import dev.fusebox.runtime.train.EpochStats;
import dev.fusebox.runtime.train.TrainingResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding example end to end: CSV, train, save; then, from the file alone, load and predict. */
class IrisEmbeddingTest {

  @Test
  void aModelTrainedAndSavedByOneProgramPredictsInAnother(@TempDir Path dir) throws Exception {
    Path data = SampleData.copy("iris-train.csv", dir);
    Path valid = SampleData.copy("iris-valid.csv", dir);
    Path model = dir.resolve("models/iris.safetensors");
    Files.createDirectories(model.getParent());
    Captured out = new Captured();
    TrainingResult result = IrisTrain.train(data, valid, model, out);

    EpochStats last = result.last().orElseThrow();
    double trainedAccuracy = last.validation().orElseThrow().accuracy().orElseThrow();
    assertThat(trainedAccuracy).isGreaterThanOrEqualTo(0.9);
    // No schedule: the epochs report the rate the optimizer gave the program.
    assertThat(last.lr()).isEqualTo((double) 0.01f);
    assertThat(out.text()).contains("epoch 60/60  loss ").contains("wrote " + model);

    // The model file holds the parameters alone, with PyTorch's names and shapes.
    SafeTensorsFile file = SafeTensors.read(model);
    assertThat(file.tensors().names()).containsExactly("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias");
    assertThat(file.tensors().get("layers.0.weight").shape()).containsExactly(16, 4);

    // New flowers: the held-out measurements without their species column.
    Path flowers = dir.resolve("flowers.csv");
    Files.write(flowers, Files.readAllLines(valid).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList());
    FloatTensor probabilities = IrisPredict.predict(model, flowers);

    Dataset truth = CsvData.readClasses(valid, IrisModel.LABEL, IrisModel.CLASSES);
    assertThat(probabilities.shape()).containsExactly(truth.rows(), 3);
    double[][] expected = byHand(file.tensors(), truth);
    int correct = 0;
    for (int r = 0; r < truth.rows(); r++) {
      for (int c = 0; c < 3; c++) {
        assertThat((double) probabilities.data()[r * 3 + c]).as("row %d species %d", r, c).isCloseTo(expected[r][c], within(1e-5));
      }
      if (BatchScoring.argmax(probabilities.data(), r * 3, 3) == truth.label(r)) correct++;
    }
    // The predicting program agrees with the trained one on every held-out flower.
    assertThat((double) correct / truth.rows()).isEqualTo(trainedAccuracy);

    Captured printed = new Captured();
    IrisPredict.print(probabilities, printed);
    List<String> lines = printed.text().lines().toList();
    assertThat(lines).hasSize(truth.rows());
    assertThat(lines.get(0)).startsWith("flower 1: setosa ");
  }

  /** softmax(W1 relu(W0 x + b0) + b1) in double, from the file's tensors: what PyTorch's nn.Linear layers compute. */
  private static double[][] byHand(NamedTensors p, Dataset data) {
    float[] w0 = p.get("layers.0.weight").data();
    float[] b0 = p.get("layers.0.bias").data();
    float[] w1 = p.get("layers.1.weight").data();
    float[] b1 = p.get("layers.1.bias").data();
    double[][] out = new double[data.rows()][3];
    for (int r = 0; r < data.rows(); r++) {
      double[] h = new double[16];
      for (int j = 0; j < 16; j++) {
        double z = b0[j];
        for (int i = 0; i < 4; i++) z += (double) w0[j * 4 + i] * data.feature(r, i);
        h[j] = Math.max(0, z);
      }
      double[] logits = new double[3];
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < 3; k++) {
        double z = b1[k];
        for (int j = 0; j < 16; j++) z += (double) w1[k * 16 + j] * h[j];
        logits[k] = z;
        max = Math.max(max, z);
      }
      double sum = 0;
      for (int k = 0; k < 3; k++) sum += Math.exp(logits[k] - max);
      for (int k = 0; k < 3; k++) out[r][k] = Math.exp(logits[k] - max) / sum;
    }
    return out;
  }
}
