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
 * the rows (two chunks here, the second partial, through the model's standardisation). Measured with
 * the JVM's per-thread allocation counter, as {@code StepAllocationTest} measures a step.
 */
class PredictorAllocationTest {
  @TempDir Path dir;

  @Test
  void aCallAllocatesItsResultAlone() throws Exception {
    ModelSpec spec = ModelSpec.parse(PredictorTest.CLASSIFIER, "alloc.json");
    Path file = dir.resolve("alloc.safetensors");
    try (Program program = Compiler.compile(spec.forward(), spec.optimizer(), CompileOptions.defaults()).program(Target.interpreter())) {
      SavedModel.save(file, program, ModelMetadata.of(spec, PredictorTest.COLUMNS, Optional.empty(),
          Optional.of(Standardizer.of(new double[] {1, 2, 3, 4, 5, 6}, new double[] {1, 2, 3, 4, 5, 6}))), null);
    }
    int rows = 13; // a batch of 10 and 3 more
    float[] x = new float[rows * 6];
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
    // The result: the Predictions object, 13 × 5 probabilities and 13 classes, with array headers and padding.
    long result = 48 + align(16 + 4L * rows * 5) + align(16 + 4L * rows);
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    try (Predictor predictor = Predictor.load(file, Predictor.Options.defaults().withMaxPrograms(1))) {
      long perCall = Long.MAX_VALUE;
      // Several rounds: vector code allocates until C2 has compiled it and scalar-replaced its vectors.
      for (int round = 0; round < 30 && perCall > result; round++) {
        for (int i = 0; i < 4000; i++) predictor.predict(x, 0, rows);
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < 1000; i++) predictor.predict(x, 0, rows);
        perCall = (threads.getThreadAllocatedBytes(id) - before) / 1000;
      }
      assertThat(perCall).as("bytes a warm call allocates; its result takes at most %d", result).isLessThanOrEqualTo(result);
    }
  }

  private static long align(long bytes) {
    return (bytes + 7) / 8 * 8;
  }
}
