package dev.fusebox.runtime.train;

import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.InputKind;
import dev.fusebox.runtime.InputSpec;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import java.util.Arrays;
import java.util.List;

/**
 * A hand-written program small enough to check by hand: {@code prediction = x · weightᵀ + bias},
 * loss the mean over valid rows of {@code (prediction - y)²}, trained by PyTorch-style SGD with
 * momentum ({@code v = μ v + g; p -= lr v}), the learning rate read from scalar input {@code lr}.
 * With μ = 0 it is plain SGD. Its state is the parameters and their velocities. Allocates nothing in
 * {@link #step()}, like a generated program.
 */
final class LinearRegressionProgram implements Program {
  private long stepCount;
  private final int batch;
  private final int d;
  private final float momentum;
  private final float[] x;
  private final float[] y;
  private final float[] prediction;
  private final float[] weight;
  private final float[] bias = new float[1];
  private final float[] weightVelocity;
  private final float[] biasVelocity = new float[1];
  private final float[] weightGrad;
  private float lr = Float.NaN;
  private int validRows;
  private float loss;

  LinearRegressionProgram(int batch, int features, float momentum) {
    this.batch = batch;
    this.d = features;
    this.momentum = momentum;
    this.x = new float[batch * features];
    this.y = new float[batch];
    this.prediction = new float[batch];
    this.weight = new float[features];
    this.weightVelocity = new float[features];
    this.weightGrad = new float[features];
    this.validRows = batch;
  }

  @Override
  public List<InputSpec> inputs() {
    return List.of(new InputSpec("x", new int[] {batch, d}, InputKind.FEATURES, 0),
        new InputSpec("y", new int[] {batch, 1}, InputKind.TARGETS, 0),
        new InputSpec("lr", new int[0], InputKind.SCALAR, 0));
  }

  @Override
  public int batchSize() {
    return batch;
  }

  @Override
  public void setInput(String name, float[] values) {
    switch (name) {
      case "x" -> copy(values, x, name);
      case "y" -> copy(values, y, name);
      default -> throw new IllegalArgumentException("no float input " + name);
    }
  }

  @Override
  public void setLabels(String name, int[] labels) {
    throw new IllegalArgumentException("no label input " + name);
  }

  @Override
  public void setScalar(String name, float value) {
    if (!name.equals("lr")) throw new IllegalArgumentException("no scalar " + name);
    lr = value;
  }

  @Override
  public void setValidRows(int rows) {
    if (rows < 1 || rows > batch) throw new IllegalArgumentException("valid rows " + rows);
    validRows = rows;
  }

  @Override
  public void forward() {
    loss = computeLoss();
  }

  @Override
  public long stepCount() {
    return stepCount;
  }

  @Override
  public void setStepCount(long steps) {
    stepCount = steps;
  }

  @Override
  public float step() {
    stepCount++;
    float before = computeLoss();
    float scale = 2f / validRows;
    Arrays.fill(weightGrad, 0f);
    float biasGrad = 0;
    for (int r = 0; r < validRows; r++) {
      float err = prediction[r] - y[r];
      for (int j = 0; j < d; j++) weightGrad[j] += err * x[r * d + j];
      biasGrad += err;
    }
    for (int j = 0; j < d; j++) {
      weightVelocity[j] = momentum * weightVelocity[j] + scale * weightGrad[j];
      weight[j] -= lr * weightVelocity[j];
    }
    biasVelocity[0] = momentum * biasVelocity[0] + scale * biasGrad;
    bias[0] -= lr * biasVelocity[0];
    loss = before;
    return before;
  }

  private float computeLoss() {
    float sum = 0;
    for (int r = 0; r < batch; r++) {
      float p = bias[0];
      for (int j = 0; j < d; j++) p += weight[j] * x[r * d + j];
      prediction[r] = p;
      if (r < validRows) sum += (p - y[r]) * (p - y[r]);
    }
    return sum / validRows;
  }

  @Override
  public float[] read(String name) {
    return switch (name) {
      case "loss" -> new float[] {loss};
      case "lr" -> new float[] {lr};
      case "prediction" -> prediction.clone();
      case "weight" -> weight.clone();
      case "bias" -> bias.clone();
      default -> throw new IllegalArgumentException("no output " + name);
    };
  }

  @Override
  public int[] shape(String name) {
    return switch (name) {
      case "loss" -> new int[0];
      case "prediction" -> new int[] {batch, 1};
      default -> throw new IllegalArgumentException("no output " + name);
    };
  }

  @Override
  public List<String> parameterNames() {
    return List.of("weight", "bias");
  }

  @Override
  public NamedTensors state() {
    return new NamedTensors()
        .put("weight", FloatTensor.of(weight, 1, d))
        .put("bias", FloatTensor.of(bias, 1))
        .put("weight.velocity", FloatTensor.of(weightVelocity, 1, d))
        .put("bias.velocity", FloatTensor.of(biasVelocity, 1));
  }

  @Override
  public void load(NamedTensors values) {
    NamedTensors mine = state();
    for (String name : values.names()) {
      FloatTensor have = mine.require(name);
      if (!Arrays.equals(have.shape(), values.get(name).shape())) throw new IllegalArgumentException("shape of " + name);
    }
    values.asMap().forEach((name, t) -> {
      switch (name) {
        case "weight" -> System.arraycopy(t.data(), 0, weight, 0, d);
        case "bias" -> bias[0] = t.data()[0];
        case "weight.velocity" -> System.arraycopy(t.data(), 0, weightVelocity, 0, d);
        case "bias.velocity" -> biasVelocity[0] = t.data()[0];
        default -> throw new AssertionError(name);
      }
    });
  }

  @Override
  public String firstNonFinite() {
    for (int r = 0; r < batch; r++) {
      if (!Float.isFinite(prediction[r])) return "prediction produced " + prediction[r] + " at [" + r + ", 0]";
    }
    return null;
  }

  @Override
  public String source() {
    return "linear regression";
  }

  private static void copy(float[] from, float[] to, String name) {
    if (from.length != to.length) throw new IllegalArgumentException(name + " takes " + to.length + " values");
    System.arraycopy(from, 0, to, 0, to.length);
  }
}
