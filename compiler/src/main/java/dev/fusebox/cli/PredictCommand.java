package dev.fusebox.cli;

import dev.fusebox.ir.GraphException;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.model.Predictions;
import dev.fusebox.model.Predictor;
import dev.fusebox.model.SpecException;
import dev.fusebox.runtime.data.Dataset;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code fusebox predict}: runs a trained model forward over a CSV file in batches and writes one CSV
 * row of predictions per input row. The model file says what it is (spec, input columns,
 * standardisation); a spec given must agree with it. With {@code --label}, the model is scored against
 * that column.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
    description = {"Predict with a trained model: one CSV row for each row of --data.", "Columns:",
        "  class,p0,..,p{k-1}  for softmax_cross_entropy (p: softmax probabilities)",
        "  probability,class   for binary_cross_entropy",
        "  y0,..               for regression (the model's outputs)", ""})
final class PredictCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec command;

  @Parameters(index = "0", arity = "0..1", paramLabel = "SPEC.json",
      description = {"The model's spec. Optional: a model fusebox train", "saved holds its own, and a spec given must agree",
          "with it; needed for a parameter file from elsewhere."})
  Path spec;

  @Option(names = "--model", required = true, paramLabel = "FILE.safetensors",
      description = {"The trained model, as fusebox train saves it (or", "parameters alone, with SPEC.json)."})
  Path model;

  @Option(names = "--data", required = true, paramLabel = "FILE.csv",
      description = {"Rows to predict: CSV with a header line; - reads", "standard input. The model's input columns are",
          "taken by name; other columns are left out."})
  Path data;

  @Option(names = "--label", paramLabel = "COLUMN",
      description = {"A label column in --data: left out of the features,", "and the model is scored on it (loss, and accuracy",
          "or RMSE and MAE)."})
  String label;

  @Option(names = "--out", paramLabel = "FILE.csv",
      description = {"Where to write the predictions (replaced", "atomically). Default: standard output."})
  Path out;

  @Mixin TargetOptions target;

  @Override
  public Integer call() throws IOException {
    target.check();
    if (out != null && out.toString().isEmpty()) {
      throw new ParameterException(command.commandLine(), "--out is empty; give a file name, or leave --out out for standard output");
    }
    ModelSpec given = spec == null ? null : Models.readSpec(spec, null);
    Models.requireFile(model);
    try (Predictor predictor = load(given)) {
      ModelSpec modelSpec = predictor.spec();
      Dataset read = label == null ? Models.readFeatures(data, main.in) : Models.readLabelled(data, label, modelSpec, main.in);
      Dataset rows = Models.inputs(data, read, predictor.metadata().inputColumns(), modelSpec,
          "one of the inputs of " + Models.name(model) + ":", label);
      Predictions predictions;
      try {
        predictions = predictor.predict(rows);
      } catch (IllegalArgumentException e) {
        throw new UserError(Models.name(data) + ": " + e.getMessage(), e); // a value the model's standardisation makes infinite
      }

      // With the predictions on standard output, everything else goes to standard error.
      PrintStream messages = out == null ? main.err : main.out;
      if (out == null) {
        Writer w = new OutputStreamWriter(main.out, StandardCharsets.UTF_8);
        PredictionCsv.write(modelSpec, predictions, w);
      } else {
        PredictionCsv.writeAtomically(out, modelSpec, predictions);
        messages.println("wrote " + out + ": " + rows.rows() + " predictions");
      }
      if (label != null) {
        String scores = Scores.of(modelSpec, predictor.evaluate(rows), predictions::predictedClass, rows, "");
        messages.println(scores + "  (" + rows.rows() + " rows)");
      }
      return Errors.OK;
    }
  }

  /** The model, compiled for inference: described by its own file, or by the spec given, which must agree with it. */
  private Predictor load(ModelSpec given) throws IOException {
    target.noteUnusedThreads(main.err);
    // One call on this thread: one program.
    Predictor.Options options = Predictor.Options.defaults().withTarget(target.target()).withMaxPrograms(1);
    try {
      if (given == null) return Predictor.load(model, options.withCompileOptions(Models.options(null)));
      return Predictor.load(model, given, options.withCompileOptions(Models.options(given)));
    } catch (SpecException e) {
      throw new UserError(e.getMessage() + "; the model file holds its own spec, so SPEC.json can be left out", e);
    } catch (GraphException e) {
      throw new UserError(e.getMessage(), e);
    }
  }
}
