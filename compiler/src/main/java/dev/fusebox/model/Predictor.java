package dev.fusebox.model;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Compiler.Compilation;
import dev.fusebox.Target;
import dev.fusebox.model.Predictions.Kind;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.data.Standardizer;
import dev.fusebox.runtime.io.ModelFiles;
import dev.fusebox.runtime.io.ParameterFileException;
import dev.fusebox.runtime.io.SafeTensorsFile;
import dev.fusebox.runtime.train.Evaluator;
import dev.fusebox.runtime.train.Metrics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Semaphore;

/**
 * A trained model for services: loaded once, then called from any number of threads on any number of
 * rows, one or a million, as raw feature arrays or as a {@link Dataset}:
 *
 * <pre>{@code
 * try (Predictor predictor = Predictor.load(Path.of("iris.safetensors"))) {
 *   Prediction one = predictor.predict(new float[] {5.1f, 3.5f, 1.4f, 0.2f});   // one.predictedClass(), one.probabilities()
 *   Predictions many = predictor.predict(rows);                                // float[][] rows, any count
 * }
 * }</pre>
 *
 * <p>The model file says what it is ({@link ModelMetadata}): the network, its input columns and the
 * standardisation its features get, which {@code predict} applies. What comes back is what the loss
 * makes of the outputs ({@link Predictions.Kind}): class probabilities and classes for a classifier,
 * values for regression. A row's prediction is bitwise the same whatever rows it comes with and
 * whichever thread computes it.
 *
 * <p><b>Threads.</b> A {@code Predictor} is thread-safe: every method may be called concurrently, and
 * the predictor, its metadata and the results it returns may be shared freely. Inside, each call borrows
 * a program of its own (programs are not thread-safe) with its buffers from a pool, and returns it when
 * done; the pool grows on demand to at most {@link Options#maxPrograms()} programs (by default one per
 * processor, as more cannot run at once), and a call beyond that waits for one to come free. Arrays
 * handed to {@code predict} are only read, during the call, and may be reused once it returns.
 *
 * <p><b>Batches.</b> The programs are compiled once, for a batch of {@link #batchSize()} rows (by
 * default the model's training batch): a call runs its rows in chunks of the batch, and a partial
 * chunk (one row, say, or the tail of a million) computes only its rows ({@link Program#setValidRows}),
 * so one row costs one row's work, not a batch's; a larger batch only amortises each run's fixed costs
 * over more rows of a large call, and takes more memory per program. A warm call on feature arrays
 * allocates its result and nothing else.
 *
 * <p><b>Errors.</b> Rows of the wrong length and values that are NaN or infinite (before or after
 * standardisation) are {@link IllegalArgumentException}s naming the row and the input; a call on a
 * closed predictor is an {@link IllegalStateException}. {@link #close()} releases the programs (and
 * their threads, with a multi-threaded {@link Target}).
 */
public final class Predictor implements AutoCloseable {
  /** The input and output every spec's network has. */
  private static final String INPUT = "x";
  private static final String PREDICTION = "prediction";

  /**
   * How a predictor runs; immutable, start from {@link #defaults()}.
   *
   * @param target where the programs run (default {@link Target#auto()}); a thread count splits each
   *     call's large matmuls, on top of the calls running side by side
   * @param batch the batch the programs are compiled for; 0, the default, takes the model's own
   * @param maxPrograms the most programs, and so concurrent calls, the predictor runs at once; callers
   *     beyond wait (default: the processors available)
   * @param compileOptions how the network is compiled
   */
  public record Options(Target target, int batch, int maxPrograms, CompileOptions compileOptions) {
    /**
     * Checks the options.
     *
     * @param target where the programs run
     * @param batch the batch the programs are compiled for, 0 for the model's own
     * @param maxPrograms the most programs at once, 1 or more
     * @param compileOptions how the network is compiled
     */
    public Options {
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(compileOptions, "compileOptions");
      if (batch < 0) throw new IllegalArgumentException("batch must be at least 1 (or 0 for the model's own), got " + batch);
      if (maxPrograms < 1) throw new IllegalArgumentException("maxPrograms must be at least 1, got " + maxPrograms);
    }

    /** {@return the auto target, the model's batch, one program per processor, the default compile options} */
    public static Options defaults() {
      return new Options(Target.auto(), 0, Runtime.getRuntime().availableProcessors(), CompileOptions.defaults());
    }

    /**
     * {@return these options with another target}
     *
     * @param target where the programs run
     */
    public Options withTarget(Target target) {
      return new Options(target, batch, maxPrograms, compileOptions);
    }

    /**
     * Programs compiled for {@code rows} rows: chunks of a large call; a smaller call costs its own rows.
     *
     * @param rows rows of {@link #featureCount()} raw features each, any number
     * @return these options with that batch
     */
    public Options withBatch(int rows) {
      return new Options(target, rows, maxPrograms, compileOptions);
    }

    /**
     * {@return these options with another limit on programs}
     *
     * @param programs the most programs, and so concurrent calls, at once; 1 or more
     */
    public Options withMaxPrograms(int programs) {
      return new Options(target, batch, programs, compileOptions);
    }

    /**
     * {@return these options with other compile options}
     *
     * @param options how the network is compiled
     */
    public Options withCompileOptions(CompileOptions options) {
      return new Options(target, batch, maxPrograms, options);
    }
  }

  private final String name;
  private final ModelMetadata metadata;
  private final Compilation compilation;
  private final NamedTensors parameters;
  private final Target target;
  private final Kind kind;
  private final int batch;
  private final int features;
  private final int outputs;
  private final int width;
  private final Standardizer standardizer; // null for none
  private final int maxPrograms;
  private final Semaphore permits;
  private final ArrayDeque<Worker> idle = new ArrayDeque<>(); // guarded by this
  private int programs; // guarded by this
  private boolean closed; // guarded by this

  /** A program and the buffers one call needs, lent to one caller at a time. */
  private static final class Worker {
    final Program program;
    final float[] input;
    final float[] output;
    final float[] row;
    final double[] exps;
    final int[] oneClass = new int[1];
    int validRows;

    Worker(Program program, int batch, int features, int outputs) {
      this.program = program;
      this.input = new float[batch * features];
      this.output = new float[batch * outputs];
      this.row = new float[features];
      this.exps = new double[outputs];
      this.validRows = batch;
    }
  }

  private Predictor(String name, ModelMetadata metadata, NamedTensors parameters, Options options, Program first, Compilation compilation,
      Target target) {
    this.name = name;
    this.metadata = metadata;
    this.compilation = compilation;
    this.parameters = parameters;
    this.target = target;
    this.kind = kindOf(metadata.spec());
    this.batch = first.batchSize();
    this.features = metadata.spec().input();
    this.outputs = metadata.spec().outputs();
    this.width = kind == Kind.BINARY ? 1 : outputs;
    this.standardizer = metadata.standardizer().orElse(null);
    this.maxPrograms = options.maxPrograms();
    this.permits = new Semaphore(maxPrograms);
    idle.push(new Worker(first, batch, features, outputs));
    programs = 1;
  }

  /**
   * Loads a model file that describes itself, with the {@link Options#defaults() default options}.
   *
   * @param file the model file (safetensors)
   * @return a predictor ready to use from any thread; close it when done
   * @throws IOException if the file cannot be read
   */
  public static Predictor load(Path file) throws IOException {
    return load(file, Options.defaults());
  }

  /**
   * Loads a model file that describes itself: compiles its network, checks its parameters against it
   * (names, shapes, the recorded SHA-256) and makes the first program.
   *
   * @param file the model file (safetensors)
   * @param options how the predictor runs
   * @return a predictor ready to use from any thread; close it when done
   * @throws ParameterFileException naming the file: not a Fusebox model (give its spec with
   *     {@link #load(Path, ModelSpec, Options)}), corrupt, or tensors that do not fit its own spec
   */
  public static Predictor load(Path file, Options options) throws IOException {
    SafeTensorsFile contents = ModelFiles.readParameters(file);
    return open(file, SavedModel.metadataOf(file, contents, null), contents.tensors(), options);
  }

  /**
   * Loads a parameter file with a spec: for a file that does not describe itself the spec says what it
   * is (inputs by position, no preprocessing); for one that does, the spec must agree with the file's
   * own wherever predictions would differ.
   *
   * @param file the model file (safetensors)
   * @param spec the model's spec
   * @param options how the predictor runs
   * @return a predictor ready to use from any thread; close it when done
   * @throws IOException if the file cannot be read
   * @throws SpecException naming the spec's key, its value and the model's, when they disagree
   */
  public static Predictor load(Path file, ModelSpec spec, Options options) throws IOException {
    SafeTensorsFile contents = ModelFiles.readParameters(file);
    return open(file, SavedModel.metadataOf(file, contents, Objects.requireNonNull(spec, "spec")), contents.tensors(), options);
  }

  /**
   * A predictor of a model held in memory: what it is and its parameters, for models read from
   * elsewhere than a file.
   *
   * @param metadata what the model is: its spec, input columns and preprocessing
   * @param parameters the network's parameters by name
   * @param options how the predictor runs
   * @return a predictor ready to use from any thread; close it when done
   * @throws IllegalArgumentException naming the tensor when the parameters are not the spec's network's
   */
  public static Predictor of(ModelMetadata metadata, NamedTensors parameters, Options options) {
    try {
      return open(null, metadata, parameters, options);
    } catch (ParameterFileException e) {
      throw new IllegalStateException("no file to fail on: " + e.getMessage(), e); // open throws these for files only
    }
  }

  private static Predictor open(Path file, ModelMetadata metadata, NamedTensors parameters, Options options)
      throws ParameterFileException {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(parameters, "parameters");
    Objects.requireNonNull(options, "options");
    String name = file == null ? metadata.spec().source() : SavedModel.name(file);
    ModelSpec spec = metadata.spec();
    Compilation compilation = Compiler.inference(spec.withBatch(options.batch() == 0 ? spec.batch() : options.batch()).forward(),
        options.compileOptions());
    // Resolved once, so that the auto target's notice (no Vector API) is given once, not per program.
    Target target = options.target().resolve(System.err::println);
    Program first = compilation.program(target);
    try {
      String mismatch = SavedModel.parameterMismatch(parameters, first);
      if (mismatch != null) {
        if (file != null) throw new ParameterFileException(file, mismatch);
        throw new IllegalArgumentException(name + ": " + mismatch);
      }
      try {
        first.load(parameters);
      } catch (IllegalArgumentException e) {
        if (file != null) throw new ParameterFileException(file, e.getMessage(), e);
        throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
      }
    } catch (ParameterFileException | RuntimeException e) {
      first.close();
      throw e;
    }
    return new Predictor(name, metadata, parameters, options, first, compilation, target);
  }

  /** What the spec's loss makes of the network's outputs. */
  private static Kind kindOf(ModelSpec spec) {
    return switch (spec.lossEntry().spec().prediction()) {
      case CLASS_PROBABILITIES -> Kind.CLASSES;
      case BINARY_PROBABILITY -> Kind.BINARY;
      case VALUES -> Kind.VALUES;
    };
  }

  /** {@return what the model file says about itself: spec, input columns, standardisation, versions} */
  public ModelMetadata metadata() {
    return metadata;
  }

  /** {@return the model's spec, from its metadata} */
  public ModelSpec spec() {
    return metadata.spec();
  }

  /** {@return what predictions hold: classes and probabilities, or values} */
  public Kind kind() {
    return kind;
  }

  /** {@return the values a row has: the model's inputs, in the order of {@link ModelMetadata#inputColumns()} when it names them} */
  public int featureCount() {
    return features;
  }

  /** {@return the batch the programs were compiled for: a call runs its rows in chunks of this many} */
  public int batchSize() {
    return batch;
  }

  /**
   * The prediction for one row of {@link #featureCount()} raw features (standardised here if the model
   * was trained so).
   *
   * @param row {@link #featureCount()} raw features
   * @return the row's prediction, a new object
   * @throws IllegalArgumentException if the row has another length, or a value is NaN or infinite
   */
  public Prediction predict(float[] row) {
    Objects.requireNonNull(row, "row");
    if (row.length != features) {
      throw new IllegalArgumentException("a row of " + row.length + " values, but " + name + " takes " + features + " inputs" + columns());
    }
    float[] values = new float[kind == Kind.BINARY ? 2 : outputs];
    int predicted;
    Worker w = acquire();
    try {
      prepare(w, row, 0, 0, 0);
      run(w, 1);
      emit(w, 1, values, w.oneClass, 0);
      predicted = w.oneClass[0];
    } finally {
      release(w);
    }
    if (kind == Kind.BINARY) { // emit wrote the probability of class 1 first
      values[1] = values[0];
      values[0] = 1 - values[1];
    }
    return new Prediction(kind, kind == Kind.VALUES ? -1 : predicted, values);
  }

  /**
   * The predictions for {@code rows}, each of {@link #featureCount()} raw features; any number of rows,
   * run in chunks of the batch.
   *
   * @param rows rows of {@link #featureCount()} raw features each, any number
   * @return one prediction per row, in order, newly allocated
   * @throws IllegalArgumentException naming the first row of another length, or the first NaN or
   *     infinite value
   */
  public Predictions predict(float[][] rows) {
    Objects.requireNonNull(rows, "rows");
    for (int r = 0; r < rows.length; r++) {
      if (rows[r] == null) throw new IllegalArgumentException("row " + r + " is null");
      if (rows[r].length != features) {
        throw new IllegalArgumentException("row " + r + " has " + rows[r].length + " values, but " + name + " takes " + features
            + " inputs" + columns());
      }
    }
    int n = rows.length;
    float[] values = new float[resultSize(n)];
    int[] classes = kind == Kind.VALUES ? null : new int[n];
    if (n > 0) {
      Worker w = acquire();
      try {
        for (int start = 0; start < n; start += batch) {
          int m = Math.min(batch, n - start);
          for (int r = 0; r < m; r++) prepare(w, rows[start + r], 0, start + r, r * features);
          run(w, m);
          emit(w, m, values, classes, start);
        }
      } finally {
        release(w);
      }
    }
    return new Predictions(kind, n, width, values, classes);
  }

  /**
   * The predictions for {@code rows} consecutive rows of raw features in {@code values}, row-major from
   * {@code offset}: a request's payload read into one array.
   *
   * @param values the rows, row-major
   * @param offset index in {@code values} of the first row
   * @param rows rows of {@link #featureCount()} raw features each, any number
   * @return one prediction per row, in order, newly allocated
   * @throws IllegalArgumentException if the rows do not fit {@code values}, or a value is NaN or infinite
   */
  public Predictions predict(float[] values, int offset, int rows) {
    Objects.requireNonNull(values, "values");
    if (rows < 0 || offset < 0 || (long) offset + (long) rows * features > values.length) {
      throw new IllegalArgumentException(rows + " rows of " + features + " inputs from offset " + offset + " need "
          + ((long) offset + (long) rows * features) + " values, but the array holds " + values.length);
    }
    float[] out = new float[resultSize(rows)];
    int[] classes = kind == Kind.VALUES ? null : new int[rows];
    if (rows > 0) {
      Worker w = acquire();
      try {
        for (int start = 0; start < rows; start += batch) {
          int m = Math.min(batch, rows - start);
          for (int r = 0; r < m; r++) prepare(w, values, offset + (start + r) * features, start + r, r * features);
          run(w, m);
          emit(w, m, out, classes, start);
        }
      } finally {
        release(w);
      }
    }
    return new Predictions(kind, rows, width, out, classes);
  }

  /**
   * The predictions for every row of {@code data}, whose features are the model's input columns, taken
   * by name (in any order, other columns left out; by position when the model does not name them).
   * Labels and targets, if any, are not used. Columns in another order than the model's are first
   * copied into that order.
   *
   * @param data rows with the model's input columns
   * @return one prediction per row of {@code data}, in order, newly allocated
   * @throws IllegalArgumentException naming a missing input column, or the first NaN or infinite value
   */
  public Predictions predict(Dataset data) {
    Objects.requireNonNull(data, "data");
    Dataset rows = inputColumns(data);
    int n = rows.rows();
    float[] values = new float[resultSize(n)];
    int[] classes = kind == Kind.VALUES ? null : new int[n];
    if (n > 0) {
      Worker w = acquire();
      try {
        for (int start = 0; start < n; start += batch) {
          int m = Math.min(batch, n - start);
          for (int r = 0; r < m; r++) {
            rows.copyFeatures(start + r, w.row, 0);
            prepare(w, w.row, 0, start + r, r * features);
          }
          run(w, m);
          emit(w, m, values, classes, start);
        }
      } finally {
        release(w);
      }
    }
    return new Predictions(kind, n, width, values, classes);
  }

  /**
   * The model's loss on labelled data and, as {@link Evaluator#evaluate} scores it, the accuracy of a
   * classifier or the RMSE and MAE of regression; the features are taken and standardised as
   * {@link #predict(Dataset)} takes them. This allocates as the evaluator does.
   *
   * @param labelled rows with the model's input columns and its labels or targets
   * @return the loss and scores over every row
   * @throws IllegalArgumentException naming a missing input column, or labels that do not fit the model
   */
  public Metrics evaluate(Dataset labelled) {
    Dataset rows = inputColumns(Objects.requireNonNull(labelled, "labelled"));
    if (standardizer != null) rows = standardizer.apply(rows);
    Worker w = acquire();
    try {
      return Evaluator.of(w.program).evaluate(rows);
    } finally {
      w.validRows = batch; // the evaluator leaves the program so
      release(w);
    }
  }

  /** Closes every program; calls in progress finish, later ones fail. Closing twice does nothing. */
  @Override
  public void close() {
    List<Worker> closing;
    synchronized (this) {
      if (closed) return;
      closed = true;
      closing = new ArrayList<>(idle);
      idle.clear();
    }
    for (Worker w : closing) w.program.close();
  }

  /** Programs made so far: at most {@link Options#maxPrograms()}. */
  synchronized int programCount() {
    return programs;
  }

  @Override
  public String toString() {
    return "Predictor[" + name + ": " + features + " inputs, " + (kind == Kind.VALUES ? outputs + " values" : kind == Kind.BINARY
        ? "2 classes" : outputs + " classes") + ", batch " + batch + ", " + target + "]";
  }

  // ---- the work of a call

  /**
   * Copies a row of raw features from {@code from[offset...]} into the worker's input at {@code at},
   * standardised, after checking that every value is finite; {@code row} numbers it for messages.
   */
  private void prepare(Worker w, float[] from, int offset, int row, int at) {
    // A reduction the JIT vectorises (NaN wins a max, infinity is above MAX_VALUE); the loop that names the culprit runs on failure only.
    float largest = 0;
    for (int j = 0; j < features; j++) largest = Math.max(largest, Math.abs(from[offset + j]));
    if (!(largest <= Float.MAX_VALUE)) {
      for (int j = 0; j < features; j++) {
        if (!Float.isFinite(from[offset + j])) throw new IllegalArgumentException("row " + row + ", " + input(j) + " is " + from[offset + j]);
      }
    }
    if (standardizer == null) {
      System.arraycopy(from, offset, w.input, at, features);
      return;
    }
    standardizer.apply(from, offset, w.input, at);
    for (int j = 0; j < features; j++) {
      if (!Float.isFinite(w.input[at + j])) {
        throw new IllegalArgumentException("row " + row + ", " + input(j) + " is " + from[offset + j] + ", which standardises to "
            + w.input[at + j] + " (mean " + standardizer.mean()[j] + ", scale " + standardizer.scale()[j] + "); " + name
            + " was trained on values near the mean");
      }
    }
  }

  /** Runs the first {@code rows} rows of the worker's input through its program, into its output. */
  private void run(Worker w, int rows) {
    w.program.setInputRows(INPUT, w.input, 0, rows);
    if (w.validRows != rows) {
      w.program.setValidRows(rows);
      w.validRows = rows;
    }
    w.program.forward();
    w.program.readRows(PREDICTION, w.output, 0, rows);
  }

  /**
   * Writes the worker's outputs for {@code rows} rows as predictions, from row {@code first} on:
   * probabilities and classes for a classifier, the outputs as they are for regression.
   */
  private void emit(Worker w, int rows, float[] values, int[] classes, int first) {
    float[] out = w.output;
    switch (kind) {
      case VALUES -> System.arraycopy(out, 0, values, first * outputs, rows * outputs);
      case BINARY -> {
        for (int r = 0; r < rows; r++) {
          double z = out[r];
          // The logistic, written so that neither branch overflows.
          double p = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
          values[first + r] = (float) p;
          classes[first + r] = z > 0 ? 1 : 0;
        }
      }
      case CLASSES -> {
        double[] e = w.exps;
        for (int r = 0; r < rows; r++) {
          int base = r * outputs;
          int best = 0;
          for (int c = 1; c < outputs; c++) if (out[base + c] > out[base + best]) best = c;
          // Softmax in double, shifted by the largest logit so that no exp overflows.
          double max = out[base + best];
          double sum = 0;
          for (int c = 0; c < outputs; c++) sum += e[c] = Math.exp(out[base + c] - max);
          int to = (first + r) * outputs;
          for (int c = 0; c < outputs; c++) values[to + c] = (float) (e[c] / sum);
          classes[first + r] = best;
        }
      }
    }
  }

  /** The model's input columns of {@code data}, with a message that says what lacks them. */
  private Dataset inputColumns(Dataset data) {
    try {
      return SavedModel.inputColumns(metadata, name, data);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the data set " + e.getMessage(), e);
    }
  }

  private int resultSize(int rows) {
    long size = (long) rows * width;
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(rows + " rows of " + width + " outputs are more than one array holds; predict them in parts");
    }
    return (int) size;
  }

  /** Input {@code j} for messages: {@code input 2 ('petal_length')}. */
  private String input(int j) {
    List<String> names = metadata.inputColumns();
    return "input " + j + (names.isEmpty() ? "" : " ('" + names.get(j) + "')");
  }

  private String columns() {
    return metadata.inputColumns().isEmpty() ? "" : " " + metadata.inputColumns();
  }

  // ---- the pool

  private Worker acquire() {
    try {
      permits.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(name + ": interrupted while waiting for one of its " + maxPrograms + " programs to come free", e);
    }
    Worker w;
    synchronized (this) {
      if (closed) {
        permits.release();
        throw new IllegalStateException(name + ": the predictor is closed");
      }
      w = idle.poll();
      if (w == null) programs++;
    }
    if (w != null) return w;
    // A new program of the same compilation: the generated class is cached, so this is an instance and a copy of the parameters.
    try {
      Program p = compilation.program(target);
      p.load(parameters);
      return new Worker(p, batch, features, outputs);
    } catch (RuntimeException | Error e) {
      synchronized (this) {
        programs--;
      }
      permits.release();
      throw e;
    }
  }

  private void release(Worker w) {
    boolean close;
    synchronized (this) {
      close = closed;
      if (!close) idle.push(w);
    }
    if (close) w.program.close();
    permits.release();
  }
}
