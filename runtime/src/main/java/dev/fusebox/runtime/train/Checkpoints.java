package dev.fusebox.runtime.train;

import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.io.ModelFiles;
import dev.fusebox.runtime.io.ParameterFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A trainer's checkpoints: after an epoch, {@code epoch-<n>.safetensors} with the trainable parameters
 * alone, so the file loads into an inference program as is, and {@code epoch-<n>.optimizer.safetensors}
 * beside it with every other state tensor (momentum, moment estimates, step counts) and the
 * {@link TrainingState} in its metadata, which together resume training exactly. The best epoch so far
 * is also written as {@code best.*}.
 *
 * <p>Each pair is written as one unit ({@link ModelFiles}): a crash or a full disk mid-write leaves the
 * pair that was there, and both files carry the epoch and step in their metadata.
 */
public final class Checkpoints {
  static final String BEST = "best";

  private final Path dir;
  private final Program program;
  private final Set<String> parameters;
  private final Map<String, String> metadata;

  private Checkpoints(Path dir, Program program, Map<String, String> metadata) {
    this.dir = dir;
    this.program = program;
    this.parameters = new LinkedHashSet<>(program.parameterNames());
    this.metadata = metadata;
  }

  /** Checkpoints into {@code dir}, which is created if missing, each file carrying {@code metadata} too. */
  static Checkpoints in(Path dir, Program program, Map<String, String> metadata) throws IOException {
    Files.createDirectories(dir);
    return new Checkpoints(dir, program, metadata);
  }

  /**
   * Loads a checkpoint (or any model pair with a training state, such as {@code fusebox train} writes)
   * into the program, parameters and optimizer state, and returns the state to hand to
   * {@link Trainer.Builder#resume}.
   *
   * @param parameterFile the checkpoint's parameter file, {@code epoch-3.safetensors} or {@code best.safetensors}
   * @param program a training program of the graph the checkpoint was written from
   * @return where the checkpointed run stopped
   * @throws IOException if a file cannot be read
   * @throws ParameterFileException naming the file: no optimizer state beside it, a pair that does not
   *     belong together, corrupt data, or no training state
   * @throws IllegalArgumentException if a tensor does not fit the program (its message names the tensor)
   */
  public static TrainingState restore(Path parameterFile, Program program) throws IOException {
    ModelFiles.Pair pair = ModelFiles.read(parameterFile);
    if (pair.optimizerState().isEmpty()) {
      throw new ParameterFileException(pair.optimizerFile(), "does not exist; resuming needs the optimizer state beside "
          + parameterFile.getFileName());
    }
    Map<String, String> saved = pair.optimizerState().get().metadata();
    TrainingState state;
    try {
      state = TrainingState.fromMetadata(saved).orElseThrow(() -> new IllegalArgumentException("it records no training "
          + "position (no training_* metadata)"));
    } catch (IllegalArgumentException e) {
      throw new ParameterFileException(pair.optimizerFile(), e.getMessage() + "; it cannot be resumed from", e);
    }
    NamedTensors all = pair.parameters().tensors().copy();
    pair.optimizerState().get().tensors().asMap().forEach(all::put);
    program.load(all); // checks every name and shape before copying anything
    return state;
  }

  static Path parameterFile(Path dir, String stem) {
    return dir.resolve(stem + ".safetensors");
  }

  static Path optimizerFile(Path dir, String stem) {
    return dir.resolve(stem + ".optimizer.safetensors");
  }

  static String epochStem(int epoch) {
    return "epoch-" + epoch;
  }

  /** Writes epoch {@code epoch}'s files and, if it is the best so far, the {@code best} files too. */
  void save(int epoch, long step, boolean best, TrainingState state) throws IOException {
    NamedTensors tensors = program.state();
    for (String name : parameters) {
      if (!tensors.contains(name)) {
        throw new IllegalStateException("parameter '" + name + "' is missing from the program's state, which has "
            + tensors.names());
      }
    }
    NamedTensors weights = tensors.filter(parameters::contains);
    NamedTensors optimizer = tensors.filter(name -> !parameters.contains(name));
    Map<String, String> shared = new LinkedHashMap<>(metadata);
    shared.put("epoch", Integer.toString(epoch));
    shared.put("step", Long.toString(step));
    Map<String, String> position = state.toMetadata();
    ModelFiles.write(parameterFile(dir, epochStem(epoch)), weights, optimizer, shared, position);
    if (best) ModelFiles.write(parameterFile(dir, BEST), weights, optimizer, shared, position);
  }
}
