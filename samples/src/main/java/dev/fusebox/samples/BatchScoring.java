package dev.fusebox.samples;

import dev.fusebox.model.ModelMetadata;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.model.Predictions;
import dev.fusebox.model.Predictor;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.data.Standardizer;
import dev.fusebox.runtime.io.SafeTensors;
import dev.fusebox.runtime.io.SafeTensorsFile;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Batch scoring: classifies every row of a CSV file too large to want in memory, reading and writing
 * it a batch at a time through a {@link Predictor}. The model is the one {@link Digits} saves (trained
 * first if it is missing): parameters from its safetensors file, and the standardisation statistics
 * from the file's metadata, which the predictor applies. The input is made up here, {@link #ROWS} noisy
 * copies of the digits, to have something big to score.
 *
 * <pre>mvn -B -q -pl samples exec:exec -Dsample=BatchScoring [-Dsample.arg=WORK_DIR]</pre>
 */
public final class BatchScoring {
  static final int ROWS = 200_000;
  static final int BATCH = 1024;
  static final int FEATURES = 64;

  /** {@link Digits}' network ({@link Digits#model}) as a spec describes it: what the predictor compiles. */
  static final ModelSpec SPEC = ModelSpec.parse("""
      {"input": 64, "layers": [{"units": 128, "activation": "relu"}, {"units": 64, "activation": "relu"}, {"units": 10}],
       "loss": "softmax_cross_entropy", "optimizer": {"type": "adam", "lr": 0.001}, "batch": 32, "seed": 7}
      """, "digits.json");

  /** Rows scored, where the predictions went, and how fast. */
  public record Result(long rows, Path predictions, double rowsPerSecond) {}

  private BatchScoring() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(Args.first(args, "target/batch-scoring"));
    Path model = Path.of("target/digits/digits.safetensors");
    if (!Files.isRegularFile(model)) {
      System.out.println(model + " is missing; training it with the Digits sample first");
      model = Digits.run(model.getParent(), System.out).model();
    }
    Path input = generate(dir.resolve("digits-200k.csv"), ROWS, 1);
    System.out.printf("wrote %d rows to score to %s (%d MB)%n", ROWS, input.toAbsolutePath().normalize(), Files.size(input) >> 20);
    score(model, input, dir.resolve("predictions.csv"), System.out);
  }

  /**
   * A predictor of the digits model in {@code model}, compiled for batches of {@link #BATCH} rows. The
   * file holds the parameters and, under keys of {@link Digits}' own, the standardisation; this says
   * what the file does not (the network, as {@link #SPEC}) and hands the predictor both.
   */
  public static Predictor load(Path model) throws IOException {
    SafeTensorsFile file = SafeTensors.read(model);
    ModelMetadata metadata = ModelMetadata.of(SPEC, List.of(), Optional.empty(), Optional.of(standardizer(file)));
    return Predictor.of(metadata, file.tensors(), Predictor.Options.defaults().withBatch(BATCH));
  }

  /** The standardisation the model was trained with, as {@link Digits} stores it in the file's metadata. */
  public static Standardizer standardizer(SafeTensorsFile model) {
    return Standardizer.of(numbers(model, "mean"), numbers(model, "scale"));
  }

  /** Streams {@code input} (CSV, header line, 64 feature columns) through the model into {@code output} ({@code row,predicted}). */
  public static Result score(Path modelFile, Path input, Path output, PrintStream out) throws IOException {
    float[] batch = new float[BATCH * FEATURES];
    long rows = 0;
    long start = System.nanoTime();
    try (Predictor predictor = load(modelFile);
        BufferedReader in = Files.newBufferedReader(input, StandardCharsets.UTF_8);
        BufferedWriter predictions = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
      String header = in.readLine();
      if (header == null || header.split(",").length != FEATURES) {
        throw new IOException(input + ": expected a header line with " + FEATURES + " column names, found " + header);
      }
      predictions.write("row,predicted\n");
      int filled = 0;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.isBlank()) continue;
        parse(line, batch, filled * FEATURES, input, rows + filled + 2);
        if (++filled == BATCH) {
          rows = writeBatch(predictor, batch, filled, rows, predictions);
          filled = 0;
        }
      }
      if (filled > 0) rows = writeBatch(predictor, batch, filled, rows, predictions);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double rate = rows / seconds;
    out.printf(Locale.ROOT, "scored %d rows in %.2f s: %,.0f rows/s (reading, scoring and writing), batches of %d%n", rows,
        seconds, rate, BATCH);
    out.println("wrote " + output.toAbsolutePath().normalize());
    return new Result(rows, output, rate);
  }

  /** Scores the first {@code n} rows of the batch and appends their predicted classes; returns the rows done so far. */
  private static long writeBatch(Predictor predictor, float[] batch, int n, long done, BufferedWriter predictions) throws IOException {
    // A partial last batch costs its own rows: the predictor runs only the rows it is given.
    Predictions scored = predictor.predict(batch, 0, n);
    StringBuilder lines = new StringBuilder(n * 10);
    for (int r = 0; r < n; r++) lines.append(done + r).append(',').append(scored.predictedClass(r)).append('\n');
    predictions.write(lines.toString());
    return done + n;
  }

  static int argmax(float[] values, int offset, int length) {
    int best = 0;
    for (int i = 1; i < length; i++) if (values[offset + i] > values[offset + best]) best = i;
    return best;
  }

  private static void parse(String line, float[] dst, int offset, Path file, long lineNumber) throws IOException {
    String[] fields = line.split(",", -1);
    if (fields.length != FEATURES) {
      throw new IOException(file + ": line " + lineNumber + " has " + fields.length + " values, expected " + FEATURES);
    }
    for (int i = 0; i < FEATURES; i++) {
      try {
        dst[offset + i] = Float.parseFloat(fields[i].strip());
      } catch (NumberFormatException e) {
        throw new IOException(file + ": line " + lineNumber + ", column " + (i + 1) + ": \"" + fields[i] + "\" is not a number");
      }
    }
  }

  /** Writes {@code rows} digits with noise: each a shipped digit with every pixel moved by about ±1, kept in 0..16. */
  public static Path generate(Path file, int rows, long seed) throws IOException {
    Dataset digits = SampleData.digits();
    SplittableRandom random = new SplittableRandom(seed);
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < FEATURES; i++) line.append(i == 0 ? "" : ",").append('p').append(i);
      w.write(line.append('\n').toString());
      for (int r = 0; r < rows; r++) {
        line.setLength(0);
        int source = random.nextInt(digits.rows());
        for (int i = 0; i < FEATURES; i++) {
          long pixel = Math.round(digits.feature(source, i) + random.nextGaussian());
          line.append(i == 0 ? "" : ",").append(Math.max(0, Math.min(16, pixel)));
        }
        w.write(line.append('\n').toString());
      }
    }
    return file;
  }

  private static double[] numbers(SafeTensorsFile model, String key) {
    String text = model.metadata().get(key);
    if (text == null) throw new IllegalArgumentException("the model file has no '" + key + "' metadata; was it written by Digits?");
    return Arrays.stream(text.split(",")).mapToDouble(Double::parseDouble).toArray();
  }
}
