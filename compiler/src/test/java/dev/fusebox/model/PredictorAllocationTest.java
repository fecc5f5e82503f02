package dev.fusebox.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Target;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Standardizer;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A warm predictor allocates what it returns and nothing more: the result's arrays and object, whatever
 * the rows (one; or two chunks, the second partial, through the model's standardisation) and however
 * they come (one array, a stretch of one, an array of rows). Measured with the JVM's per-thread
 * allocation counter, as {@code StepAllocationTest} measures a step.
 */
class PredictorAllocationTest {
  private static final int ROWS = 13; // a batch of 10 and 3 more
  private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  @TempDir Path dir;

  @Test
  void aCallAllocatesItsResultAlone() throws Exception {
    ModelSpec spec = ModelSpec.parse(PredictorTest.CLASSIFIER, "alloc.json");
    Path file = dir.resolve("alloc.safetensors");
    try (Program program = Compiler.compile(spec.forward(), spec.optimizer(), CompileOptions.defaults()).program(Target.interpreter())) {
      SavedModel.save(file, program, ModelMetadata.of(spec, PredictorTest.COLUMNS, Optional.empty(),
          Optional.of(Standardizer.of(new double[] {1, 2, 3, 4, 5, 6}, new double[] {1, 2, 3, 4, 5, 6}))), null);
    }
    float[] x = new float[ROWS * 6];
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
    float[][] rows = new float[ROWS][6];
    for (int r = 0; r < ROWS; r++) System.arraycopy(x, r * 6, rows[r], 0, 6);
    float[] one = rows[0];
    // Predictions: its object (at most 48 bytes with headers), 13 × 5 probabilities and 13 classes.
    long many = 48 + align(16 + 4L * ROWS * 5) + align(16 + 4L * ROWS);
    // Prediction: its object (at most 32 bytes) and 5 probabilities.
    long single = 32 + align(16 + 4L * 5);
    try (Predictor predictor = Predictor.load(file, Predictor.Options.defaults().withMaxPrograms(1))) {
      assertThat(perCall(() -> predictor.predict(x, 0, ROWS), many)).as("bytes a call on a stretch of an array allocates; its result "
          + "takes at most %d", many).isLessThanOrEqualTo(many);
      assertThat(perCall(() -> predictor.predict(rows), many)).as("bytes a call on an array of rows allocates; its result takes at "
          + "most %d", many).isLessThanOrEqualTo(many);
      assertThat(perCall(() -> predictor.predict(one), single)).as("bytes a call on one row allocates; its result takes at most %d",
          single).isLessThanOrEqualTo(single);
    }
  }

  /** The bytes this thread allocates per warm {@code call}, once it is at most {@code bound} or after enough rounds to be warm. */
  private static long perCall(Runnable call, long bound) {
    long id = Thread.currentThread().getId();
    long perCall = Long.MAX_VALUE;
    // Several rounds: vector code allocates until C2 has compiled it and scalar-replaced its vectors.
    for (int round = 0; round < 30 && perCall > bound; round++) {
      for (int i = 0; i < 4000; i++) call.run();
      long before = THREADS.getThreadAllocatedBytes(id);
      for (int i = 0; i < 1000; i++) call.run();
      perCall = (THREADS.getThreadAllocatedBytes(id) - before) / 1000;
    }
    return perCall;
  }

  private static long align(long bytes) {
    return (bytes + 7) / 8 * 8;
  }
}
