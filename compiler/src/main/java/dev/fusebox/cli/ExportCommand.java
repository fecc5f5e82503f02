package dev.fusebox.cli;

import dev.fusebox.Target;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.GraphException;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.model.SavedModel;
import dev.fusebox.model.SpecException;
import dev.fusebox.onnx.OnnxExport;
import dev.fusebox.onnx.OnnxExportException;
import dev.fusebox.onnx.OnnxModel;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Standardizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code fusebox export}: writes a trained model as an ONNX file, for ONNX Runtime (Python, C#, C++,
 * Java, the browser) and any other runtime that reads ONNX. The file holds the model's network with the
 * trained parameters, its standardisation, and the loss's head: probabilities and class for a
 * classifier, values for regression, on any number of rows. A model file describes itself; a spec given
 * must agree with it, as for {@code predict}.
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

  @Parameters(index = "0", arity = "0..1", paramLabel = "SPEC.json",
      description = {"The model's spec. Optional: a model fusebox train", "saved holds its own, and a spec given must agree",
          "with it; needed for a parameter file from elsewhere."})
  Path spec;

  @Option(names = "--model", required = true, paramLabel = "FILE.safetensors",
      description = {"The trained model, as fusebox train saves it (or", "parameters alone, with SPEC.json). Its",
          "standardisation, if any, goes into the ONNX model."})
  Path model;

  @Option(names = "--out", required = true, paramLabel = "FILE.onnx",
      description = "Where to write the ONNX model (replaced atomically).")
  Path out;

  /** What an export needs: the network, its trained parameters, the spec's text for the metadata, its standardisation. */
  private record Source(String name, Graph forward, NamedTensors parameters, String specJson, Optional<Standardizer> standardizer) {}

  @Override
  public Integer call() throws IOException {
    Source source = source();
    ParameterFiles.prepareOutput(out);
    OnnxModel onnx;
    try {
      OnnxExport export = OnnxExport.of(source.forward(), source.parameters()).withName(source.name()).withSpec(source.specJson());
      if (source.standardizer().isPresent()) export = export.withStandardization("x", source.standardizer().get());
      onnx = export.write(out);
    } catch (OnnxExportException e) {
      throw new UserError(source.name() + ": " + e.getMessage(), e);
    }
    main.out.println("wrote " + out + ": " + onnx.summary());
    return Errors.OK;
  }

  /**
   * The network, its parameters (checked against it as {@code predict} checks them), the spec's text and
   * the standardisation: from the model file alone when it describes itself, and a spec given must then
   * agree with it; from the spec for a parameter file from elsewhere.
   */
  private Source source() throws IOException {
    ModelSpec given = spec == null ? null : Models.readSpec(spec, null);
    Models.requireFile(model);
    try (SavedModel saved = load(given)) {
      Program program = saved.program();
      Set<String> names = new HashSet<>(program.parameterNames());
      NamedTensors parameters = program.state().filter(names::contains);
      ModelSpec modelSpec = saved.spec();
      Optional<Standardizer> standardizer = saved.metadata().standardizer();
      if (given != null) {
        // The spec file as written, as before model files described themselves.
        String name = Models.name(spec).replaceFirst("\\.json$", "");
        return new Source(name, modelSpec.forward(), parameters, Files.readString(spec, StandardCharsets.UTF_8), standardizer);
      }
      String name = Models.name(model).replaceFirst("\\.safetensors$", "");
      return new Source(name, modelSpec.forward(), parameters, modelSpec.toJson(), standardizer);
    }
  }

  /** The model on the interpreter (its parameters are all export needs): described by its own file, or by the spec given. */
  private SavedModel load(ModelSpec given) throws IOException {
    try {
      if (given == null) return SavedModel.load(model, Target.interpreter(), Models.options(null));
      return SavedModel.load(model, given, Target.interpreter(), Models.options(given));
    } catch (SpecException e) {
      throw new UserError(e.getMessage() + "; the model file holds its own spec, so SPEC.json can be left out", e);
    } catch (GraphException e) {
      throw new UserError(e.getMessage(), e);
    }
  }
}
