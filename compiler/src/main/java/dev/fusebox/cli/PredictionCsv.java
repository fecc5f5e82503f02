package dev.fusebox.cli;

import dev.fusebox.model.ModelSpec;
import dev.fusebox.model.Predictions;
import dev.fusebox.ops.Catalogue.Prediction;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Predictions as CSV, one row per input row, with a header, as the spec's loss reads its outputs (its
 * {@link Prediction} in the catalogue): {@code class,p0,...,p{k-1}} (softmax probabilities) for class
 * probabilities, {@code probability,class} for a binary probability, {@code y0,...} (the outputs as
 * they are) for values, as {@link Predictions} computes them: the class is the largest output (the first
 * on a tie), or for a binary model a positive logit. Values are written as Java prints floats: the
 * shortest text that reads back to the same float.
 */
final class PredictionCsv {
  private PredictionCsv() {}

  static void write(ModelSpec spec, Predictions predictions, Writer out) throws IOException {
    int rows = predictions.rows();
    StringBuilder line = new StringBuilder();
    switch (spec.lossEntry().spec().prediction()) {
      case CLASS_PROBABILITIES -> {
        int classes = predictions.classCount();
        line.append("class");
        for (int c = 0; c < classes; c++) line.append(",p").append(c);
        out.write(line.append('\n').toString());
        for (int r = 0; r < rows; r++) {
          line.setLength(0);
          line.append(predictions.predictedClass(r));
          for (int c = 0; c < classes; c++) line.append(',').append(predictions.probability(r, c));
          out.write(line.append('\n').toString());
        }
      }
      case BINARY_PROBABILITY -> {
        out.write("probability,class\n");
        for (int r = 0; r < rows; r++) out.write(predictions.probability(r, 1) + "," + predictions.predictedClass(r) + "\n");
      }
      case VALUES -> {
        int width = predictions.outputs();
        for (int c = 0; c < width; c++) line.append(c == 0 ? "" : ",").append('y').append(c);
        out.write(line.append('\n').toString());
        for (int r = 0; r < rows; r++) {
          line.setLength(0);
          for (int c = 0; c < width; c++) line.append(c == 0 ? "" : ",").append(predictions.value(r, c));
          out.write(line.append('\n').toString());
        }
      }
    }
    out.flush();
  }

  /**
   * Writes to a temporary file beside {@code file}, then renames it over {@code file}; a failure names
   * {@code file}, never the temporary, and leaves an old {@code file} as it was.
   */
  static void writeAtomically(Path file, ModelSpec spec, Predictions predictions) throws IOException {
    if (Files.exists(file) && !Files.isDirectory(file) && !Files.isRegularFile(file)) {
      throw new UserError(file + ": is not a regular file; leave --out out to write the predictions to standard output");
    }
    ParameterFiles.prepareOutput(file);
    Path dir = file.toAbsolutePath().getParent();
    // Not Files.createTempFile: its owner-only permissions would carry over to the output.
    String stem = Models.name(file);
    stem = stem.substring(0, Math.min(stem.length(), 40));
    Path temp = dir.resolve("." + stem + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
    try {
      try (Writer w = Files.newBufferedWriter(temp, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE)) {
        write(spec, predictions, w);
      }
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new FileSystemException(file.toString(), null, Errors.reason(e) + " while writing it; nothing was replaced");
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
