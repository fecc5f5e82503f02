package dev.fusebox.spark;

import dev.fusebox.model.SavedModel;
import dev.fusebox.runtime.io.ModelFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One configuration of a sweep, trained: its scores and its model files.
 *
 * @param config the configuration
 * @param steps optimizer steps taken
 * @param epochs epochs completed
 * @param bestEpoch the epoch with the lowest validation loss (training loss without validation data)
 * @param trainLoss the last epoch's mean training loss
 * @param validation the trained model's scores on the validation data, if there was any: loss, then
 *     accuracy for class labels or MAE and RMSE for targets
 * @param seconds wall time of the task, compiling included
 * @param executor the Spark executor that trained it
 * @param failure why training stopped, for a loss that became NaN or infinite (then there is no model)
 */
public record Trial(SweepConfig config, long steps, int epochs, int bestEpoch, double trainLoss, Optional<Scores> validation,
    double seconds, String executor, Optional<String> failure, byte[] parameters, byte[] optimizerState) {

  /** Validation scores; accuracy for class labels, MAE and RMSE for targets. */
  public record Scores(double loss, OptionalDouble accuracy, OptionalDouble mae, OptionalDouble rmse) {}

  static Trial of(SweepConfig config, SweepTask.Outcome o) {
    Optional<Scores> scores = Double.isNaN(o.validLoss()) ? Optional.empty() : Optional.of(new Scores(o.validLoss(),
        optional(o.validAccuracy()), optional(o.validMae()), optional(o.validRmse())));
    return new Trial(config, o.steps(), o.epochs(), o.bestEpoch(), o.trainLoss(), scores, o.seconds(), o.executor(),
        Optional.ofNullable(o.failure()), o.parameters(), o.optimizerState());
  }

  private static OptionalDouble optional(double v) {
    return Double.isNaN(v) ? OptionalDouble.empty() : OptionalDouble.of(v);
  }

  /** The name of the configuration. */
  public String name() {
    return config.name();
  }

  /** Whether the trial trained to the end with finite losses, and so has a model. */
  public boolean succeeded() {
    return failure.isEmpty();
  }

  /**
   * Writes the trained model as {@code fusebox train} would have: {@code file} with the parameters and
   * its description, and {@code NAME.optimizer.safetensors} beside it to resume from; the files are
   * byte for byte the ones {@code fusebox train NAME.json} writes. Each goes to a temporary first and is
   * renamed (the parameters last, so a reader never sees new parameters with old optimizer state).
   */
  public void save(Path file) throws IOException {
    if (!succeeded()) throw new IllegalStateException("trial " + name() + " has no model: " + failure.get());
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path optimizer = ModelFiles.optimizerFile(file);
    Path p = Files.createTempFile(dir, "." + name(), ".tmp");
    Path o = Files.createTempFile(dir, "." + name(), ".tmp");
    try {
      Files.write(p, parameters);
      Files.write(o, optimizerState);
      Files.move(o, optimizer, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      Files.move(p, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(p);
      Files.deleteIfExists(o);
    }
  }

  /** The trained model, loaded for inference on this JVM (through a file, as fusebox predict would load it). */
  public SavedModel load(Path file) throws IOException {
    save(file);
    return SavedModel.load(file);
  }
}
