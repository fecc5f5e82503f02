package dev.fusebox.runtime.train;

import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.InputKind;
import dev.fusebox.runtime.InputSpec;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A program whose losses the test decides. {@code step()} returns the scripted training losses in turn
 * (then 1), {@code forward()} the scripted validation losses in turn (then the mean over valid rows of
 * the first feature). Its prediction is its features, so a test controls predictions through the data.
 * Its one parameter {@code p} is the number of steps taken and its optimizer state {@code opt.t} ten
 * times that, so a checkpoint shows which step it was taken after. Records what every step saw.
 */
final class ScriptedProgram implements Program {
  private final int batch;
  private final int features;
  private final List<InputSpec> inputs = new ArrayList<>();
  private final Map<String, float[]> floats = new HashMap<>();
  private final Map<String, int[]> ints = new HashMap<>();
  private float[] trainLosses = {};
  private float[] validLosses = {};
  private String diagnostic;
  private int validRows;
  private int steps;
  private int forwards;
  private float loss;
  private float lr = Float.NaN;
  private float[] prediction;

  final List<Integer> stepValidRows = new ArrayList<>();
  final List<float[]> stepFeatures = new ArrayList<>();
  final List<Float> stepLrs = new ArrayList<>();
  final List<Map<String, float[]>> stepFloatInputs = new ArrayList<>();
  final List<Map<String, int[]>> stepLabelInputs = new ArrayList<>();

  ScriptedProgram(int batch, int features, InputSpec... extras) {
    this.batch = batch;
    this.features = features;
    this.validRows = batch;
    inputs.add(new InputSpec("x", new int[] {batch, features}, InputKind.FEATURES, 0));
    inputs.addAll(List.of(extras));
    this.prediction = new float[batch * features];
    floats.put("x", new float[batch * features]);
  }

  static InputSpec labels(String name, int batch, int classes) {
    return new InputSpec(name, new int[] {batch}, InputKind.LABELS, classes);
  }

  static InputSpec targets(String name, int batch, int count) {
    return new InputSpec(name, new int[] {batch, count}, InputKind.TARGETS, 0);
  }

  static InputSpec oneHot(String name, int batch, int classes) {
    return new InputSpec(name, new int[] {batch, classes}, InputKind.ONE_HOT, 0);
  }

  static InputSpec lr() {
    return new InputSpec("lr", new int[0], InputKind.SCALAR, 0);
  }

  ScriptedProgram trainLosses(float... losses) {
    this.trainLosses = losses.clone();
    return this;
  }

  ScriptedProgram validLosses(float... losses) {
    this.validLosses = losses.clone();
    return this;
  }

  ScriptedProgram diagnostic(String text) {
    this.diagnostic = text;
    return this;
  }

  int forwards() {
    return forwards;
  }

  int validRows() {
    return validRows;
  }

  @Override
  public List<InputSpec> inputs() {
    return List.copyOf(inputs);
  }

  @Override
  public int batchSize() {
    return batch;
  }

  private InputSpec spec(String name) {
    return inputs.stream().filter(s -> s.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no input " + name));
  }

  @Override
  public void setInput(String name, float[] values) {
    InputSpec s = spec(name);
    if (s.kind() == InputKind.LABELS || s.kind() == InputKind.SCALAR) throw new IllegalArgumentException(name);
    if (values.length != s.size()) {
      throw new IllegalArgumentException(name + " takes " + s.size() + " values, not " + values.length);
    }
    floats.put(name, values.clone());
  }

  @Override
  public void setLabels(String name, int[] labels) {
    InputSpec s = spec(name);
    if (s.kind() != InputKind.LABELS || labels.length != batch) throw new IllegalArgumentException(name);
    for (int l : labels) if (l < 0 || l >= s.classes()) throw new IllegalArgumentException("label " + l);
    ints.put(name, labels.clone());
  }

  @Override
  public void setScalar(String name, float value) {
    if (spec(name).kind() != InputKind.SCALAR) throw new IllegalArgumentException(name);
    lr = value;
  }

  @Override
  public void setValidRows(int rows) {
    if (rows < 1 || rows > batch) throw new IllegalArgumentException("valid rows " + rows);
    validRows = rows;
  }

  @Override
  public void forward() {
    prediction = floats.get("x").clone();
    if (forwards < validLosses.length) {
      loss = validLosses[forwards];
    } else {
      float sum = 0;
      for (int r = 0; r < validRows; r++) sum += prediction[r * features];
      loss = sum / validRows;
    }
    forwards++;
  }

  @Override
  public long stepCount() {
    return steps;
  }

  @Override
  public void setStepCount(long count) {
    steps = Math.toIntExact(count);
  }

  @Override
  public float step() {
    stepValidRows.add(validRows);
    stepFeatures.add(floats.get("x").clone());
    stepLrs.add(lr);
    stepFloatInputs.add(new HashMap<>(floats));
    stepLabelInputs.add(new HashMap<>(ints));
    prediction = floats.get("x").clone();
    loss = steps < trainLosses.length ? trainLosses[steps] : 1f;
    steps++;
    return loss;
  }

  @Override
  public float[] read(String name) {
    return switch (name) {
      case "loss" -> new float[] {loss};
      case "lr" -> new float[] {lr};
      case "prediction" -> prediction.clone();
      default -> throw new IllegalArgumentException("no output " + name);
    };
  }

  @Override
  public int[] shape(String name) {
    return switch (name) {
      case "loss" -> new int[0];
      case "prediction" -> new int[] {batch, features};
      default -> throw new IllegalArgumentException("no output " + name);
    };
  }

  @Override
  public List<String> parameterNames() {
    return List.of("p");
  }

  @Override
  public NamedTensors state() {
    return new NamedTensors().put("p", FloatTensor.of(new float[] {steps}, 1))
        .put("opt.t", FloatTensor.of(new float[] {10f * steps}, 1));
  }

  @Override
  public void load(NamedTensors values) {
    throw new UnsupportedOperationException();
  }

  @Override
  public String firstNonFinite() {
    return Float.isFinite(loss) ? null : diagnostic;
  }

  @Override
  public String source() {
    return "scripted " + Arrays.toString(trainLosses);
  }
}
