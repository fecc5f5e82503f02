package dev.fusebox.cli;

import dev.fusebox.Compiler.Compilation;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.train.NonFiniteLoss;
import dev.fusebox.runtime.train.Trainer;
import dev.fusebox.runtime.train.TrainingResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
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
        "[out, in] and layers.{i}.bias [out]. The optimizer state is saved beside",
        "them, in NAME.optimizer.safetensors, so that --init can resume training.", ""},
    footerHeading = "%nExit codes:%n",
    footer = {"  0  trained and saved", "  1  usage or input error", "  2  a loss became NaN or infinite (nothing saved)",
        "  3  internal error"})
final class TrainCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec command;

  @Parameters(index = "0", paramLabel = "SPEC.json", description = "The model's spec (JSON).")
  Path spec;

  @Option(names = "--data", required = true, paramLabel = "FILE.csv",
      description = {"Training data: CSV with a header line.", "Files ending in .gz are decompressed."})
  Path data;

  @Option(names = "--label", required = true, paramLabel = "COLUMN",
      description = {"The column with the class labels 0..k-1", "(softmax_cross_entropy) or the target (other losses);",
          "every other column is a feature."})
  String label;

  @Option(names = "--valid", paramLabel = "FILE.csv", description = "Validation data, scored after every epoch.")
  Path valid;

  @Option(names = "--init", paramLabel = "FILE.safetensors",
      description = {"Start from these parameters, not from the spec's", "initialiser. With FILE.optimizer.safetensors beside",
          "it, also resume the optimizer state from that."})
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

  @Mixin TargetOptions target;

  @Option(names = "--seed", paramLabel = "N",
      description = {"Seed for initialisation, dropout and shuffling,", "instead of the spec's."})
  Long seed;

  @Override
  public Integer call() throws IOException {
    checkOptions();
    PrintStream stdout = main.out;
    ModelSpec model = Models.readSpec(spec, seed);
    Dataset train = Models.readLabelled(data, label, model);
    Dataset validation = valid == null ? null : Models.readLabelled(valid, label, model);
    Compilation compilation = Models.compile(model);
    Program program = target.program(compilation, main.err);
    String start = init == null ? null : loadInit(program, model);
    ParameterFiles.prepareOutput(out);
    Trainer trainer = trainer(program, model, train, validation);

    // Only now that every input has been checked does anything go to standard output.
    stdout.println(header(model, train));
    if (start != null) stdout.println(start);
    TrainingResult result = trainer.fit();
    if (result.nonFinite().isPresent()) {
      NonFiniteLoss nonFinite = result.nonFinite().get();
      main.err.println(Errors.PREFIX + "training stopped: " + Errors.oneLine(nonFinite.message()) + "; nothing was written to "
          + out);
      return Errors.NON_FINITE_LOSS;
    }
    Map<String, String> metadata = new TreeMap<>(Map.of("spec", Models.name(spec), "fusebox_version", Main.version()));
    ParameterFiles.save(program, out, metadata);

    StringBuilder done = new StringBuilder(String.format(Locale.ROOT, "done: %d steps in %.1f s  loss %s", result.steps(),
        result.elapsed().toNanos() / 1e9, Scores.fixed(result.last().orElseThrow().trainLoss())));
    if (validation != null) done.append("  ").append(Scores.of(model, program, validation, "valid_"));
    stdout.println(done);
    stdout.println("wrote " + out + " (parameters) and " + ParameterFiles.optimizerFile(out) + " (optimizer state)");
    return Errors.OK;
  }

  private void checkOptions() {
    if (epochs != null && steps != null) {
      throw new ParameterException(command.commandLine(), "--epochs and --steps cannot be used together: give a number "
          + "of passes over the data or a number of optimizer steps");
    }
    positive("--epochs", epochs);
    positive("--steps", steps);
    target.check();
  }

  private void positive(String option, Number value) {
    if (value != null && value.longValue() < 1) {
      throw new ParameterException(command.commandLine(), option + " must be at least 1, not " + value);
    }
  }

  /** Loads the parameters and, when the companion file exists, the optimizer state; returns a line saying which. */
  private String loadInit(Program program, ModelSpec model) throws IOException {
    ParameterFiles.loadParameters(program, init);
    Path optimizerState = ParameterFiles.optimizerFile(init);
    if (!Files.isRegularFile(optimizerState)) return "starting from the parameters in " + init + " with a fresh optimizer state";
    ParameterFiles.loadOptimizerState(program, optimizerState, model.optimizer().name());
    return "resuming from " + init + " and its optimizer state " + optimizerState;
  }

  private Trainer trainer(Program program, ModelSpec model, Dataset train, Dataset validation) {
    Trainer.Builder b = Trainer.builder(program, train).batchSize(model.batch()).seed(model.seed()).shuffle(!noShuffle)
        .schedule(model.schedule()).output(main.out);
    if (steps != null) b.steps(steps);
    else b.epochs(epochs != null ? epochs : model.epochs());
    if (validation != null) b.validation(validation);
    if (log != null) b.log(log);
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
        + train.rows() + " rows, batch " + model.batch() + ", " + length + (noShuffle ? " in file order" : "");
  }
}
