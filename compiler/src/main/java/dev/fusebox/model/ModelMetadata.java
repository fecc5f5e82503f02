package dev.fusebox.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusebox.runtime.data.LabelKind;
import dev.fusebox.runtime.data.Standardizer;
import dev.fusebox.runtime.io.ParameterFileException;
import dev.fusebox.runtime.io.SafeTensors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * What a model file says about itself, in the {@code __metadata__} strings of its safetensors header:
 * everything needed to use the parameters beside it without anything else. This is Fusebox's model
 * format, version {@value #FORMAT_VERSION}; {@link #KEYS} are its keys, and the README's "Model files"
 * section is its specification.
 *
 * <ul>
 *   <li>{@code format} {@value #FORMAT} and {@code format_version} {@value #FORMAT_VERSION}: a later
 *       version may add keys, which older readers ignore; a reader refuses a version newer than its own.
 *   <li>{@code spec}: the whole spec as JSON ({@link ModelSpec#toJson}), defaults written out.
 *   <li>{@code spec_file}: the name of the spec file it came from, for people.
 *   <li>{@code input_columns}: the features' column names as a JSON array, in the order the model
 *       takes them; a reader picks the columns of new data by these names.
 *   <li>{@code label_column}: the label column's name, when there was one.
 *   <li>{@code classes}: the class count, for a classifier.
 *   <li>{@code preprocessing}: what is done to features before the model sees them, as JSON:
 *       {@code {"type": "none"}}, or {@code {"type": "standardize", "mean": [...], "scale": [...]}}
 *       for {@code (x - mean) / scale} per input column.
 *   <li>{@code fusebox_version}, {@code java_version}: what wrote the file.
 * </ul>
 *
 * Both files of a pair carry these; {@link dev.fusebox.runtime.io.ModelFiles} adds its own keys
 * ({@code content}, {@code data_sha256}, {@code pair_id}) and the optimizer file the training position
 * ({@code training_*}, {@link dev.fusebox.runtime.train.TrainingState}). Every value is a string, so
 * the files load with {@code safetensors.torch.load_file} as they are.
 *
 * @param spec the model
 * @param inputColumns the input columns' names in order; empty when not known (then inputs go by position)
 * @param labelColumn the label column, if known
 * @param standardizer the standardisation applied to inputs, if any
 * @param fuseboxVersion the version of Fusebox that wrote the file
 * @param javaVersion the Java version that wrote it
 */
public record ModelMetadata(ModelSpec spec, List<String> inputColumns, Optional<String> labelColumn,
    Optional<Standardizer> standardizer, String fuseboxVersion, String javaVersion) {

  /** The value of {@code format}. */
  public static final String FORMAT = "fusebox-model";
  /** The version of the format this class reads and writes. */
  public static final int FORMAT_VERSION = 1;
  /** The keys, in the order they are written. */
  public static final List<String> KEYS = List.of("format", "format_version", "spec", "spec_file", "input_columns",
      "label_column", "classes", "preprocessing", "fusebox_version", "java_version");
  /** This Fusebox's version, or {@code unknown} when running from classes the build did not process. */
  public static final String FUSEBOX_VERSION = readVersion();

  private static final ObjectMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  /**
   * Metadata; the columns are copied.
   *
   * @param spec the model
   * @param inputColumns the input columns' names in order; empty when not known (then inputs go by position)
   * @param labelColumn the label column, if known
   * @param standardizer the standardisation applied to inputs, if any
   * @param fuseboxVersion the version of Fusebox that wrote the file
   * @param javaVersion the Java version that wrote it
   * @throws IllegalArgumentException if the columns or the standardizer do not fit the spec's inputs, or
   *     a column is named twice
   */
  public ModelMetadata {
    Objects.requireNonNull(spec, "spec");
    inputColumns = List.copyOf(inputColumns);
    Objects.requireNonNull(labelColumn, "labelColumn");
    Objects.requireNonNull(standardizer, "standardizer");
    Objects.requireNonNull(fuseboxVersion, "fuseboxVersion");
    Objects.requireNonNull(javaVersion, "javaVersion");
    if (!inputColumns.isEmpty() && inputColumns.size() != spec.input()) {
      throw new IllegalArgumentException(inputColumns.size() + " input columns " + inputColumns + " for a model of "
          + spec.input() + " inputs");
    }
    if (new HashSet<>(inputColumns).size() != inputColumns.size()) {
      throw new IllegalArgumentException("input columns " + inputColumns + " name a column twice");
    }
    if (standardizer.isPresent() && standardizer.get().featureCount() != spec.input()) {
      throw new IllegalArgumentException("a standardizer of " + standardizer.get().featureCount() + " features for a model of "
          + spec.input() + " inputs");
    }
  }

  /**
   * {@return metadata written now, by this Fusebox and this JVM}
   *
   * @param spec the model
   * @param inputColumns the input columns' names in order, one per input; empty when not known
   * @param labelColumn the label column, if known
   * @param standardizer the standardisation applied to inputs, if any
   * @throws IllegalArgumentException if the columns or the standardizer do not fit the spec's inputs
   */
  public static ModelMetadata of(ModelSpec spec, List<String> inputColumns, Optional<String> labelColumn,
      Optional<Standardizer> standardizer) {
    return new ModelMetadata(spec, inputColumns, labelColumn, standardizer, FUSEBOX_VERSION, System.getProperty("java.version"));
  }

  /** {@return the metadata strings, under {@link #KEYS}, in their order} */
  public Map<String, String> toMetadata() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("format", FORMAT);
    m.put("format_version", Integer.toString(FORMAT_VERSION));
    m.put("spec", spec.toJson());
    m.put("spec_file", spec.source());
    ArrayNode columns = JSON.createArrayNode();
    inputColumns.forEach(columns::add);
    m.put("input_columns", columns.toString());
    labelColumn.ifPresent(l -> m.put("label_column", l));
    if (spec.labelKind() == LabelKind.CLASS) m.put("classes", Integer.toString(spec.outputs()));
    ObjectNode preprocessing = JSON.createObjectNode();
    if (standardizer.isEmpty()) {
      preprocessing.put("type", "none");
    } else {
      preprocessing.put("type", "standardize");
      ArrayNode mean = preprocessing.putArray("mean");
      for (double v : standardizer.get().mean()) mean.add(v);
      ArrayNode scale = preprocessing.putArray("scale");
      for (double v : standardizer.get().scale()) scale.add(v);
    }
    m.put("preprocessing", preprocessing.toString());
    m.put("fusebox_version", fuseboxVersion);
    m.put("java_version", javaVersion);
    return m;
  }

  /**
   * Reads the metadata of a model file, its header alone.
   *
   * @param file a parameter file
   * @return empty if the file does not say it is a Fusebox model (a parameter file from elsewhere)
   * @throws ParameterFileException naming the file and key when it says so but a value is wrong
   * @throws IOException if the file cannot be read
   */
  public static Optional<ModelMetadata> read(Path file) throws IOException {
    return fromMetadata(file, SafeTensors.readMetadata(file));
  }

  /**
   * The metadata of {@code file} from its strings; other keys (the pair's, the training position's, a
   * later version's) are left alone.
   *
   * @param file the file the strings come from, for messages
   * @param metadata its {@code __metadata__} strings
   * @return empty if the strings have no {@code format} key
   * @throws ParameterFileException naming the file and key when a value is wrong, or the format is
   *     another one or a later version
   */
  public static Optional<ModelMetadata> fromMetadata(Path file, Map<String, String> metadata) throws ParameterFileException {
    if (!metadata.containsKey("format")) return Optional.empty();
    Reader r = new Reader(file, metadata);
    if (!FORMAT.equals(metadata.get("format"))) {
      throw r.bad("format", "is '" + metadata.get("format") + "', not " + FORMAT + "; the file was written by another program");
    }
    String version = r.require("format_version");
    if (!version.matches("[1-9]\\d{0,8}")) throw r.bad("format_version", "is '" + version + "', not a version number");
    if (Integer.parseInt(version) > FORMAT_VERSION) {
      throw r.bad("format_version", "is " + version + ": the file was written by a later Fusebox, and this one ("
          + FUSEBOX_VERSION + ") reads model format " + FORMAT_VERSION + "; upgrade Fusebox to read it");
    }
    ModelSpec spec;
    try {
      spec = ModelSpec.parse(r.require("spec"), name(file) + " (its spec)");
    } catch (SpecException e) {
      throw r.bad("spec", "does not read as a spec: " + e.getMessage());
    }
    List<String> columns = r.strings("input_columns");
    Optional<String> label = Optional.ofNullable(metadata.get("label_column"));
    if (metadata.containsKey("classes") && !metadata.get("classes").equals(Integer.toString(spec.outputs()))) {
      throw r.bad("classes", "is " + metadata.get("classes") + ", but its spec's last layer has " + spec.outputs() + " units");
    }
    Optional<Standardizer> standardizer = r.preprocessing(spec.input());
    try {
      return Optional.of(new ModelMetadata(spec, columns, label, standardizer, r.require("fusebox_version"),
          r.require("java_version")));
    } catch (IllegalArgumentException e) {
      throw new ParameterFileException(file, "metadata does not fit together: " + e.getMessage());
    }
  }

  private static String name(Path file) {
    Path n = file.getFileName();
    return n == null ? file.toString() : n.toString();
  }

  private static String readVersion() {
    try (InputStream in = ModelMetadata.class.getResourceAsStream("version.properties")) {
      if (in == null) return "unknown";
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "unknown");
      return v.startsWith("${") ? "unknown" : v;
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** Reads values with errors that name the file and the key. */
  private record Reader(Path file, Map<String, String> metadata) {
    String require(String key) throws ParameterFileException {
      String v = metadata.get(key);
      if (v == null) throw new ParameterFileException(file, "metadata key '" + key + "' is missing");
      return v;
    }

    ParameterFileException bad(String key, String detail) {
      return new ParameterFileException(file, "metadata key '" + key + "' " + detail);
    }

    JsonNode json(String key) throws ParameterFileException {
      try {
        return JSON.readTree(require(key));
      } catch (JsonProcessingException e) {
        throw bad(key, "is not valid JSON: " + e.getOriginalMessage());
      }
    }

    List<String> strings(String key) throws ParameterFileException {
      JsonNode n = json(key);
      List<String> values = new ArrayList<>();
      if (n.isArray()) for (JsonNode v : n) if (v.isTextual()) values.add(v.textValue());
      if (!n.isArray() || values.size() != n.size()) throw bad(key, "must be a JSON array of strings, not " + n);
      return values;
    }

    Optional<Standardizer> preprocessing(int inputs) throws ParameterFileException {
      JsonNode n = json("preprocessing");
      String type = n.path("type").asText("");
      if (type.equals("none")) return Optional.empty();
      if (!type.equals("standardize")) throw bad("preprocessing", "has type '" + type + "'; known: none, standardize");
      double[] mean = numbers(n.path("mean"), inputs, "mean");
      double[] scale = numbers(n.path("scale"), inputs, "scale");
      try {
        return Optional.of(Standardizer.of(mean, scale));
      } catch (IllegalArgumentException e) {
        throw bad("preprocessing", e.getMessage());
      }
    }

    private double[] numbers(JsonNode n, int count, String what) throws ParameterFileException {
      if (!n.isArray() || n.size() != count) throw bad("preprocessing", what + " must be an array of " + count + " numbers");
      double[] values = new double[count];
      for (int i = 0; i < count; i++) {
        if (!n.get(i).isNumber()) throw bad("preprocessing", what + "[" + i + "] is not a number");
        values[i] = n.get(i).doubleValue();
      }
      return values;
    }
  }
}
