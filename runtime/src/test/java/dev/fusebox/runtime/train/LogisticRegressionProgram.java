package dev.fusebox.runtime.train;

import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.InputKind;
import dev.fusebox.runtime.InputSpec;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import java.util.List;

/**
 * Binary logistic regression by hand: one logit per row, {@code prediction = x · weightᵀ + bias}, loss
 * the mean over valid rows of binary cross-entropy with logits against integer labels 0 and 1, plain
 * SGD at the rate in scalar input {@code lr}. Its state is just the parameters.
 */
final class LogisticRegressionProgram implements Program {
  private long stepCount;
  private final int batch;
  private final int d;
  private final float[] x;
  private final int[] y;
  private final float[] logits;
  private final float[] weight;
  private final float[] bias = new float[1];
  private float lr = Float.NaN;
  private int validRows;
  private float loss;

  LogisticRegressionProgram(int batch, int features) {
    this.batch = batch;
    this.d = features;
    this.x = new float[batch * features];
    this.y = new int[batch];
    this.logits = new float[batch];
    this.weight = new float[features];
    this.validRows = batch;
  }

  @Override
  public List<InputSpec> inputs() {
    return List.of(new InputSpec("x", new int[] {batch, d}, InputKind.FEATURES, 0),
        new InputSpec("y", new int[] {batch}, InputKind.LABELS, 2),
        new InputSpec("lr", new int[0], InputKind.SCALAR, 0));
  }

  @Override
  public int batchSize() {
    return batch;
  }

  @Override
  public void setInput(String name, float[] values) {
    if (!name.equals("x") || values.length != x.length) throw new IllegalArgumentException(name);
    System.arraycopy(values, 0, x, 0, x.length);
  }

  @Override
  public void setLabels(String name, int[] labels) {
    if (!name.equals("y") || labels.length != batch) throw new IllegalArgumentException(name);
    System.arraycopy(labels, 0, y, 0, batch);
  }

  @Override
  public void setScalar(String name, float value) {
    if (!name.equals("lr")) throw new IllegalArgumentException(name);
    lr = value;
  }

  @Override
  public void setValidRows(int rows) {
    validRows = rows;
  }

  @Override
  public void forward() {
    loss = computeLoss();
  }

  /** Mean of {@code softplus(z) - y z}, the numerically stable form of the cross-entropy of a logit z. */
  private float computeLoss() {
    double sum = 0;
    for (int r = 0; r < batch; r++) {
      float z = bias[0];
      for (int j = 0; j < d; j++) z += weight[j] * x[r * d + j];
      logits[r] = z;
      if (r < validRows) sum += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - y[r] * z;
    }
    return (float) (sum / validRows);
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
    for (int r = 0; r < validRows; r++) {
      float g = (float) (1 / (1 + Math.exp(-logits[r])) - y[r]) / validRows;
      for (int j = 0; j < d; j++) weight[j] -= lr * g * x[r * d + j];
      bias[0] -= lr * g;
    }
    loss = before;
    return before;
  }

  @Override
  public float[] read(String name) {
    return switch (name) {
      case "loss" -> new float[] {loss};
      case "lr" -> new float[] {lr};
      case "prediction" -> logits.clone();
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
    return new NamedTensors().put("weight", FloatTensor.of(weight, 1, d)).put("bias", FloatTensor.of(bias, 1));
  }

  @Override
  public void load(NamedTensors values) {
    throw new UnsupportedOperationException();
  }

  @Override
  public String firstNonFinite() {
    return null;
  }

  @Override
  public String source() {
    return "logistic regression";
  }
}
