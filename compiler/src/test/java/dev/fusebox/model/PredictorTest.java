package dev.fusebox.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Target;
import dev.fusebox.model.Predictions.Kind;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.data.Standardizer;
import dev.fusebox.runtime.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A predictor gives, for any number of rows and from any number of threads, what the reference
 * interpreter computes for the model's network on the standardised rows, with the loss's head applied;
 * bitwise the same for a row whatever it is batched with and whichever thread asks; and refuses bad
 * rows naming the row and the input.
 */
class PredictorTest {
  /** A softmax classifier whose hidden layer is wide enough for vector matmul tiles, with an odd batch. */
  static final String CLASSIFIER = """
      {"input": 6, "layers": [{"units": 32, "activation": "relu"}, {"units": 5}], "loss": "softmax_cross_entropy",
       "optimizer": {"type": "adam", "lr": 0.01}, "batch": 10, "seed": 11}""";
  static final String BINARY = """
      {"input": 3, "layers": [{"units": 8, "activation": "tanh"}, {"units": 1}], "loss": "binary_cross_entropy",
       "optimizer": {"type": "sgd", "lr": 0.1}, "batch": 8, "seed": 12}""";
  static final String REGRESSION = """
      {"input": 3, "layers": [{"units": 16, "activation": "elu"}, {"units": 2}], "loss": "mse",
       "optimizer": {"type": "sgd", "lr": 0.1}, "batch": 8, "seed": 13}""";
  static final List<String> COLUMNS = List.of("a", "b", "c", "d", "e", "f");
  static final Standardizer STANDARDIZER = Standardizer.of(new double[] {1, -2, 0.5, 10, 0, 3}, new double[] {2, 0.5, 1, 4, 0.25, 3});

  @TempDir Path dir;

  /** The three heads, each as a model file: the classifier standardised and with named columns. */
  enum Head {
    CLASSES(CLASSIFIER, COLUMNS, STANDARDIZER, Kind.CLASSES),
    BINARY(PredictorTest.BINARY, List.of(), null, Kind.BINARY),
    VALUES(REGRESSION, List.of("p", "q", "r"), null, Kind.VALUES);

    final String json;
    final List<String> columns;
    final Standardizer standardizer;
    final Kind kind;

    Head(String json, List<String> columns, Standardizer standardizer, Kind kind) {
      this.json = json;
      this.columns = columns;
      this.standardizer = standardizer;
      this.kind = kind;
    }

    ModelSpec spec() {
      return ModelSpec.parse(json, name().toLowerCase() + ".json");
    }
  }

  /** Writes the head's model, with the parameters its spec's seed initialises, as {@code fusebox train} would. */
  Path save(Head head) throws IOException {
    ModelSpec spec = head.spec();
    Path file = dir.resolve(head.name().toLowerCase() + ".safetensors");
    try (Program program = Compiler.compile(spec.forward(), spec.optimizer(), CompileOptions.defaults()).program(Target.interpreter())) {
      SavedModel.save(file, program, ModelMetadata.of(spec, head.columns, Optional.empty(), Optional.ofNullable(head.standardizer)),
          null);
    }
    return file;
  }

  static float[][] rows(SplittableRandom random, int n, int features) {
    float[][] rows = new float[n][features];
    for (float[] row : rows) for (int j = 0; j < features; j++) row[j] = (float) (random.nextGaussian() * 3 + 1);
    return rows;
  }

  /**
   * The reference: the interpreter runs the network for exactly these rows, standardised here in double,
   * and the head is applied here, in double, from its textbook definition.
   */
  static double[][] reference(Head head, Path file, float[][] rows) throws IOException {
    int n = rows.length;
    ModelSpec spec = head.spec().withBatch(n);
    int features = spec.input();
    float[] x = new float[n * features];
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < features; j++) {
        double v = rows[r][j];
        if (head.standardizer != null) v = (v - head.standardizer.mean()[j]) / head.standardizer.scale()[j];
        x[r * features + j] = (float) v;
      }
    }
    float[] outputs;
    try (Program program = Compiler.inference(spec.forward(), CompileOptions.defaults()).program(Target.interpreter())) {
      program.load(SafeTensors.read(file).tensors());
      program.setInput("x", x);
      program.forward();
      outputs = program.read("prediction");
    }
    int width = spec.outputs();
    double[][] expected = new double[n][];
    for (int r = 0; r < n; r++) {
      double[] o = new double[width];
      for (int c = 0; c < width; c++) o[c] = outputs[r * width + c];
      expected[r] = switch (head.kind) {
        case VALUES -> o;
        case BINARY -> new double[] {1 - 1 / (1 + Math.exp(-o[0])), 1 / (1 + Math.exp(-o[0]))};
        case CLASSES -> {
          double sum = 0;
          for (double v : o) sum += Math.exp(v);
          double[] p = new double[width];
          for (int c = 0; c < width; c++) p[c] = Math.exp(o[c]) / sum;
          yield p;
        }
      };
    }
    return expected;
  }

  @ParameterizedTest
  @EnumSource(Head.class)
  void predictsWhatTheInterpreterComputesWithTheHeadApplied(Head head) throws IOException {
    Path file = save(head);
    int features = head.spec().input();
    float[][] rows = rows(new SplittableRandom(1), 3 * head.spec().batch() + 5, features);
    double[][] expected = reference(head, file, rows);
    try (Predictor predictor = Predictor.load(file)) {
      assertThat(predictor.kind()).isEqualTo(head.kind);
      assertThat(predictor.batchSize()).isEqualTo(head.spec().batch());
      Predictions p = predictor.predict(rows);
      assertThat(p.rows()).isEqualTo(rows.length);
      assertThat(p.kind()).isEqualTo(head.kind);
      for (int r = 0; r < rows.length; r++) {
        if (head.kind == Kind.VALUES) {
          for (int c = 0; c < expected[r].length; c++) assertThat((double) p.value(r, c)).as("row %d", r).isCloseTo(expected[r][c], within(1e-5));
          continue;
        }
        assertThat(p.classCount()).isEqualTo(expected[r].length);
        int best = 0;
        for (int c = 0; c < expected[r].length; c++) {
          assertThat((double) p.probability(r, c)).as("row %d class %d", r, c).isCloseTo(expected[r][c], within(1e-5));
          if (expected[r][c] > expected[r][best]) best = c;
        }
        assertThat(p.predictedClass(r)).as("row %d", r).isEqualTo(best);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 9, 10, 11, 47})
  void anyRowCountGivesEveryRowWhatItGetsAloneBitForBit(int n) throws IOException {
    Path file = save(Head.CLASSES);
    float[][] rows = rows(new SplittableRandom(n), n, 6);
    float[] flat = new float[3 + n * 6];
    for (int r = 0; r < n; r++) System.arraycopy(rows[r], 0, flat, 3 + r * 6, 6);
    try (Predictor predictor = Predictor.load(file)) {
      assertThat(predictor.batchSize()).isEqualTo(10);
      Predictions all = predictor.predict(rows);
      assertThat(all.rows()).isEqualTo(n);
      // A row's prediction does not depend on the rows beside it, its place in a chunk, or the chunk's size.
      for (int r = 0; r < n; r++) assertThat(all.row(r)).as("row %d", r).isEqualTo(predictor.predict(rows[r]));
      // The same rows from one array, and as a data set with the columns in another order and one more.
      assertThat(predictor.predict(flat, 3, n)).isEqualTo(all);
      assertThat(predictor.predict(dataset(rows, List.of("f", "extra", "a", "c", "b", "e", "d")))).isEqualTo(all);
    }
  }

  @Test
  void aPredictorOnAnotherBatchOrTargetPredictsTheSame() throws IOException {
    Path file = save(Head.CLASSES);
    float[][] rows = rows(new SplittableRandom(2), 50, 6);
    try (Predictor vector = Predictor.load(file, Predictor.Options.defaults().withBatch(64));
        Predictor small = Predictor.load(file, Predictor.Options.defaults().withBatch(3));
        Predictor interpreted = Predictor.load(file, Predictor.Options.defaults().withTarget(Target.interpreter()))) {
      Predictions expected = vector.predict(rows);
      assertThat(small.predict(rows)).isEqualTo(expected);
      Predictions reference = interpreted.predict(rows);
      for (int r = 0; r < rows.length; r++) {
        assertThat(reference.predictedClass(r)).isEqualTo(expected.predictedClass(r));
        for (int c = 0; c < 5; c++) assertThat(reference.probability(r, c)).isCloseTo(expected.probability(r, c), within(1e-6f));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Head.class)
  void manyThreadsGetBitwiseWhatOneThreadGets(Head head) throws Exception {
    Path file = save(head);
    int features = head.spec().input();
    int batch = head.spec().batch();
    SplittableRandom random = new SplittableRandom(7);
    int calls = 300;
    float[][][] requests = new float[calls][][];
    Object[] expected = new Object[calls];
    try (Predictor predictor = Predictor.load(file, Predictor.Options.defaults().withMaxPrograms(3))) {
      for (int i = 0; i < calls; i++) {
        // Single rows, partial and whole batches, and several batches with a tail.
        requests[i] = rows(random, i % 3 == 0 ? 1 : random.nextInt(4 * batch + 2), features);
        expected[i] = i % 3 == 0 ? predictor.predict(requests[i][0]) : predictor.predict(requests[i]);
      }
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Object>> results = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
          float[][] request = requests[i];
          boolean one = i % 3 == 0;
          results.add(pool.submit(() -> {
            start.await();
            return one ? predictor.predict(request[0]) : predictor.predict(request);
          }));
        }
        start.countDown();
        for (int i = 0; i < calls; i++) assertThat(results.get(i).get(60, TimeUnit.SECONDS)).as("call %d", i).isEqualTo(expected[i]);
      } finally {
        pool.shutdownNow();
      }
      assertThat(predictor.programCount()).isBetween(1, 3);
    }
  }

  @Test
  void badRowsAreRefusedNamingTheRowAndTheInputAndTheNextCallIsFine() throws IOException {
    Path file = save(Head.CLASSES);
    float[][] rows = rows(new SplittableRandom(3), 4, 6);
    try (Predictor predictor = Predictor.load(file)) {
      Predictions expected = predictor.predict(rows);
      assertThatThrownBy(() -> predictor.predict(new float[5])).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("a row of 5 values, but classes.safetensors takes 6 inputs [a, b, c, d, e, f]");
      assertThatThrownBy(() -> predictor.predict(new float[][] {rows[0], new float[7]})).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("row 1 has 7 values, but classes.safetensors takes 6 inputs [a, b, c, d, e, f]");
      assertThatThrownBy(() -> predictor.predict(new float[][] {rows[0], null})).hasMessage("row 1 is null");
      assertThatThrownBy(() -> predictor.predict(new float[17], 2, 3)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("3 rows of 6 inputs from offset 2 need 20 values, but the array holds 17");
      float[][] bad = {rows[0].clone(), rows[1].clone(), rows[2].clone()};
      bad[2][3] = Float.NaN;
      assertThatThrownBy(() -> predictor.predict(bad)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("row 2, input 3 ('d') is NaN");
      bad[2][3] = 1;
      bad[1][0] = Float.NEGATIVE_INFINITY;
      assertThatThrownBy(() -> predictor.predict(bad[1])).hasMessage("row 0, input 0 ('a') is -Infinity");
      bad[1][0] = 1;
      bad[0][1] = 3e38f; // finite, but (x + 2) / 0.5 is not a float
      assertThatThrownBy(() -> predictor.predict(bad)).hasMessage("row 0, input 1 ('b') is 3.0E38, which standardises to Infinity "
          + "(mean -2.0, scale 0.5); classes.safetensors was trained on values near the mean");
      assertThatThrownBy(() -> predictor.predict(dataset(rows, List.of("a", "b", "c", "x", "e", "y"))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("the data set has no column 'd' (nor [f]), which classes.safetensors takes as input; it takes [a, b, c, d, e, f]");
      // A refused call leaves nothing behind.
      assertThat(predictor.predict(rows)).isEqualTo(expected);
    }
  }

  @Test
  void aDataSetWithoutNamesMustHaveTheModelsColumnCount() throws IOException {
    Path file = save(Head.BINARY); // a model that names no columns takes them by position
    try (Predictor predictor = Predictor.load(file)) {
      assertThatThrownBy(() -> predictor.predict(Dataset.ofFeatures(new float[8], 4))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("the data set has 4 feature columns").hasMessageEndingWith("but binary.safetensors takes 3 inputs");
      assertThatThrownBy(() -> predictor.predict(new float[] {1, 2})).hasMessage("a row of 2 values, but binary.safetensors takes 3 inputs");
      float[][] rows = rows(new SplittableRandom(6), 5, 3);
      Predictions byRows = predictor.predict(rows);
      float[] flat = new float[15];
      for (int r = 0; r < 5; r++) System.arraycopy(rows[r], 0, flat, 3 * r, 3);
      assertThat(predictor.predict(Dataset.ofFeatures(flat, 3))).isEqualTo(byRows);
    }
  }

  /**
   * A million rows (and three) in one call go through in chunks of the batch, and every row comes out as
   * it does in calls of another size, which cut the chunks elsewhere; a sample agrees with the
   * interpreter.
   */
  @Test
  void aMillionRowsInOneCallAreWhatTheyAreInSmallerCalls() throws IOException {
    Path file = save(Head.CLASSES);
    int n = 1_000_003;
    int piece = 4099; // not a multiple of the batch of 10: every piece starts at another place in a chunk
    SplittableRandom random = new SplittableRandom(8);
    float[] flat = new float[n * 6];
    for (int i = 0; i < flat.length; i++) flat[i] = (float) (random.nextGaussian() * 3 + 1);
    try (Predictor predictor = Predictor.load(file, Predictor.Options.defaults().withMaxPrograms(1))) {
      Predictions all = predictor.predict(flat, 0, n);
      assertThat(all.rows()).isEqualTo(n);
      float[] probabilities = new float[n * 5];
      int[] classes = new int[n];
      for (int start = 0; start < n; start += piece) {
        int m = Math.min(piece, n - start);
        Predictions part = predictor.predict(flat, start * 6, m);
        System.arraycopy(part.toTensor().data(), 0, probabilities, start * 5, m * 5);
        System.arraycopy(part.predictedClasses(), 0, classes, start, m);
      }
      assertThat(all.toTensor().data()).as("probabilities").isEqualTo(probabilities);
      assertThat(all.predictedClasses()).as("classes").isEqualTo(classes);

      int[] sample = {0, 1, 9, 10, 123_457, 999_999, n - 3, n - 1};
      float[][] rows = new float[sample.length][];
      for (int i = 0; i < sample.length; i++) rows[i] = Arrays.copyOfRange(flat, sample[i] * 6, sample[i] * 6 + 6);
      double[][] expected = reference(Head.CLASSES, file, rows);
      for (int i = 0; i < sample.length; i++) {
        for (int c = 0; c < 5; c++) {
          assertThat((double) all.probability(sample[i], c)).as("row %d class %d", sample[i], c).isCloseTo(expected[i][c], within(1e-5));
        }
      }
    }
  }

  @Test
  void aClosedPredictorRefusesCallsAndClosingTwiceIsFine() throws IOException {
    Path file = save(Head.VALUES);
    Predictor predictor = Predictor.load(file);
    assertThat(predictor.toString()).isEqualTo("Predictor[values.safetensors: 3 inputs, 2 values, batch 8, "
        + Target.auto().resolve(s -> {}) + "]");
    predictor.close();
    predictor.close();
    assertThatThrownBy(() -> predictor.predict(new float[3])).isInstanceOf(IllegalStateException.class)
        .hasMessage("values.safetensors: the predictor is closed");
  }

  @Test
  void aFileThatDoesNotDescribeItselfNeedsItsSpecAndAModelInMemoryNeedsNoFile() throws IOException {
    ModelSpec spec = Head.BINARY.spec();
    Path file = dir.resolve("plain.safetensors");
    try (Program program = Compiler.compile(spec.forward(), spec.optimizer(), CompileOptions.defaults()).program(Target.interpreter())) {
      SafeTensors.writeParameters(file, program);
    }
    assertThatThrownBy(() -> Predictor.load(file)).hasMessageEndingWith("does not describe itself (no 'format' in its metadata: it "
        + "was not written by Fusebox 0.1 or later); give its spec");
    float[][] rows = rows(new SplittableRandom(4), 9, 3);
    try (Predictor fromFile = Predictor.load(file, spec, Predictor.Options.defaults());
        Predictor inMemory = Predictor.of(ModelMetadata.of(spec, List.of(), Optional.empty(), Optional.empty()),
            SafeTensors.read(file).tensors(), Predictor.Options.defaults())) {
      assertThat(inMemory.predict(rows)).isEqualTo(fromFile.predict(rows));
    }
    ModelSpec wider = ModelSpec.parse(BINARY.replace("\"units\": 8", "\"units\": 9"), "wider.json");
    assertThatThrownBy(() -> Predictor.of(ModelMetadata.of(wider, List.of(), Optional.empty(), Optional.empty()),
        SafeTensors.read(file).tensors(), Predictor.Options.defaults())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("wider.json: tensor 'layers.0.weight' has shape [8, 3], but the model's is [9, 3]");
  }

  @Test
  void evaluateScoresAsTheEvaluatorDoesOnTheStandardisedRows() throws IOException {
    Path file = save(Head.CLASSES);
    float[][] rows = rows(new SplittableRandom(5), 23, 6);
    int[] labels = new int[rows.length];
    for (int r = 0; r < labels.length; r++) labels[r] = r % 5;
    Dataset labelled = Dataset.ofClasses(rows, labels, 5).withNames(COLUMNS, List.of("y"));
    try (Predictor predictor = Predictor.load(file); SavedModel saved = SavedModel.load(file)) {
      var metrics = predictor.evaluate(labelled);
      var expected = dev.fusebox.runtime.train.Evaluator.of(saved.program()).evaluate(saved.prepare(labelled));
      assertThat(metrics).isEqualTo(expected);
      int correct = 0;
      Predictions p = predictor.predict(labelled);
      for (int r = 0; r < rows.length; r++) if (p.predictedClass(r) == labels[r]) correct++;
      assertThat(metrics.accuracy()).hasValue((double) correct / rows.length);
      // And the programs go on predicting after a scoring run left them at a full batch.
      assertThat(predictor.predict(rows[0])).isEqualTo(p.row(0));
    }
  }

  @Test
  void resultsAreSmallImmutableValuesThatPrintThemselves() {
    Predictions classes = new Predictions(Kind.CLASSES, 2, 3, new float[] {0.1f, 0.2f, 0.7f, 0.5f, 0.25f, 0.25f}, new int[] {2, 0});
    assertThat(classes).hasToString("Predictions[2 rows, 3 classes: 2 (0.7), 0 (0.5)]");
    assertThat(classes.row(0)).hasToString("Prediction[class 2, probabilities [0.1, 0.2, 0.7]]");
    float[] copy = classes.probabilities(0);
    copy[0] = 9;
    assertThat(classes.probability(0, 0)).isEqualTo(0.1f);
    assertThat(classes.toTensor().shape()).containsExactly(2, 3);
    assertThat(classes.predictedClasses()).containsExactly(2, 0);
    assertThat(classes).containsExactly(classes.row(0), classes.row(1));
    assertThatThrownBy(() -> classes.value(0, 0)).isInstanceOf(IllegalStateException.class)
        .hasMessage("a classifier's predictions are classes and probabilities: read probability or predictedClass");
    assertThatThrownBy(() -> classes.probability(2, 0)).isInstanceOf(IndexOutOfBoundsException.class);

    Predictions binary = new Predictions(Kind.BINARY, 2, 1, new float[] {0.9f, 0.2f}, new int[] {1, 0});
    assertThat(binary).hasToString("Predictions[2 rows, 2 classes: 1 (0.9), 0 (0.8)]");
    assertThat(binary.probabilities(1)).containsExactly(0.8f, 0.2f);
    assertThat(binary.row(0)).isEqualTo(new Prediction(Kind.BINARY, 1, new float[] {1 - 0.9f, 0.9f}));

    float[] nine = new float[18];
    for (int i = 0; i < nine.length; i++) nine[i] = i / 4f;
    Predictions values = new Predictions(Kind.VALUES, 9, 2, nine, null);
    assertThat(values).hasToString("Predictions[9 rows, 2 values: [0.0, 0.25], [0.5, 0.75], [1.0, 1.25], [1.5, 1.75], [2.0, 2.25], "
        + "[2.5, 2.75], [3.0, 3.25], [3.5, 3.75], ... 1 more]");
    assertThat(values.row(8)).hasToString("Prediction[values [4.0, 4.25]]");
    assertThat(values.classCount()).isZero();
    assertThat(values.outputs()).isEqualTo(2);
    assertThatThrownBy(() -> values.predictedClass(0)).isInstanceOf(IllegalStateException.class)
        .hasMessage("a regression model's predictions have no classes or probabilities: read its values");
    assertThat(values).isEqualTo(new Predictions(Kind.VALUES, 9, 2, nine.clone(), null)).isNotEqualTo(classes);
    assertThat(new Predictions(Kind.VALUES, 0, 2, new float[0], null)).hasToString("Predictions[0 rows, 2 values]");
  }

  private static Dataset dataset(float[][] rows, List<String> columns) {
    // The rows' six values under COLUMNS' names, placed where columns names them; other columns hold 7.
    float[] x = new float[rows.length * columns.size()];
    for (int r = 0; r < rows.length; r++) {
      for (int c = 0; c < columns.size(); c++) {
        int j = COLUMNS.indexOf(columns.get(c));
        x[r * columns.size() + c] = j < 0 ? 7 : rows[r][j];
      }
    }
    return Dataset.ofFeatures(x, columns.size()).withNames(columns, List.of());
  }
}
