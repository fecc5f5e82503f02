package dev.fusebox.cli;

import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.train.Evaluator;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code fusebox predict}: runs a trained model forward over a CSV file in batches and writes one CSV
 * row of predictions per input row. With {@code --label}, the label column is left out of the features
 * and the model is scored against it.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
    description = {"Predict with a trained model: one CSV row for each row of --data.", "Columns:",
        "  class,p0,..,p{k-1}  for softmax_cross_entropy (p: softmax probabilities)",
        "  probability,class   for binary_cross_entropy",
        "  y0,..               for regression (the model's outputs)", ""})
final class PredictCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(index = "0", paramLabel = "SPEC.json", description = "The model's spec, as it was trained.")
  Path spec;

  @Option(names = "--model", required = true, paramLabel = "FILE.safetensors",
      description = "The trained parameters, as fusebox train saves them.")
  Path model;

  @Option(names = "--data", required = true, paramLabel = "FILE.csv",
      description = {"Rows to predict: CSV with a header line. Every", "column is a feature unless --label names it."})
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
    ModelSpec modelSpec = Models.readSpec(spec, null);
    Dataset rows = label == null ? Models.readFeatures(data, modelSpec) : Models.readLabelled(data, label, modelSpec);
    Program program = target.program(Models.compile(modelSpec), main.err);
    ParameterFiles.loadParameters(program, model);
    FloatTensor prediction = Evaluator.of(program).predict(rows);

    // With the predictions on standard output, everything else goes to standard error.
    PrintStream messages = out == null ? main.err : main.out;
    if (out == null) {
      Writer w = new OutputStreamWriter(main.out, StandardCharsets.UTF_8);
      PredictionCsv.write(modelSpec, prediction, w);
    } else {
      PredictionCsv.writeAtomically(out, modelSpec, prediction);
      messages.println("wrote " + out + ": " + rows.rows() + " predictions");
    }
    if (label != null) messages.println(Scores.of(modelSpec, program, rows, "") + "  (" + rows.rows() + " rows)");
    return Errors.OK;
  }
}
