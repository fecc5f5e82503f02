package dev.fusebox.cli;

import dev.fusebox.model.ModelMetadata;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.model.SpecException;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.io.ModelFiles;
import dev.fusebox.runtime.io.SafeTensorsFile;
import dev.fusebox.runtime.train.TrainingState;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * A model's files as the commands use them: {@code NAME.safetensors} with the trainable parameters
 * (PyTorch's names and shapes) and the model's description, and beside it
 * {@code NAME.optimizer.safetensors} with the optimizer's state and the training position, written and
 * read as one unit ({@link ModelFiles}). The same pair as the trainer's checkpoints.
 */
final class ParameterFiles {
  private ParameterFiles() {}

  static Path optimizerFile(Path parameters) {
    return ModelFiles.optimizerFile(parameters);
  }

  /**
   * What {@code --init} names, read and checked before any data is read: the parameters, the optimizer
   * state if the pair has one, what the model says about itself and where its training stopped.
   */
  record Init(Path file, ModelFiles.Pair pair, Optional<ModelMetadata> metadata, Optional<TrainingState> state) {

    /**
     * Reads the pair and checks that the spec describes the same parameters as the model's own spec
     * (inputs, widths, activations); other settings, such as the optimizer's rate, may change.
     */
    static Init read(Path file, ModelSpec spec) throws IOException {
      Models.requireFile(file);
      ModelFiles.Pair pair = ModelFiles.read(file);
      Optional<ModelMetadata> metadata = ModelMetadata.fromMetadata(file, pair.parameters().metadata());
      if (metadata.isPresent()) {
        try {
          spec.requireAgreement(spec.parameterDifferences(metadata.get().spec()), Models.name(file));
        } catch (SpecException e) {
          throw new UserError(e.getMessage() + "; --init continues a model with the spec it was trained with");
        }
      }
      Optional<TrainingState> state = Optional.empty();
      if (pair.optimizerState().isPresent()) {
        try {
          state = TrainingState.fromMetadata(pair.optimizerState().get().metadata());
        } catch (IllegalArgumentException e) {
          throw new UserError(Models.name(pair.optimizerFile()) + ": " + e.getMessage(), e);
        }
      }
      return new Init(file, pair, metadata, state);
    }

    /** The input columns the model records, or none. */
    List<String> columns() {
      return metadata.map(ModelMetadata::inputColumns).orElse(List.of());
    }

    /**
     * Loads the parameters and, if the pair has it, the optimizer state into the program; returns the
     * line that says what training starts from.
     */
    String load(Program program, String optimizer) {
      loadParameters(program, file, pair.parameters().tensors());
      if (pair.optimizerState().isEmpty()) return "starting from the parameters in " + file + " with a fresh optimizer state";
      loadOptimizerState(program, pair.optimizerFile(), pair.optimizerState().get(), optimizer);
      String where = state.map(s -> s.midEpoch()
          ? " in epoch " + (s.epochsDone() + 1) + " after batch " + s.batchesDone() + " (step " + s.step() + ")"
          : " after epoch " + s.epochsDone() + " (step " + s.step() + ")").orElse("");
      return "resuming from " + file + " and its optimizer state " + pair.optimizerFile() + where;
    }
  }

  /**
   * Loads a parameter file into the program, after checking its data against the SHA-256 it records
   * (if it records one); see {@link #loadParameters(Program, Path, NamedTensors)}.
   */
  static void loadParameters(Program program, Path file) throws IOException {
    Models.requireFile(file);
    loadParameters(program, file, ModelFiles.readParameters(file).tensors());
  }

  /**
   * Loads parameters into the program. The file must hold exactly the model's parameters with their
   * shapes; on any error the program is left as it was and the error names the file and tensor.
   */
  static void loadParameters(Program program, Path file, NamedTensors tensors) {
    List<String> parameters = program.parameterNames();
    for (String name : tensors.names()) {
      if (!parameters.contains(name)) {
        throw new UserError(Models.name(file) + ": tensor '" + name + "' is not a parameter of this model; its parameters are "
            + describe(program, parameters));
      }
    }
    for (String name : parameters) {
      if (!tensors.contains(name)) {
        throw new UserError(Models.name(file) + ": has no tensor '" + name + "' " + Arrays.toString(program.shape(name))
            + "; the model's parameters are " + describe(program, parameters));
      }
      checkShape(file, name, tensors.get(name).shape(), program.shape(name));
    }
    load(program, file, tensors);
  }

  /**
   * Loads an optimizer state file: it must hold every state tensor of the program's optimizer and
   * nothing else, so that training resumes exactly where it stopped.
   */
  static void loadOptimizerState(Program program, Path file, SafeTensorsFile contents, String optimizer) {
    NamedTensors tensors = contents.tensors();
    Set<String> state = optimizerState(program);
    for (String name : tensors.names()) {
      if (!state.contains(name)) {
        throw new UserError(Models.name(file) + ": tensor '" + name + "' is not state of this model's optimizer ("
            + optimizer + "); was the file written for another optimizer or model?");
      }
    }
    for (String name : state) {
      if (!tensors.contains(name)) {
        throw new UserError(Models.name(file) + ": has no tensor '" + name + "'; was the file written for another optimizer "
            + "than " + optimizer + "?");
      }
      checkShape(file, name, tensors.get(name).shape(), program.shape(name));
    }
    load(program, file, tensors);
  }

  /**
   * Before any work, for an output written whole and renamed into place (predictions, an ONNX file):
   * creates the directory it goes in, and rejects a directory, a device or pipe, or a directory that
   * cannot be written (read-only, no permission, full), naming the file and the reason.
   */
  static void prepareOutput(Path file) throws IOException {
    if (Files.isDirectory(file)) throw new UserError(file + ": is a directory; give a file name");
    if (Files.exists(file) && !Files.isRegularFile(file)) {
      throw new UserError(file + ": is not a regular file (a device, pipe or socket); give a file name");
    }
    Path dir = file.toAbsolutePath().getParent();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new FileSystemException(file.toString(), null, "cannot create its directory " + dir + ": " + Errors.reason(e));
    }
    // Creating a file shows what permissions alone do not: a read-only file system, or no write access even for root.
    Path probe = dir.resolve(".fusebox-probe-" + Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE));
    try {
      Files.newByteChannel(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
    } catch (IOException e) {
      throw new FileSystemException(file.toString(), null, "cannot write into " + dir + ": " + Errors.reason(e));
    }
    Files.deleteIfExists(probe);
  }

  /**
   * Before any work: the output pair can be written (names, directory, space), sized by the program's
   * state and the metadata it will carry.
   */
  static void checkOutput(Path out, Program program, Map<String, String> metadata) throws IOException {
    NamedTensors all = program.state();
    Set<String> parameters = new LinkedHashSet<>(program.parameterNames());
    ModelFiles.checkWritable(out, all.filter(parameters::contains), all.filter(n -> !parameters.contains(n)), metadata);
  }

  private static void load(Program program, Path file, NamedTensors tensors) {
    try {
      program.load(tensors);
    } catch (IllegalArgumentException e) {
      throw new UserError(Models.name(file) + ": " + e.getMessage(), e);
    }
  }

  private static void checkShape(Path file, String name, int[] shape, int[] expected) {
    if (!Arrays.equals(shape, expected)) {
      throw new UserError(Models.name(file) + ": tensor '" + name + "' has shape " + Arrays.toString(shape)
          + ", but the model's is " + Arrays.toString(expected));
    }
  }

  private static Set<String> optimizerState(Program program) {
    Set<String> state = new LinkedHashSet<>(program.state().names());
    state.removeAll(program.parameterNames());
    return state;
  }

  private static String describe(Program program, List<String> names) {
    return names.stream().map(n -> n + " " + Arrays.toString(program.shape(n))).collect(Collectors.joining(", "));
  }
}
