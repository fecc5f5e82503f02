package dev.fusebox.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusebox.model.ModelSpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One configuration of a sweep: a name (which its model and spec files are called by) and a whole spec,
 * seed included. {@link #grid} makes the usual learning rate × seed grid from one spec; {@link #with}
 * changes any optimizer setting by its spec-file name ({@code weight_decay}, {@code momentum}).
 *
 * @param name letters, digits, {@code .}, {@code _} and {@code -}: the trial's files are {@code NAME.json},
 *     {@code NAME.safetensors} and {@code NAME.optimizer.safetensors}
 * @param specJson the spec as {@link ModelSpec#toJson} writes it
 */
public record SweepConfig(String name, String specJson) implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  private static final ObjectMapper JSON = new ObjectMapper();

  public SweepConfig {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("sweep configuration name '" + name + "' must be 1 to 100 letters, digits, '.', '_' "
          + "or '-', starting with a letter or digit: it names the configuration's files");
    }
    ModelSpec.parse(specJson, name + ".json"); // fails here, naming the key, rather than in an executor
  }

  /** A configuration of {@code spec} as it is, seed included. */
  public static SweepConfig of(String name, ModelSpec spec) {
    return new SweepConfig(name, spec.toJson());
  }

  /** The spec, named {@code NAME.json} (what its model file records as {@code spec_file}). */
  public ModelSpec spec() {
    return ModelSpec.parse(specJson, name + ".json");
  }

  /**
   * Every learning rate with every seed, named {@code lr0.003-seed7}: the configurations a sweep over
   * {@code base} usually runs. Learning rates are program inputs, so they share one compiled program.
   */
  public static List<SweepConfig> grid(ModelSpec base, double[] learningRates, long[] seeds) {
    List<SweepConfig> configs = new ArrayList<>();
    for (double lr : learningRates) {
      for (long seed : seeds) {
        String name = "lr" + number(lr) + "-seed" + seed;
        configs.add(of(name, base.withSeed(seed)).with("lr", lr));
      }
    }
    return configs;
  }

  /** This configuration with the optimizer setting {@code key} (a spec file's name for it: {@code lr}, {@code weight_decay}) set. */
  public SweepConfig with(String key, double value) {
    return new SweepConfig(name, optimizerSetting(specJson, key, value));
  }

  /** This configuration under another name. */
  public SweepConfig named(String newName) {
    return new SweepConfig(newName, specJson);
  }

  /** What the code compiled for every configuration calls its spec, in the call sites it records. */
  static final String COMPILED_SOURCE = "sweep configuration";

  /**
   * The spec every configuration compiles as: the learning rate is a program input that the trainer sets
   * before every step, so its initial value changes nothing but the generated source, and neither does
   * the spec's name (the call sites generated code records for its messages); one value of each for all
   * lets configurations that differ only in their names and rates share one compiled class.
   */
  static ModelSpec compiledSpec(ModelSpec spec) {
    return ModelSpec.parse(optimizerSetting(spec.toJson(), "lr", 1e-3), COMPILED_SOURCE);
  }

  private static String optimizerSetting(String specJson, String key, double value) {
    try {
      ObjectNode root = (ObjectNode) JSON.readTree(specJson);
      JsonNode optimizer = root.get("optimizer");
      if (!(optimizer instanceof ObjectNode o) || !o.has(key)) {
        throw new IllegalArgumentException("the spec's optimizer has no setting '" + key + "'; it has "
            + (optimizer == null ? "none" : iterableNames(optimizer)));
      }
      o.put(key, value);
      return JSON.writeValueAsString(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("not a spec: " + e.getOriginalMessage(), e);
    }
  }

  private static List<String> iterableNames(JsonNode n) {
    List<String> names = new ArrayList<>();
    n.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** {@code 0.003}, {@code 1e-05}: short, and safe in a file name. */
  static String number(double v) {
    String s = Double.toString(v);
    if (s.endsWith(".0")) s = s.substring(0, s.length() - 2);
    return s.toLowerCase(Locale.ROOT);
  }
}
