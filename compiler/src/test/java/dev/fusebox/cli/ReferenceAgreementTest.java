package dev.fusebox.cli;

import static dev.fusebox.cli.ReferenceMlp.Activation.IDENTITY;
import static dev.fusebox.cli.ReferenceMlp.Activation.RELU;
import static dev.fusebox.cli.ReferenceMlp.Activation.SIGMOID;
import static dev.fusebox.cli.ReferenceMlp.Activation.TANH;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.cli.ReferenceMlp.Activation;
import dev.fusebox.cli.ReferenceMlp.Loss;
import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.data.CsvData;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.data.LabelKind;
import dev.fusebox.runtime.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fusebox train --no-shuffle --steps N} against {@link ReferenceMlp}, an independent float64
 * trainer, from the same initial parameters, data and batch order: every step's loss and the final
 * parameters agree to float32 accuracy. N exceeds the batches per epoch, so the runs wrap around the
 * data, and the last batch of each epoch is partial, so the loss averages over its real rows only.
 */
class ReferenceAgreementTest {
  /** Fusebox trains in float32; the reference in float64. */
  static final double TOLERANCE = 1e-4;

  @TempDir Path dir;

  @Test
  void adamWithSoftmaxCrossEntropyAgreesWithTheReferenceStepByStep() throws IOException {
    // iris.json: 4-16-3 ReLU, Adam lr 0.01, batch 16: 10 batches per epoch, the last of 6 rows.
    Case c = new Case("iris.json", "iris.csv", "species", new int[] {4, 16, 3}, new Activation[] {RELU, IDENTITY},
        Loss.SOFTMAX_CROSS_ENTROPY, () -> ReferenceMlp.adam(0.01, 0.9, 0.999, 1e-8), 16, 23);
    c.check();
  }

  @Test
  void sgdWithMomentumAndMseAgreesWithTheReferenceStepByStep() throws IOException {
    // regression.json: 3-8-4-1 tanh/sigmoid, SGD lr 0.05 momentum 0.9, batch 16: 3 batches per epoch, the last of 8 rows.
    Case c = new Case("regression.json", "regression.csv", "target", new int[] {3, 8, 4, 1},
        new Activation[] {TANH, SIGMOID, IDENTITY}, Loss.MSE, () -> ReferenceMlp.sgd(0.05, 0.9), 16, 10);
    c.check();
  }

  @Test
  void stepsWrapAroundTheDataInFileOrderAndOnlyInFileOrder() throws IOException {
    Case c = new Case("regression.json", "regression.csv", "target", new int[] {3, 8, 4, 1},
        new Activation[] {TANH, SIGMOID, IDENTITY}, Loss.MSE, () -> ReferenceMlp.sgd(0.05, 0.9), 16, 8);
    List<Double> reference = c.check();
    // Epochs of 3 steps: steps 1-3 are epoch 1, 4-6 epoch 2, 7-8 the start of epoch 3.
    assertThat(Files.readAllLines(c.log).stream().skip(1).map(l -> l.split(",")[0] + ":" + l.split(",")[1]))
        .containsExactly("1:1", "1:2", "1:3", "2:4", "2:5", "2:6", "3:7", "3:8");
    // The comparison is sensitive to the order: shuffled batches give other losses from step 2 on.
    Path shuffledLog = dir.resolve("shuffled.csv");
    Cli.Result shuffled = Cli.run("train", c.spec, "--data", c.data, "--label", c.label, "--init", c.init, "--steps", 8,
        "--log", shuffledLog, "--out", dir.resolve("shuffled.safetensors"));
    assertThat(shuffled.exitCode()).as(shuffled.err()).isZero();
    List<Double> losses = Cli.losses(shuffledLog);
    double largest = 0;
    for (int s = 0; s < losses.size(); s++) largest = Math.max(largest, relative(losses.get(s), reference.get(s)));
    assertThat(largest).isGreaterThan(100 * TOLERANCE);
  }

  interface OptimizerFactory {
    ReferenceMlp.Optimizer create();
  }

  /** One comparison: a spec and data from the test resources, the same network for the reference, and a run length. */
  final class Case {
    final Path spec;
    final Path data;
    final String label;
    final Path init;
    final Path log = dir.resolve("log.csv");
    final Path out = dir.resolve("out.safetensors");
    final ReferenceMlp reference;
    final LabelKind labels;
    final int batch;
    final int steps;

    Case(String spec, String data, String label, int[] sizes, Activation[] activations, Loss loss, OptimizerFactory optimizer,
        int batch, int steps) throws IOException {
      this.spec = Cli.resource(spec, dir);
      this.data = Cli.resource(data, dir);
      this.label = label;
      this.init = writeInit(sizes, dir.resolve("init.safetensors"));
      this.reference = new ReferenceMlp(sizes, activations, loss, optimizer.create());
      this.labels = loss == Loss.SOFTMAX_CROSS_ENTROPY ? LabelKind.CLASS : LabelKind.TARGET;
      this.batch = batch;
      this.steps = steps;
    }

    /** Runs both trainers, checks losses and parameters agree, and returns the reference's losses. */
    List<Double> check() throws IOException {
      Cli.Result r = Cli.run("train", spec, "--data", data, "--label", label, "--init", init, "--no-shuffle", "--steps", steps,
          "--log", log, "--out", out);
      assertThat(r.exitCode()).as(r.err()).isZero();
      assertThat(r.out()).contains("starting from the parameters in " + init);

      NamedTensors start = SafeTensors.read(init).tensors();
      for (int l = 0; l < reference.layers(); l++) {
        reference.set(l, doubles(start.require("layers." + l + ".weight")), doubles(start.require("layers." + l + ".bias")));
      }
      Dataset d = CsvData.read(data, label, labels);
      List<Double> expected = trainInFileOrder(reference, d, batch, steps);

      List<Double> actual = Cli.losses(log);
      assertThat(actual).hasSize(steps);
      for (int s = 0; s < steps; s++) {
        assertThat(relative(actual.get(s), expected.get(s))).as("loss of step %d: %s vs reference %s", s + 1, actual.get(s),
            expected.get(s)).isLessThan(TOLERANCE);
      }
      NamedTensors trained = SafeTensors.read(out).tensors();
      for (int l = 0; l < reference.layers(); l++) {
        assertClose("layers." + l + ".weight", trained, reference.weights[l]);
        assertClose("layers." + l + ".bias", trained, reference.biases[l]);
      }
      return expected;
    }
  }

  /** Batches of {@code batch} rows in file order, wrapping after the last (partial) batch. */
  static List<Double> trainInFileOrder(ReferenceMlp mlp, Dataset d, int batch, int steps) {
    int perEpoch = (d.rows() + batch - 1) / batch;
    List<Double> losses = new ArrayList<>();
    for (int s = 0; s < steps; s++) {
      int first = (s % perEpoch) * batch;
      int rows = Math.min(batch, d.rows() - first);
      double[][] x = new double[rows][d.featureCount()];
      int[] labels = d.hasLabels() ? new int[rows] : null;
      double[][] targets = d.hasTargets() ? new double[rows][1] : null;
      for (int r = 0; r < rows; r++) {
        for (int f = 0; f < d.featureCount(); f++) x[r][f] = d.feature(first + r, f);
        if (labels != null) labels[r] = d.label(first + r);
        if (targets != null) targets[r][0] = d.target(first + r, 0);
      }
      losses.add(mlp.step(x, labels, targets));
    }
    return losses;
  }

  /** PyTorch-style initial parameters, U(±1/√fan_in), from a fixed seed. */
  static Path writeInit(int[] sizes, Path file) throws IOException {
    Random random = new Random(42);
    NamedTensors t = new NamedTensors();
    for (int l = 0; l + 1 < sizes.length; l++) {
      int in = sizes[l], out = sizes[l + 1];
      double bound = 1 / Math.sqrt(in);
      float[] w = new float[out * in];
      float[] b = new float[out];
      for (int i = 0; i < w.length; i++) w[i] = (float) ((2 * random.nextDouble() - 1) * bound);
      for (int i = 0; i < b.length; i++) b[i] = (float) ((2 * random.nextDouble() - 1) * bound);
      t.put("layers." + l + ".weight", new FloatTensor(new int[] {out, in}, w));
      t.put("layers." + l + ".bias", new FloatTensor(new int[] {out}, b));
    }
    SafeTensors.write(file, t);
    return file;
  }

  static double[] doubles(FloatTensor t) {
    double[] d = new double[t.size()];
    for (int i = 0; i < d.length; i++) d[i] = t.data()[i];
    return d;
  }

  /** Every value within TOLERANCE of the reference, relative to the tensor's largest magnitude. */
  static void assertClose(String name, NamedTensors actual, double[] expected) {
    float[] a = actual.require(name).data();
    assertThat(a).hasSize(expected.length);
    double scale = 0;
    for (double e : expected) scale = Math.max(scale, Math.abs(e));
    double worst = 0;
    for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - expected[i]) / scale);
    assertThat(worst).as("%s: largest difference from the reference, relative to its largest value", name)
        .isLessThan(TOLERANCE);
  }

  static double relative(double actual, double expected) {
    return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-6);
  }
}
