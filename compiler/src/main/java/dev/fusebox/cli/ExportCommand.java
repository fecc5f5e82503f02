package dev.fusebox.cli;

import dev.fusebox.Target;
import dev.fusebox.ir.Graph;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.onnx.OnnxExport;
import dev.fusebox.onnx.OnnxExportException;
import dev.fusebox.onnx.OnnxModel;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code fusebox export}: writes a trained model as an ONNX file, for ONNX Runtime (Python, C#, C++,
 * Java, the browser) and any other runtime that reads ONNX. The file holds the spec's network with the
 * trained parameters and the loss's head: probabilities and class for a classifier, values for
 * regression, on any number of rows.
 */
@Command(name = "export", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
    description = {"Export a trained model as an ONNX file, for ONNX Runtime and other runtimes.",
        "The model takes x [batch, features]; its outputs are",
        "  probabilities, class, prediction (the logits)  for softmax_cross_entropy",
        "  probability, class, prediction (the logit)     for binary_cross_entropy",
        "  prediction                                     for regression",
        "ONNX opset " + OnnxExport.OPSET + "; the spec is in the file's metadata as " + OnnxExport.SPEC_KEY + ".", ""})
final class ExportCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(index = "0", paramLabel = "SPEC.json", description = "The model's spec, as it was trained.")
  Path spec;

  @Option(names = "--model", required = true, paramLabel = "FILE.safetensors",
      description = "The trained parameters, as fusebox train saves them.")
  Path model;

  @Option(names = "--out", required = true, paramLabel = "FILE.onnx",
      description = "Where to write the ONNX model (replaced atomically).")
  Path out;

  /** What an export needs: the network, its trained parameters, and the spec's text for the metadata. */
  private record Source(String name, Graph forward, NamedTensors parameters, String specJson) {}

  @Override
  public Integer call() throws IOException {
    Source source = source();
    ParameterFiles.prepareOutput(out);
    OnnxModel onnx;
    try {
      onnx = OnnxExport.of(source.forward(), source.parameters()).withName(source.name()).withSpec(source.specJson()).write(out);
    } catch (OnnxExportException e) {
      throw new UserError(source.name() + ": " + e.getMessage(), e);
    }
    main.out.println("wrote " + out + ": " + onnx.summary());
    return Errors.OK;
  }

  /**
   * The spec (its network and text) and the parameters, checked against each other as {@code predict}
   * checks them. When model files carry their spec, the spec argument becomes optional: this is where
   * it would be read from the model file instead.
   */
  private Source source() throws IOException {
    ModelSpec modelSpec = Models.readSpec(spec, null);
    String json = Files.readString(spec, StandardCharsets.UTF_8);
    NamedTensors parameters;
    try (Program program = Models.compile(modelSpec).program(Target.interpreter())) {
      ParameterFiles.loadParameters(program, model);
      Set<String> names = new HashSet<>(program.parameterNames());
      parameters = program.state().filter(names::contains);
    }
    String name = Models.name(spec).replaceFirst("\\.json$", "");
    return new Source(name, modelSpec.forward(), parameters, json);
  }
}
