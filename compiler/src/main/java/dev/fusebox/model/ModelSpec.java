package dev.fusebox.model;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusebox.builder.Activation;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.GraphException;
import dev.fusebox.ops.Catalogue;
import dev.fusebox.ops.Catalogue.LossEntry;
import dev.fusebox.ops.Catalogue.Prediction;
import dev.fusebox.ops.Catalogue.SpecLoss;
import dev.fusebox.optim.Optimizer;
import dev.fusebox.optim.TrainingGraph;
import dev.fusebox.runtime.data.LabelKind;
import dev.fusebox.runtime.init.Initializer;
import dev.fusebox.runtime.init.Initializers;
import dev.fusebox.runtime.train.Schedule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A sequential MLP described by a JSON spec file:
 *
 * <pre>
 * {"input": 64, "layers": [{"units": 128, "activation": "relu"}, {"units": 10}],
 *  "loss": "softmax_cross_entropy", "optimizer": {"type": "adam", "lr": 0.001},
 *  "batch": 32, "epochs": 20, "seed": 7}
 * </pre>
 *
 * A layer without {@code activation} is affine only; a layer may add {@code "dropout": p}. Optional
 * top-level keys: {@code init} (weight initialiser, default PyTorch's {@code fan_in_uniform}),
 * {@code bias_init} (default {@code fan_in_uniform}), {@code l2} (λ: adds λ·½Σ‖W‖² over the weights),
 * {@code clip_grad_norm} (max global L2 norm of the gradients), {@code schedule} (the learning rate
 * over epochs, as PyTorch's schedulers stepped once per epoch: {@code {"type": "step", "step_size": 10,
 * "gamma": 0.1}}, {@code {"type": "exponential", "gamma": 0.95}}, {@code {"type": "cosine", "t_max": 20,
 * "eta_min": 0}}, each with an optional {@code "warmup_steps"} of linear warm-up; default constant). Parameters are named as in PyTorch:
 * {@code layers.{i}.weight [out, in]}, {@code layers.{i}.bias [out]}. Unknown keys and bad values are
 * errors naming the key.
 *
 * @param source the spec's file name, which error messages start with
 * @param input features per row
 * @param layers the dense layers, in order; the last one's units are the model's outputs
 * @param loss the loss's name, one of {@link #LOSSES}
 * @param optimizer the optimizer, with all its settings
 * @param batch rows per batch
 * @param epochs passes over the training data
 * @param seed what initialisation, dropout and shuffling draw from
 * @param init the weights' initialiser
 * @param biasInit the biases' initialiser
 * @param l2 λ of the L2 penalty λ·½Σ‖W‖² over the weights; 0 for none
 * @param clipGradNorm the largest global L2 norm of the gradients; 0 for no clipping
 * @param scheduleSpec the learning rate over epochs
 */
public record ModelSpec(String source, int input, List<Layer> layers, String loss, Optimizer optimizer, int batch, int epochs,
    long seed, Initializer init, Initializer biasInit, double l2, double clipGradNorm, ScheduleSpec scheduleSpec) {

  /**
   * One dense layer.
   *
   * @param units its outputs per row
   * @param activation applied to its affine output
   * @param dropout the probability of dropping each output in training, in {@code [0, 1)}
   */
  public record Layer(int units, Activation activation, double dropout) {}

  /**
   * A spec's {@code schedule}: its type, the numbers that type takes (the others 0), and the warm-up
   * steps (0 for none). Kept as the spec gave it, so that {@link #toJson} can write it back.
   *
   * @param type {@code constant}, {@code step}, {@code exponential} or {@code cosine}
   * @param stepSize epochs between drops ({@code step})
   * @param gamma the factor per drop or per epoch ({@code step}, {@code exponential})
   * @param tMax epochs of the descent ({@code cosine})
   * @param etaMin the lowest rate ({@code cosine})
   * @param warmupSteps steps of linear warm-up; 0 for none
   */
  public record ScheduleSpec(String type, int stepSize, double gamma, int tMax, double etaMin, int warmupSteps) {
    /** The default: the optimizer's rate throughout. */
    public static final ScheduleSpec CONSTANT = new ScheduleSpec("constant", 0, 0, 0, 0, 0);

    /**
     * {@return the schedule for a base learning rate}
     *
     * @param lr the optimizer's learning rate
     * @throws IllegalArgumentException if a number is out of the schedule's range
     */
    public Schedule build(double lr) {
      Schedule s = switch (type) {
        case "constant" -> Schedule.constant(lr);
        case "step" -> Schedule.step(lr, stepSize, gamma);
        case "exponential" -> Schedule.exponential(lr, gamma);
        case "cosine" -> Schedule.cosine(lr, tMax, etaMin);
        default -> throw new IllegalStateException("schedule type '" + type + "' has no factory");
      };
      return warmupSteps > 0 ? Schedule.warmup(s, warmupSteps) : s;
    }

    ObjectNode toJson() {
      ObjectNode n = JSON.createObjectNode().put("type", type);
      switch (type) {
        case "step" -> n.put("step_size", stepSize).put("gamma", gamma);
        case "exponential" -> n.put("gamma", gamma);
        case "cosine" -> n.put("t_max", tMax).put("eta_min", etaMin);
        default -> { }
      }
      if (warmupSteps > 0) n.put("warmup_steps", warmupSteps);
      return n;
    }
  }

  /** The losses a spec takes, in the catalogue's order. */
  public static final List<String> LOSSES = Catalogue.specLosses().stream().map(SpecLoss::name).toList();
  private static final List<String> KEYS = List.of("input", "layers", "loss", "optimizer", "batch", "epochs", "seed", "init",
      "bias_init", "l2", "clip_grad_norm", "schedule");
  // A key given twice would otherwise silently keep its last value, as the safetensors reader already refuses to.
  private static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final Pattern DUPLICATE = Pattern.compile("Duplicate (?:field|Object property) [\"'](.*)[\"']");

  /**
   * {@return the spec a JSON file holds}
   *
   * @param file a spec file, UTF-8
   * @throws SpecException naming the file, the key and what is wrong
   * @throws IOException if the file cannot be read
   */
  public static ModelSpec read(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8), file.getFileName().toString());
  }

  /**
   * {@return the spec the text holds}
   *
   * @param json the spec's JSON text
   * @param source what error messages call it (a file name)
   * @throws SpecException naming the source, the key and what is wrong
   */
  public static ModelSpec parse(String json, String source) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      String where = source + ": line " + (loc == null ? "?" : loc.getLineNr()) + ", column " + (loc == null ? "?" : loc.getColumnNr());
      Matcher duplicate = DUPLICATE.matcher(e.getOriginalMessage());
      if (e instanceof JsonParseException p && duplicate.find()) {
        throw new SpecException(where + ": " + keyPath(p.getProcessor(), duplicate.group(1)) + ": the key appears twice; give it once");
      }
      throw new SpecException(where + ": not valid JSON: " + e.getOriginalMessage().replaceAll(" \\(for .*|\\R.*", ""));
    }
    if (root == null || root.isMissingNode()) throw new SpecException(source + ": is empty; a spec is a JSON object");
    SpecReader r = new SpecReader(source, "", root);
    int input = r.positiveInt("input", null);
    JsonNode layerNodes = r.raw("layers");
    if (layerNodes == null || !layerNodes.isArray() || layerNodes.isEmpty()) throw r.error("layers", "must be a non-empty array of layers");
    List<Layer> layers = new ArrayList<>();
    for (int i = 0; i < layerNodes.size(); i++) layers.add(layer(source, "layers[" + i + "]", layerNodes.get(i)));
    String loss = r.text("loss", null);
    SpecLoss use = Catalogue.specLoss(loss).map(LossEntry::spec)
        .orElseThrow(() -> r.error("loss", "unknown loss '" + loss + "'; known: " + String.join(", ", LOSSES)));
    int outputs = layers.get(layers.size() - 1).units();
    if (use.prediction() == Prediction.BINARY_PROBABILITY && outputs != 1) {
      throw r.error("loss", loss + " needs a last layer with 1 unit (a logit), not " + outputs);
    }
    if (use.labels() == LabelKind.CLASS && outputs < 2) {
      throw r.error("loss", loss + " needs a last layer with one unit per class (at least 2), not " + outputs);
    }
    if (!r.has("optimizer")) throw r.error("optimizer", "is required");
    Optimizer optimizer = OptimizerSpec.parse(new SpecReader(source, "optimizer", r.raw("optimizer")));
    int batch = r.positiveInt("batch", 32);
    int epochs = r.positiveInt("epochs", 10);
    long seed = r.integer("seed", 0);
    Initializer init = initializer(r, "init");
    Initializer biasInit = initializer(r, "bias_init");
    double l2 = r.nonNegative("l2", 0);
    double clip = r.nonNegative("clip_grad_norm", 0);
    ScheduleSpec schedule = r.has("schedule") ? schedule(new SpecReader(source, "schedule", r.raw("schedule")), optimizer.lr())
        : ScheduleSpec.CONSTANT;
    try {
      schedule.build(optimizer.lr());
    } catch (IllegalArgumentException e) {
      throw r.error("optimizer.lr", e.getMessage()); // a rate of 0, which the optimizer takes but no schedule does
    }
    r.done(KEYS);
    return new ModelSpec(source, input, List.copyOf(layers), loss, optimizer, batch, epochs, seed, init, biasInit, l2, clip, schedule);
  }

  /** {@code layers[1].units} for the key {@code units} of the object at {@code /layers/1}, as other errors name keys. */
  private static String keyPath(Object parser, String key) {
    if (!(parser instanceof JsonParser p)) return key;
    StringBuilder path = new StringBuilder();
    for (String part : p.getParsingContext().pathAsPointer().toString().split("/")) {
      if (part.isEmpty()) continue;
      String name = part.replace("~1", "/").replace("~0", "~");
      if (name.chars().allMatch(Character::isDigit)) path.append('[').append(name).append(']');
      else path.append(path.length() == 0 ? "" : ".").append(name);
    }
    // The pointer ends at the duplicated key itself.
    return path.length() == 0 ? key : path.toString();
  }

  private static ScheduleSpec schedule(SpecReader r, double lr) {
    String type = r.text("type", null);
    ScheduleSpec s;
    switch (type) {
      case "constant" -> s = ScheduleSpec.CONSTANT;
      case "step" -> s = new ScheduleSpec(type, r.positiveInt("step_size", null), r.number("gamma", 0.1), 0, 0, 0);
      case "exponential" -> {
        if (!r.has("gamma")) throw r.error(r.at("gamma"), "is required");
        s = new ScheduleSpec(type, 0, r.number("gamma", Double.NaN), 0, 0, 0);
      }
      case "cosine" -> s = new ScheduleSpec(type, 0, 0, r.positiveInt("t_max", null), r.nonNegative("eta_min", 0), 0);
      default -> throw r.error(r.at("type"), "unknown schedule '" + type + "'; known: constant, step, exponential, cosine");
    }
    if (r.has("warmup_steps")) {
      s = new ScheduleSpec(s.type(), s.stepSize(), s.gamma(), s.tMax(), s.etaMin(), r.positiveInt("warmup_steps", null));
    }
    try {
      s.build(lr);
    } catch (IllegalArgumentException e) {
      throw r.error("schedule", e.getMessage());
    }
    r.done(List.of("type", "step_size", "gamma", "t_max", "eta_min", "warmup_steps"));
    return s;
  }

  private static Layer layer(String source, String path, JsonNode node) {
    SpecReader r = new SpecReader(source, path, node);
    int units = r.positiveInt("units", null);
    Activation activation;
    try {
      activation = r.has("activation") ? Activation.parse(r.text("activation", null)) : Activation.IDENTITY;
    } catch (GraphException e) {
      throw r.error(r.at("activation"), e.getMessage());
    }
    double dropout = r.nonNegative("dropout", 0);
    if (dropout >= 1) throw r.error(r.at("dropout"), "must be in [0, 1), got " + dropout);
    r.done(List.of("units", "activation", "dropout"));
    return new Layer(units, activation, dropout);
  }

  private static Initializer initializer(SpecReader r, String key) {
    if (!r.has(key)) {
      r.raw(key);
      return Initializers.fanInUniform();
    }
    try {
      return Initializers.byName(r.text(key, null));
    } catch (IllegalArgumentException e) {
      throw r.error(key, e.getMessage());
    }
  }

  /**
   * {@return the same model for batches of {@code rows} rows (a serving program for one row, say)}
   *
   * @param rows 1 or more
   * @throws IllegalArgumentException if {@code rows} is less than 1
   */
  public ModelSpec withBatch(int rows) {
    if (rows < 1) throw new IllegalArgumentException("batch must be at least 1, got " + rows);
    return new ModelSpec(source, input, layers, loss, optimizer, rows, epochs, seed, init, biasInit, l2, clipGradNorm, scheduleSpec);
  }

  /**
   * {@return this spec with another seed (initialisation, dropout, shuffling)}
   *
   * @param newSeed the seed
   */
  public ModelSpec withSeed(long newSeed) {
    return new ModelSpec(source, input, layers, loss, optimizer, batch, epochs, newSeed, init, biasInit, l2, clipGradNorm,
        scheduleSpec);
  }

  /** {@return the learning rate over the steps of training, as the spec's {@code schedule} says} */
  public Schedule schedule() {
    return scheduleSpec.build(optimizer.lr());
  }

  /**
   * The whole spec as JSON that {@link #parse} reads back to an equal spec: every key written out,
   * defaults included, so that the text alone says what was trained, whatever later versions change
   * in their defaults. This is what a model file keeps of its spec.
   *
   * @return the JSON text, on one line
   */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode().put("input", input);
    ArrayNode layerNodes = root.putArray("layers");
    for (Layer l : layers) {
      layerNodes.addObject().put("units", l.units()).put("activation", l.activation().toString()).put("dropout", l.dropout());
    }
    root.put("loss", loss);
    root.set("optimizer", OptimizerSpec.toJson(optimizer, JSON.createObjectNode()));
    root.put("batch", batch).put("epochs", epochs).put("seed", seed).put("init", init.name()).put("bias_init", biasInit.name())
        .put("l2", l2).put("clip_grad_norm", clipGradNorm);
    root.set("schedule", scheduleSpec.toJson());
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of numbers and strings always serialises", e);
    }
  }

  /**
   * One way two specs differ: the key, and its value in each.
   *
   * @param key the key path ({@code layers[0].activation})
   * @param value its value in this spec
   * @param other its value in the other
   */
  public record Difference(String key, String value, String other) {}

  /**
   * Where this spec and {@code other} differ in what turns inputs into predictions and the reported
   * loss: the inputs, the layers' widths and activations, the loss and the L2 penalty. Training
   * settings (optimizer, batch, epochs, seeds, dropout, schedule) do not count.
   *
   * @param other the spec to compare with, usually a saved model's
   * @return the differences, in key order; empty if predictions agree
   */
  public List<Difference> predictionDifferences(ModelSpec other) {
    List<Difference> d = parameterDifferences(other);
    if (!loss.equals(other.loss)) d.add(new Difference("loss", loss, other.loss));
    if (Double.compare(l2, other.l2) != 0) d.add(new Difference("l2", Double.toString(l2), Double.toString(other.l2)));
    return d;
  }

  /**
   * Fails, naming the first key, unless there are no differences between this spec and a saved model's:
   * {@code model.json: layers[0].activation is tanh, but iris.safetensors was trained with relu}.
   *
   * @param differences this spec's differences from the saved one's ({@link #predictionDifferences} or
   *     {@link #parameterDifferences})
   * @param modelFile the saved model's name, for the message
   * @throws SpecException naming this spec's file, the key and both values
   */
  public void requireAgreement(List<Difference> differences, String modelFile) {
    if (differences.isEmpty()) return;
    Difference d = differences.get(0);
    String more = differences.size() == 1 ? "" : " (and " + (differences.size() - 1) + " more: "
        + String.join(", ", differences.stream().skip(1).map(Difference::key).toList()) + ")";
    throw new SpecException(source + ": " + d.key() + " is " + d.value() + ", but " + modelFile + " was trained with "
        + d.other() + more);
  }

  /**
   * {@return where this spec and {@code other} differ in what their parameters mean: the inputs, the
   * layers' widths and activations; empty if the parameters fit both}
   *
   * @param other the spec to compare with
   */
  public List<Difference> parameterDifferences(ModelSpec other) {
    List<Difference> d = new ArrayList<>();
    if (input != other.input) d.add(new Difference("input", Integer.toString(input), Integer.toString(other.input)));
    if (layers.size() != other.layers.size()) {
      d.add(new Difference("layers", layers.size() + " layers", other.layers.size() + " layers"));
      return d;
    }
    for (int i = 0; i < layers.size(); i++) {
      Layer a = layers.get(i);
      Layer b = other.layers.get(i);
      if (a.units() != b.units()) {
        d.add(new Difference("layers[" + i + "].units", Integer.toString(a.units()), Integer.toString(b.units())));
      }
      if (!a.activation().equals(b.activation())) {
        d.add(new Difference("layers[" + i + "].activation", a.activation().toString(), b.activation().toString()));
      }
    }
    return d;
  }

  /** {@return the number of outputs of the last layer} */
  public int outputs() {
    return layers.get(layers.size() - 1).units();
  }

  /** {@return the catalogue's row of the spec's loss: its op, and what its labels and outputs are} */
  public LossEntry lossEntry() {
    return Catalogue.specLoss(loss).orElseThrow(() -> new IllegalStateException("spec loss '" + loss + "' is not in the catalogue"));
  }

  /** {@return how the label column of a data file is read: class indices or float targets} */
  public LabelKind labelKind() {
    return lossEntry().spec().labels();
  }

  /**
   * {@return the forward graph: inputs {@code x} {@code [batch, input]} and {@code y} (labels or targets),
   * outputs {@code prediction} (the last layer's output: logits for a classifier) and {@code loss}}
   */
  public Graph forward() {
    GraphBuilder g = GraphBuilder.create(seed).at(source);
    Tensor x = g.input("x", batch, input);
    Tensor y = labelKind() == LabelKind.CLASS ? g.labels("y", batch, outputs()) : g.targets("y", batch, outputs());
    Tensor h = x;
    List<Tensor> weights = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      Layer layer = layers.get(i);
      g.at(source + ": layers[" + i + "]");
      h = g.dense("layers." + i, h, layer.units(), layer.activation(), init, biasInit);
      weights.add(g.tensor(g.graph().find("layers." + i + ".weight")));
      if (layer.dropout() > 0) h = g.dropout(h, layer.dropout());
    }
    g.at(source + ": loss");
    Tensor value = g.add(lossEntry().op(), null, h, y);
    if (l2 > 0) value = g.add(value, g.scale(g.l2(weights.toArray(new Tensor[0])), l2));
    return g.output("prediction", h).loss(value).build();
  }

  /** {@return forward, backward and the optimizer's updates: what a training program runs} */
  public Graph training() {
    return TrainingGraph.of(forward(), optimizer, clipGradNorm);
  }
}
