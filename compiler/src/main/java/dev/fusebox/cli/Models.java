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
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reading what the commands share: a spec, its compilation, and data checked against the spec. */
final class Models {
  /** What {@code --data -} stands for in messages. */
  static final String STDIN = "standard input";

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

  /** The compile options, with the gradient clipping a spec (if any) asks for, after checking the debug switches. */
  static CompileOptions options(ModelSpec spec) {
    try {
      CompileOptions options = CompileOptions.defaults();
      if (spec != null) options = options.withClipGradNorm(spec.clipGradNorm());
      Compiler.checkDisabledPasses(options);
      return options;
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage(), e); // a bad -Dfusebox.debug, FUSEBOX_DEBUG or -Dfusebox.passes.disable
    }
  }

  /** Compiles the spec's training graph, clipping gradients as the spec says. */
  static Compilation compile(ModelSpec spec) {
    CompileOptions options = options(spec);
    try {
      return Compiler.compile(spec.forward(), spec.optimizer(), options);
    } catch (GraphException e) {
      throw new UserError(e.getMessage(), e); // the graph a spec describes, at fault: names spec file and layer
    }
  }

  /** Compiles the spec's training step split for data parallelism, its gradients over micro-batches of {@code microBatch} rows. */
  static Compiler.DataParallel compileDataParallel(ModelSpec spec, int microBatch) {
    CompileOptions options = options(spec);
    try {
      return Compiler.dataParallel(spec.withBatch(microBatch).forward(), spec.optimizer(), options);
    } catch (GraphException e) {
      throw new UserError(e.getMessage(), e);
    }
  }

  /**
   * Reads labelled data for the spec: class labels in {@code 0..outputs-1} or float targets, as its loss
   * takes them (the catalogue's label kind). {@code file} {@code -} is standard input.
   */
  static Dataset readLabelled(Path file, String label, ModelSpec spec, InputStream stdin) throws IOException {
    if (spec.labelKind() == LabelKind.TARGET && spec.outputs() != 1) {
      throw new UserError(spec.source() + ": the last layer has " + spec.outputs() + " units, but a CSV file's label "
          + "column holds one target per row: use a last layer of 1 unit");
    }
    boolean classes = spec.labelKind() == LabelKind.CLASS;
    if (isStdin(file)) {
      return classes ? CsvData.readClasses(stdin, STDIN, label, spec.outputs()) : CsvData.read(stdin, STDIN, label, LabelKind.TARGET);
    }
    requireFile(file);
    return classes ? CsvData.readClasses(file, label, spec.outputs()) : CsvData.read(file, label, LabelKind.TARGET);
  }

  /** Reads data without labels, every column a feature; {@code -} is standard input. */
  static Dataset readFeatures(Path file, InputStream stdin) throws IOException {
    if (isStdin(file)) return CsvData.readFeatures(stdin, STDIN);
    requireFile(file);
    return CsvData.readFeatures(file);
  }

  /**
   * The data's features as the model takes them: by name when {@code columns} names them (in that
   * order; other columns are left out), else by position, all of them. {@code whose} says where the
   * names come from, for the message: {@code "an input of m.safetensors"}.
   */
  static Dataset inputs(Path file, Dataset data, List<String> columns, ModelSpec spec, String whose, String label) {
    if (columns.isEmpty()) {
      if (data.featureCount() == spec.input()) return data;
      String besides = label == null ? "" : " besides the label '" + label + "'";
      String hint = label == null && data.featureCount() == spec.input() + 1 ? "; if one is the label, name it with --label" : "";
      throw new UserError(name(file) + ": has " + data.featureCount() + " feature columns" + besides + " " + data.featureNames()
          + ", but " + spec.source() + " takes " + spec.input() + " inputs" + hint);
    }
    List<String> missing = new ArrayList<>(columns);
    missing.removeAll(data.featureNames());
    if (!missing.isEmpty()) {
      String also = missing.size() == 1 ? "" : " (nor " + String.join(", ", missing.subList(1, missing.size())) + ")";
      throw new UserError(name(file) + ": has no column '" + missing.get(0) + "'" + also + ", " + whose + " " + columns);
    }
    return data.selectFeatures(columns);
  }

  static boolean isStdin(Path file) {
    return file.toString().equals("-");
  }

  /** Fails with a one-line error unless {@code file} exists and is not a directory (a file, or a pipe). */
  static void requireFile(Path file) throws IOException {
    if (!Files.exists(file)) throw new NoSuchFileException(file.toString());
    if (Files.isDirectory(file)) throw new UserError(file + ": is a directory, not a file");
  }

  /** The file's name, as data and parameter file errors name files; {@code -} is standard input. */
  static String name(Path file) {
    if (isStdin(file)) return STDIN;
    Path n = file.getFileName();
    return n == null ? file.toString() : n.toString();
  }
}
