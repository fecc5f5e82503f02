package dev.fusebox.runtime.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.runtime.data.Dataset;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The step loop must not allocate: a generated program allocates nothing per step, and the trainer
 * around it should not add garbage-collector work that would show up in benchmarks.
 */
class TrainerAllocationTest {
  @TempDir Path dir;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  @Test
  void stepsAllocateNothingEvenWhileLogging() throws IOException {
    // One long epoch, so that the per-epoch work (validation, statistics) is the same in both runs.
    int rows = 40_000;
    float[] x = new float[rows];
    float[] y = new float[rows];
    for (int r = 0; r < rows; r++) {
      x[r] = (r % 100) / 100f;
      y[r] = 2 * x[r] + 1;
    }
    Dataset data = Dataset.ofTargets(x, 1, y, 1);
    LinearRegressionProgram program = new LinearRegressionProgram(1, 1, 0.9f);

    allocatedBy(trainer(program, data, 20_000)); // warm up
    long few = allocatedBy(trainer(program, data, 1_000));
    long many = allocatedBy(trainer(program, data, 21_000));

    // 20,000 more steps: even one small object per step would be 320 kB more.
    assertThat(many - few).isLessThan(16_384);
  }

  @Test
  void stepsAllocateNothingUnderAProgressBar() throws IOException {
    // Between redraws (a clock that stands still never reaches one) a step costs the bar a clock read.
    int rows = 40_000;
    float[] x = new float[rows];
    float[] y = new float[rows];
    for (int r = 0; r < rows; r++) {
      x[r] = (r % 100) / 100f;
      y[r] = 2 * x[r] + 1;
    }
    Dataset data = Dataset.ofTargets(x, 1, y, 1);
    LinearRegressionProgram program = new LinearRegressionProgram(1, 1, 0.9f);
    PrintStream terminal = new PrintStream(OutputStream.nullOutputStream());

    allocatedBy(barTrainer(program, data, 20_000, terminal));
    long few = allocatedBy(barTrainer(program, data, 1_000, terminal));
    long many = allocatedBy(barTrainer(program, data, 21_000, terminal));
    assertThat(many - few).isLessThan(16_384);
  }

  private Trainer barTrainer(LinearRegressionProgram program, Dataset data, long steps, PrintStream terminal) {
    return Trainer.builder(program, data).steps(steps).shuffle(true).seed(1).schedule(Schedule.constant(0.01))
        .progressBar(terminal).clock(() -> 0L).build();
  }

  private Trainer trainer(LinearRegressionProgram program, Dataset data, long steps) {
    return Trainer.builder(program, data).steps(steps).shuffle(true).seed(1)
        .schedule(Schedule.warmup(Schedule.cosine(0.01, 5, 0), 100)).log(dir.resolve("log.csv")).quiet().build();
  }

  private static long allocatedBy(Trainer trainer) throws IOException {
    long before = THREADS.getCurrentThreadAllocatedBytes();
    TrainingResult result = trainer.fit();
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
    assertThat(result.stopReason()).isEqualTo(StopReason.COMPLETED);
    return allocated;
  }
}
