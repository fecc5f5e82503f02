package dev.fusebox.model;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Target;
import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.data.Standardizer;
import dev.fusebox.runtime.io.ModelFiles;
import dev.fusebox.runtime.io.ParameterFileException;
import dev.fusebox.runtime.io.SafeTensorsFile;
import dev.fusebox.runtime.train.Evaluator;
import dev.fusebox.runtime.train.TrainingState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A model file loaded into a ready inference program, in one call:
 *
 * <pre>{@code
 * try (SavedModel model = SavedModel.load(Path.of("iris.safetensors"))) {
 *   FloatTensor logits = model.predict(CsvData.readFeatures(Path.of("new-flowers.csv")));   // [rows, 3]
 * }
 * }</pre>
 *
 * The file says what it is ({@link ModelMetadata}): the spec is compiled for inference, the parameters
 * loaded after their recorded SHA-256 is checked, and {@link #predict} picks the input columns by name
 * and applies the recorded preprocessing. {@link #save} writes such a file, with its optimizer state
 * beside it, as one unit. Close the model to stop the threads a multi-threaded program holds. Like
 * its program, a model is not thread-safe: load one per thread.
 */
public final class SavedModel implements AutoCloseable {
  private final Path file;
  private final ModelMetadata metadata;
  private final Program program;

  private SavedModel(Path file, ModelMetadata metadata, Program program) {
    this.file = file;
    this.metadata = metadata;
    this.program = program;
  }

  /**
   * Loads a model file that describes itself onto the {@link Target#auto() auto} target.
   *
   * @param file a parameter file {@code fusebox train} or {@link #save} wrote
   * @return the model, ready to predict
   * @throws ParameterFileException naming the file, as {@link #load(Path, Target, CompileOptions)} does
   * @throws IOException if the file cannot be read
   */
  public static SavedModel load(Path file) throws IOException {
    return load(file, Target.auto(), CompileOptions.defaults());
  }

  /**
   * Loads a model file that describes itself onto {@code target}.
   *
   * @param file a parameter file {@code fusebox train} or {@link #save} wrote
   * @param target where the inference program runs
   * @param options how its spec is compiled
   * @return the model, ready to predict
   * @throws ParameterFileException naming the file: not a Fusebox model (give its spec with
   *     {@link #load(Path, ModelSpec, Target, CompileOptions)}), corrupt, from a later format version,
   *     or tensors that do not fit its own spec
   * @throws IOException if the file cannot be read
   */
  public static SavedModel load(Path file, Target target, CompileOptions options) throws IOException {
    SafeTensorsFile contents = ModelFiles.readParameters(file);
    return open(file, metadataOf(file, contents, null), contents.tensors(), target, options);
  }

  /**
   * Loads a parameter file with a spec: for a file that does not describe itself (from another tool,
   * or written with {@code SafeTensors.writeParameters}), the spec says what it is; for one that does,
   * the spec must agree with the file's own wherever predictions would differ, and the file's own
   * description (columns, preprocessing) is used.
   *
   * @param file a parameter file
   * @param spec the network the parameters are for
   * @param target where the inference program runs
   * @param options how the spec is compiled
   * @return the model, ready to predict; without recorded columns it takes them by position
   * @throws SpecException naming the spec's key, its value and the model's, when they disagree
   * @throws ParameterFileException naming the file: corrupt, or tensors that do not fit the spec
   * @throws IOException if the file cannot be read
   */
  public static SavedModel load(Path file, ModelSpec spec, Target target, CompileOptions options) throws IOException {
    SafeTensorsFile contents = ModelFiles.readParameters(file);
    return open(file, metadataOf(file, contents, Objects.requireNonNull(spec, "spec")), contents.tensors(), target, options);
  }

  /**
   * What a model file is: its own description, which {@code spec} (if not null) must agree with; or, for
   * a file that does not describe itself, {@code spec}'s, without column names or preprocessing.
   */
  static ModelMetadata metadataOf(Path file, SafeTensorsFile contents, ModelSpec spec) throws ParameterFileException {
    Optional<ModelMetadata> own = ModelMetadata.fromMetadata(file, contents.metadata());
    if (spec == null) {
      return own.orElseThrow(() -> new ParameterFileException(file, "does not describe itself (no 'format' in its metadata: it was "
          + "not written by Fusebox 0.1 or later); give its spec"));
    }
    if (own.isEmpty()) return new ModelMetadata(spec, List.of(), Optional.empty(), Optional.empty(), "unknown", "unknown");
    spec.requireAgreement(spec.predictionDifferences(own.get().spec()), name(file));
    return own.get();
  }

  private static SavedModel open(Path file, ModelMetadata metadata, NamedTensors tensors, Target target, CompileOptions options)
      throws ParameterFileException {
    Program program = Compiler.inference(metadata.spec().forward(), options).program(target);
    try {
      checkParameters(file, tensors, program);
      program.load(tensors);
    } catch (ParameterFileException | RuntimeException e) {
      program.close();
      if (e instanceof IllegalArgumentException) throw new ParameterFileException(file, e.getMessage(), e);
      throw e;
    }
    return new SavedModel(file, metadata, program);
  }

  /** The file must hold exactly the model's parameters with their shapes; the message names the tensor. */
  static void checkParameters(Path file, NamedTensors tensors, Program program) throws ParameterFileException {
    String mismatch = parameterMismatch(tensors, program);
    if (mismatch != null) throw new ParameterFileException(file, mismatch);
  }

  /** What is wrong with {@code tensors} as the program's parameters, naming the tensor; null if nothing. */
  static String parameterMismatch(NamedTensors tensors, Program program) {
    List<String> parameters = program.parameterNames();
    for (String name : tensors.names()) {
      if (!parameters.contains(name)) {
        return "tensor '" + name + "' is not a parameter of this model; its parameters are " + describe(program, parameters);
      }
    }
    for (String name : parameters) {
      if (!tensors.contains(name)) {
        return "has no tensor '" + name + "' " + Arrays.toString(program.shape(name)) + "; the model's parameters are "
            + describe(program, parameters);
      }
      int[] shape = tensors.get(name).shape();
      if (!Arrays.equals(shape, program.shape(name))) {
        return "tensor '" + name + "' has shape " + Arrays.toString(shape) + ", but the model's is " + Arrays.toString(program.shape(name));
      }
    }
    return null;
  }

  private static String describe(Program program, List<String> names) {
    return names.stream().map(n -> n + " " + Arrays.toString(program.shape(n))).collect(Collectors.joining(", "));
  }

  /**
   * Writes a trained program as a model pair ({@link ModelFiles}): {@code file} with the parameters
   * and this metadata, and {@code NAME.optimizer.safetensors} beside it with the rest of the program's
   * state and, if given, the training position to resume from.
   *
   * @param file the parameter file to replace
   * @param program a trained program, whose {@link Program#parameterNames()} are the parameters
   * @param metadata what the file says about itself
   * @param state the training position, or null for none
   * @throws java.nio.file.FileSystemException naming the file if the file system fails the write; the old pair is unchanged
   * @throws IOException if the pair cannot be written otherwise
   */
  public static void save(Path file, Program program, ModelMetadata metadata, TrainingState state) throws IOException {
    NamedTensors all = program.state();
    Set<String> parameters = new LinkedHashSet<>(program.parameterNames());
    NamedTensors weights = new NamedTensors();
    for (String name : parameters) weights.put(name, Objects.requireNonNull(all.get(name), name));
    ModelFiles.write(file, weights, all.filter(name -> !parameters.contains(name)), metadata.toMetadata(),
        state == null ? Map.of() : state.toMetadata());
  }

  /** {@return the file the model was loaded from} */
  public Path file() {
    return file;
  }

  /** {@return what the file says about itself (for a file with a spec given, what the spec says)} */
  public ModelMetadata metadata() {
    return metadata;
  }

  /** {@return the network the model is} */
  public ModelSpec spec() {
    return metadata.spec();
  }

  /**
   * The inference program with the parameters loaded: {@code forward()} computes {@code prediction}
   * (and {@code loss}, given labels) for a batch of {@code spec().batch()} rows of prepared inputs.
   *
   * @return the program, which the model owns and closes
   */
  public Program program() {
    return program;
  }

  /**
   * The rows as the model takes them: its input columns picked by name (in its order, other columns
   * left out; by position when the model does not record names) and its preprocessing applied.
   *
   * @param rows data with the model's input columns (labels, if any, are kept)
   * @return the columns the model takes, in its order, preprocessed
   * @throws IllegalArgumentException naming a missing input column, or a column count that does not fit
   */
  public Dataset prepare(Dataset rows) {
    Dataset picked = inputColumns(metadata, name(file), rows);
    Optional<Standardizer> standardizer = metadata.standardizer();
    return standardizer.isPresent() ? standardizer.get().apply(picked) : picked;
  }

  /**
   * The model's input columns of {@code rows}, picked by name in the model's order (by position when the
   * model does not record names); {@code rows} itself when they are already so. {@code model} names the
   * model in messages.
   *
   * @throws IllegalArgumentException naming a missing input column, or a column count that does not fit
   */
  static Dataset inputColumns(ModelMetadata metadata, String model, Dataset rows) {
    List<String> columns = metadata.inputColumns();
    if (!columns.isEmpty()) {
      if (columns.equals(rows.featureNames())) return rows;
      List<String> missing = new ArrayList<>(columns);
      missing.removeAll(rows.featureNames());
      if (!missing.isEmpty()) {
        throw new IllegalArgumentException("has no column '" + missing.get(0) + "'" + (missing.size() > 1 ? " (nor "
            + missing.subList(1, missing.size()) + ")" : "") + ", which " + model + " takes as input; it takes " + columns);
      }
      return rows.selectFeatures(columns);
    }
    if (rows.featureCount() != metadata.spec().input()) {
      throw new IllegalArgumentException("has " + rows.featureCount() + " feature columns " + rows.featureNames() + ", but "
          + model + " takes " + metadata.spec().input() + " inputs");
    }
    return rows;
  }

  /**
   * {@return the model's {@code prediction} output for every row, {@code [rows, outputs]}: logits,
   * probabilities or values, as the spec's last layer gives them}
   *
   * @param rows data with the model's input columns, prepared by {@link #prepare} first
   * @throws IllegalArgumentException naming a missing input column, or a column count that does not fit
   */
  public FloatTensor predict(Dataset rows) {
    return Evaluator.of(program).predict(prepare(rows));
  }

  @Override
  public void close() {
    program.close();
  }

  static String name(Path file) {
    Path n = file.getFileName();
    return n == null ? file.toString() : n.toString();
  }
}
