package dev.fusebox.cli;

import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A model's files: {@code NAME.safetensors} with the trainable parameters alone (PyTorch's names and
 * shapes, {@code layers.{i}.weight [out, in]} and {@code layers.{i}.bias [out]}), and beside it
 * {@code NAME.optimizer.safetensors} with the optimizer's state (moments, momentum buffers, the step
 * count), which together with the parameters resumes training exactly. The same split as the trainer's
 * checkpoints.
 */
final class ParameterFiles {
  private static final String SUFFIX = ".safetensors";
  private static final String OPTIMIZER_SUFFIX = ".optimizer.safetensors";

  private ParameterFiles() {}

  /** {@code dir/m.optimizer.safetensors} for {@code dir/m.safetensors} (any other name gets the suffix appended). */
  static Path optimizerFile(Path parameters) {
    String name = Models.name(parameters);
    String stem = name.endsWith(SUFFIX) ? name.substring(0, name.length() - SUFFIX.length()) : name;
    return parameters.resolveSibling(stem + OPTIMIZER_SUFFIX);
  }

  /**
   * Loads a parameter file into the program. The file must hold exactly the model's parameters with
   * their shapes; on any error the program is left as it was and the error names the file and tensor.
   */
  static void loadParameters(Program program, Path file) throws IOException {
    Models.requireFile(file);
    NamedTensors tensors = SafeTensors.read(file).tensors();
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
  static void loadOptimizerState(Program program, Path file, String optimizer) throws IOException {
    NamedTensors tensors = SafeTensors.read(file).tensors();
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
   * Writes the parameters to {@code file} and the optimizer state beside it, each replaced atomically,
   * with the metadata in both.
   */
  static void save(Program program, Path file, Map<String, String> metadata) throws IOException {
    NamedTensors all = program.state();
    Set<String> parameters = new LinkedHashSet<>(program.parameterNames());
    SafeTensors.write(file, all.filter(parameters::contains), metadata);
    SafeTensors.write(optimizerFile(file), all.filter(name -> !parameters.contains(name)), metadata);
  }

  /** Before any work: creates the directory an output goes in, and rejects an output that cannot be written. */
  static void prepareOutput(Path file) throws IOException {
    if (Files.isDirectory(file)) throw new UserError(file + ": is a directory; give a file name");
    Path parent = file.toAbsolutePath().getParent();
    if (parent == null) return;
    Files.createDirectories(parent);
    if (!Files.isWritable(parent)) throw new UserError(file + ": cannot write into " + parent + " (permission denied)");
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
