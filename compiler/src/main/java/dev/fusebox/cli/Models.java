package dev.fusebox.cli;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Compiler.Compilation;
import dev.fusebox.ir.GraphException;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.data.CsvData;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.data.LabelKind;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reading what the commands share: a spec, its compilation, and data checked against the spec. */
final class Models {
  private Models() {}

  /** Reads a spec file; with {@code seed}, the spec's seed is replaced (initialisation, dropout, shuffling). */
  static ModelSpec readSpec(Path file, Long seed) throws IOException {
    requireFile(file);
    ModelSpec s;
    try {
      s = ModelSpec.read(file);
    } catch (CharacterCodingException e) {
      throw new UserError(name(file) + ": is not UTF-8 text; a spec is a JSON file", e);
    }
    if (seed == null) return s;
    return s.withSeed(seed);
  }

  /** Compiles the spec's training graph, clipping gradients as the spec says. */
  static Compilation compile(ModelSpec spec) {
    CompileOptions options;
    try {
      options = CompileOptions.defaults().withClipGradNorm(spec.clipGradNorm());
      Compiler.checkDisabledPasses(options);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage(), e); // a bad -Dfusebox.debug, FUSEBOX_DEBUG or -Dfusebox.passes.disable
    }
    try {
      return Compiler.compile(spec.forward(), spec.optimizer(), options);
    } catch (GraphException e) {
      throw new UserError(e.getMessage(), e); // the graph a spec describes, at fault: names spec file and layer
    }
  }

  /**
   * Reads labelled data for the spec: class labels or float targets, as its loss takes them (the
   * catalogue's label kind). Checks the features and labels fit the model before any work is done.
   */
  static Dataset readLabelled(Path file, String label, ModelSpec spec) throws IOException {
    requireFile(file);
    if (spec.labelKind() == LabelKind.TARGET && spec.outputs() != 1) {
      throw new UserError(spec.source() + ": the last layer has " + spec.outputs() + " units, but a CSV file's label "
          + "column holds one target per row: use a last layer of 1 unit");
    }
    Dataset data = CsvData.read(file, label, spec.labelKind());
    checkFeatures(file, data, spec, label);
    if (data.hasLabels() && data.classes() > spec.outputs()) {
      throw new UserError(name(file) + ": column '" + label + "' has class labels up to " + (data.classes() - 1) + ", but "
          + spec.source() + "'s last layer has " + spec.outputs() + " units, one per class (labels 0.." + (spec.outputs() - 1)
          + ")");
    }
    return data;
  }

  /** Reads data without labels, every column a feature. */
  static Dataset readFeatures(Path file, ModelSpec spec) throws IOException {
    requireFile(file);
    Dataset data = CsvData.readFeatures(file);
    checkFeatures(file, data, spec, null);
    return data;
  }

  private static void checkFeatures(Path file, Dataset data, ModelSpec spec, String label) {
    if (data.featureCount() == spec.input()) return;
    String besides = label == null ? "" : " besides the label '" + label + "'";
    String hint = label == null && data.featureCount() == spec.input() + 1 ? "; if one is the label, name it with --label" : "";
    throw new UserError(name(file) + ": has " + data.featureCount() + " feature columns" + besides + " " + data.featureNames()
        + ", but " + spec.source() + " takes " + spec.input() + " inputs" + hint);
  }

  /** Fails with a one-line error unless {@code file} is an existing regular file. */
  static void requireFile(Path file) throws IOException {
    if (!Files.exists(file)) throw new NoSuchFileException(file.toString());
    if (Files.isDirectory(file)) throw new UserError(file + ": is a directory, not a file");
  }

  /** The file's name, as data and parameter file errors name files. */
  static String name(Path file) {
    Path n = file.getFileName();
    return n == null ? file.toString() : n.toString();
  }
}
