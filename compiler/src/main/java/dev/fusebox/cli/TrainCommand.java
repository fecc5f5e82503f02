package dev.fusebox.cli;

import dev.fusebox.model.ModelMetadata;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.model.SavedModel;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.data.Standardizer;
import dev.fusebox.runtime.train.NonFiniteLoss;
import dev.fusebox.runtime.train.Trainer;
import dev.fusebox.runtime.train.TrainingResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code fusebox train}: compiles a spec's training graph, trains it on a CSV file and writes the
 * parameters and the optimizer state. Nothing is written unless training completes with finite losses.
 */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
    description = {"Train the model SPEC.json describes on a CSV file and save its parameters.",
        "Parameters are saved with PyTorch's names and shapes: layers.{i}.weight",
        "[out, in] and layers.{i}.bias [out], and the file records the spec, the",
        "input columns and any standardisation. The optimizer state and the",
        "training position are saved beside them, in NAME.optimizer.safetensors,",
        "so that --init can resume training; the two are replaced as one unit.", ""},
    footerHeading = "%nExit codes:%n",
    footer = {"  0  trained and saved", "  1  usage or input error", "  2  a loss became NaN or infinite (nothing saved)",
        "  3  internal error"})
final class TrainCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec command;

  @Parameters(index = "0", paramLabel = "SPEC.json", description = "The model's spec (JSON).")
  Path spec;

  @Option(names = "--data", required = true, paramLabel = "FILE.csv",
      description = {"Training data: CSV with a header line; - reads", "standard input. Gzip data is decompressed; named",
          "pipes and <(process substitution) work."})
  Path data;

  @Option(names = "--label", required = true, paramLabel = "COLUMN",
      description = {"The column with the class labels 0..k-1", "(softmax_cross_entropy) or the target (other losses);",
          "every other column is a feature."})
  String label;

  @Option(names = "--valid", paramLabel = "FILE.csv", description = "Validation data, scored after every epoch.")
  Path valid;

  @Option(names = "--init", paramLabel = "FILE.safetensors",
      description = {"Start from these parameters, not from the spec's", "initialiser. With FILE.optimizer.safetensors beside",
          "it, resume exactly where that training stopped:", "optimizer state, epoch, batch, schedule, shuffling;",
          "--epochs and --steps then count from there."})
  Path init;

  @Option(names = "--out", paramLabel = "FILE.safetensors", defaultValue = "model.safetensors",
      description = {"Where to write the parameters.", "Default: ${DEFAULT-VALUE} in the current directory."})
  Path out;

  @Option(names = "--epochs", paramLabel = "N", description = "Passes over the data (default: the spec's epochs).")
  Integer epochs;

  @Option(names = "--steps", paramLabel = "N",
      description = {"Train for exactly N optimizer steps instead,", "wrapping around the data."})
  Long steps;

  @Option(names = "--no-shuffle",
      description = {"Take batches in file order, not in a new seeded", "order every epoch."})
  boolean noShuffle;

  @Option(names = "--log", paramLabel = "FILE.csv", description = "Write epoch,step,loss,ms for every optimizer step.")
  Path log;

  @Option(names = "--standardize",
      description = {"Standardise every feature by the training data's mean", "and standard deviation; the model file records",
          "them, and predict applies them."})
  boolean standardize;

  @Mixin TargetOptions target;

  @Option(names = "--micro-batch", paramLabel = "M",
      description = {"Compute each batch's gradient as micro-batches of M", "rows (the last may have fewer), summed in an order",
          "fixed by their index: the weights depend on M, never", "on --workers."})
  Integer microBatch;

  @Option(names = "--workers", paramLabel = "N", defaultValue = "1",
      description = {"Threads that compute the micro-batches' gradients", "(default: ${DEFAULT-VALUE}; needs --micro-batch). The same",
          "weights to the bit for every N."})
  int workers;

  @Option(names = "--seed", paramLabel = "N",
      description = {"Seed for initialisation, dropout and shuffling,", "instead of the spec's."})
  Long seed;

  @Override
  public Integer call() throws IOException {
    checkOptions();
    ModelSpec model = Models.readSpec(spec, seed);
    ParameterFiles.Init start = init == null ? null : ParameterFiles.Init.read(init, model);
    List<String> columns = start == null ? List.of() : start.columns();
    Dataset train = Models.inputs(data, Models.readLabelled(data, label, model, main.in), columns, model,
        init == null ? "" : "one of the inputs of " + Models.name(init) + ":", label);
    columns = train.featureNames();
    Dataset validation = null;
    if (valid != null) {
      validation = Models.inputs(valid, Models.readLabelled(valid, label, model, main.in), columns, model,
          "one of the feature columns of " + Models.name(data) + ":", label);
    }
    Optional<Standardizer> standardizer = standardizer(start, train);
    if (standardizer.isPresent()) {
      train = standardizer.get().apply(train);
      if (validation != null) validation = standardizer.get().apply(validation);
    }
    ModelMetadata metadata = ModelMetadata.of(model, columns, Optional.of(label), standardizer);
    Program program = program(model);
    try {
      return train(model, program, train, validation, start, metadata);
    } finally {
      program.close(); // stops the threads of --threads and --workers
    }
  }

  private int train(ModelSpec model, Program program, Dataset train, Dataset validation, ParameterFiles.Init start,
      ModelMetadata metadata) throws IOException {
    PrintStream stdout = main.out;
    String resuming = start == null ? null : start.load(program, model.optimizer().name());
    ParameterFiles.checkOutput(out, program, metadata.toMetadata());
    Trainer trainer = trainer(program, model, train, validation, start);

    // Only now that every input has been checked does anything go to standard output.
    stdout.println(header(model, train));
    if (resuming != null) stdout.println(resuming);
    TrainingResult result = trainer.fit();
    if (result.nonFinite().isPresent()) {
      NonFiniteLoss nonFinite = result.nonFinite().get();
      main.err.println(Errors.PREFIX + "training stopped: " + Errors.oneLine(nonFinite.message()) + "; nothing was written to "
          + out);
      return Errors.NON_FINITE_LOSS;
    }
    SavedModel.save(out, program, metadata, result.state());

    StringBuilder done = new StringBuilder(String.format(Locale.ROOT, "done: %d steps in %.1f s  loss %s", result.steps(),
        result.elapsed().toNanos() / 1e9, Scores.fixed(result.last().orElseThrow().trainLoss())));
    if (validation != null) done.append("  ").append(Scores.of(model, program, validation, "valid_"));
    stdout.println(done);
    stdout.println("wrote " + out + " (parameters) and " + ParameterFiles.optimizerFile(out) + " (optimizer state)");
    return Errors.OK;
  }

  /**
   * The program to train: the fused step, or with {@code --micro-batch} the data-parallel one, its
   * micro-batches' gradients computed on {@code --workers} threads.
   */
  private Program program(ModelSpec model) {
    if (microBatch == null) return target.program(Models.compile(model), main.err);
    if (microBatch > model.batch()) {
      throw new ParameterException(command.commandLine(), "--micro-batch " + microBatch + " is larger than the batch of "
          + model.batch() + " rows in " + Models.name(spec) + "; give at most " + model.batch());
    }
    target.check();
    target.noteUnusedThreads(main.err);
    int perBatch = (model.batch() + microBatch - 1) / microBatch;
    if (workers > perBatch) {
      main.err.println("fusebox: note: a batch of " + model.batch() + " rows is " + perBatch + " micro-batches of " + microBatch
          + "; --workers " + workers + " uses " + perBatch + " threads");
    }
    return Models.compileDataParallel(model, microBatch).program(target.target(), model.batch(), workers);
  }

  /**
   * The standardisation of the inputs: a model's own when continuing one (its parameters expect it),
   * else fitted on the training data if {@code --standardize} asks for it.
   */
  private Optional<Standardizer> standardizer(ParameterFiles.Init start, Dataset train) {
    Optional<Standardizer> saved = start == null ? Optional.empty() : start.metadata().flatMap(ModelMetadata::standardizer);
    if (start != null && start.metadata().isPresent()) {
      if (standardize && saved.isEmpty()) {
        throw new UserError("--standardize: " + Models.name(init) + " was trained on features as they are; continue it without "
            + "--standardize, or train a new model");
      }
      return saved;
    }
    return standardize ? Optional.of(Standardizer.fit(train)) : Optional.empty();
  }

  private void checkOptions() {
    if (Models.isStdin(data) && valid != null && Models.isStdin(valid)) {
      throw new ParameterException(command.commandLine(), "--data and --valid cannot both be standard input ('-')");
    }
    if (epochs != null && steps != null) {
      throw new ParameterException(command.commandLine(), "--epochs and --steps cannot be used together: give a number "
          + "of passes over the data or a number of optimizer steps");
    }
    positive("--epochs", epochs);
    positive("--steps", steps);
    positive("--micro-batch", microBatch);
    positive("--workers", workers);
    if (workers > 1 && microBatch == null) {
      throw new ParameterException(command.commandLine(), "--workers " + workers + " needs --micro-batch M: the micro-batch "
          + "size, not the number of workers, fixes the results (e.g. --micro-batch 8 for 4 workers on batches of 32)");
    }
    if (out.toString().isEmpty()) throw new ParameterException(command.commandLine(), "--out is empty; give a file name");
    if (log != null) checkLog();
    target.check();
  }

  /** The step log is written as training goes: it must not be, or overwrite, one of the outputs. */
  private void checkLog() {
    Path file = log.toAbsolutePath().normalize();
    for (Path output : List.of(out, ParameterFiles.optimizerFile(out))) {
      if (file.equals(output.toAbsolutePath().normalize())) {
        throw new ParameterException(command.commandLine(), "--log " + log + " is also where the model goes; give the log "
            + "another name");
      }
    }
    if (Files.isDirectory(log)) throw new UserError(log + ": is a directory; give --log a file name");
  }

  private void positive(String option, Number value) {
    if (value != null && value.longValue() < 1) {
      throw new ParameterException(command.commandLine(), option + " must be at least 1, not " + value);
    }
  }

  private Trainer trainer(Program program, ModelSpec model, Dataset train, Dataset validation, ParameterFiles.Init start) {
    Trainer.Builder b = Trainer.builder(program, train).batchSize(model.batch()).seed(model.seed()).shuffle(!noShuffle)
        .schedule(model.schedule()).output(main.out);
    if (steps != null) b.steps(steps);
    else b.epochs(epochs != null ? epochs : model.epochs());
    if (validation != null) b.validation(validation);
    if (log != null) b.log(log);
    if (start != null && start.state().isPresent()) {
      b.resume(start.state().get());
      try {
        return b.build();
      } catch (IllegalArgumentException e) {
        // A position inside an epoch that this data, batch size or seed would not continue exactly.
        throw new UserError(Models.name(start.pair().optimizerFile()) + ": " + e.getMessage() + "; resume with the data, batch "
            + "size and seed it was trained with", e);
      }
    }
    try {
      return b.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new UserError(e.getMessage(), e); // data that does not fit the model's inputs
    }
  }

  /** {@code train iris.json (4-16-3, adam) on iris.csv: 150 rows, batch 16, 60 epochs}. */
  private String header(ModelSpec model, Dataset train) {
    String widths = model.input() + "-" + model.layers().stream().map(l -> Integer.toString(l.units()))
        .collect(Collectors.joining("-"));
    String length = steps != null ? steps + " steps" : (epochs != null ? epochs : model.epochs()) + " epochs";
    return "train " + Models.name(spec) + " (" + widths + ", " + model.optimizer().name() + ") on " + Models.name(data) + ": "
        + train.rows() + " rows, batch " + model.batch() + parallel(model) + ", " + length + (noShuffle ? " in file order" : "");
  }

  /** {@code  in micro-batches of 4 on 2 workers}, or nothing without {@code --micro-batch}. */
  private String parallel(ModelSpec model) {
    if (microBatch == null) return "";
    int threads = Math.min(workers, (model.batch() + microBatch - 1) / microBatch);
    return " in micro-batches of " + microBatch + " on " + threads + (threads == 1 ? " worker" : " workers");
  }
}
