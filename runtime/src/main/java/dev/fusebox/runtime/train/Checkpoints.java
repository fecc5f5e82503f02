package dev.fusebox.runtime.train;

import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes a program's state after an epoch: {@code epoch-<n>.safetensors} with the trainable parameters
 * alone, so the file loads into an inference program as is, and {@code epoch-<n>.optimizer.safetensors}
 * beside it with every other state tensor (momentum, moment estimates, step counts), which together
 * with the parameters resumes training. The best epoch so far is also written as {@code best.*}.
 *
 * <p>Every file is replaced atomically, so a crash mid-write never leaves a truncated checkpoint, and
 * carries the epoch and step in its metadata.
 */
final class Checkpoints {
  static final String BEST = "best";

  private final Path dir;
  private final Program program;
  private final Set<String> parameters;

  private Checkpoints(Path dir, Program program) {
    this.dir = dir;
    this.program = program;
    this.parameters = new LinkedHashSet<>(program.parameterNames());
  }

  /** Checkpoints into {@code dir}, which is created if missing. */
  static Checkpoints in(Path dir, Program program) throws IOException {
    Files.createDirectories(dir);
    return new Checkpoints(dir, program);
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
  void save(int epoch, long step, boolean best) throws IOException {
    NamedTensors state = program.state();
    for (String name : parameters) {
      if (!state.contains(name)) {
        throw new IllegalStateException("parameter '" + name + "' is missing from the program's state, which has "
            + state.names());
      }
    }
    NamedTensors weights = state.filter(parameters::contains);
    NamedTensors optimizer = state.filter(name -> !parameters.contains(name));
    // Ordered, so the same state always gives the same bytes.
    Map<String, String> metadata = new TreeMap<>(Map.of("epoch", Integer.toString(epoch), "step", Long.toString(step)));
    write(epochStem(epoch), weights, optimizer, metadata);
    if (best) write(BEST, weights, optimizer, metadata);
  }

  private void write(String stem, NamedTensors weights, NamedTensors optimizer, Map<String, String> metadata)
      throws IOException {
    SafeTensors.write(parameterFile(dir, stem), weights, metadata);
    SafeTensors.write(optimizerFile(dir, stem), optimizer, metadata);
  }
}
