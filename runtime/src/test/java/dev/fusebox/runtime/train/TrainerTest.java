package dev.fusebox.runtime.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fusebox.runtime.data.Batcher;
import dev.fusebox.runtime.data.Dataset;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
  @TempDir Path dir;

  /** y = 2x on x = 1..4: small enough to run SGD by hand. */
  private static Dataset doubling() {
    return Dataset.ofTargets(new float[] {1, 2, 3, 4}, 1, new float[] {2, 4, 6, 8}, 1);
  }

  @Test
  void withoutAScheduleTheProgramKeepsItsLearningRate() throws IOException {
    LinearRegressionProgram program = new LinearRegressionProgram(2, 1, 0f);
    program.setScalar("lr", 0.1f);
    List<Double> stepRates = new ArrayList<>();
    TrainingListener recorder = new TrainingListener() {
      @Override
      public Decision onStep(StepEvent event) {
        stepRates.add(event.lr());
        return Decision.CONTINUE;
      }
    };
    TrainingResult result = Trainer.builder(program, doubling()).steps(3).shuffle(false).listener(recorder).quiet().build()
        .fit();
    // The same three steps as with Schedule.constant(0.1) below.
    assertThat(program.read("weight")[0]).isCloseTo(2.186f, within(1e-5f));
    assertThat(program.read("bias")[0]).isCloseTo(0.62f, within(1e-5f));
    // What the epochs and steps report is the rate the program ran at, not NaN.
    assertThat(result.history()).extracting(EpochStats::lr).containsOnly((double) 0.1f);
    assertThat(stepRates).containsExactly((double) 0.1f, (double) 0.1f, (double) 0.1f);
  }

  @Test
  void stepsModeReproducesSgdWorkedByHand() throws IOException {
    LinearRegressionProgram program = new LinearRegressionProgram(2, 1, 0f);
    TrainingResult result = Trainer.builder(program, doubling()).steps(3).shuffle(false)
        .schedule(Schedule.constant(0.1)).quiet().build().fit();

    // w = b = 0, lr = 0.1, batches (1,2), (3,4), then wrapping to (1,2); gradient of the mean squared error:
    // step 1: errors -2, -4; loss 10;     dw = (-2·1 - 4·2) = -10,  db = -6   → w = 1.0,   b = 0.6
    // step 2: errors -2.4, -3.4; loss 8.66; dw = -20.8, db = -5.8           → w = 3.08,  b = 1.18
    // step 3: errors 2.26, 3.34; loss 8.1316; dw = 8.94, db = 5.6           → w = 2.186, b = 0.62
    assertThat(program.read("weight")[0]).isCloseTo(2.186f, within(1e-5f));
    assertThat(program.read("bias")[0]).isCloseTo(0.62f, within(1e-5f));
    assertThat(result.steps()).isEqualTo(3);
    assertThat(result.stopReason()).isEqualTo(StopReason.COMPLETED);
    // Two batches per epoch, so three steps are one full epoch and one cut short.
    assertThat(result.history()).hasSize(2);
    EpochStats first = result.history().get(0);
    EpochStats second = result.history().get(1);
    assertThat(first.steps()).isEqualTo(2);
    assertThat(first.rows()).isEqualTo(4);
    assertThat(first.trainLoss()).isCloseTo((10 + 8.66) / 2, within(1e-5));
    assertThat(first.lr()).isCloseTo(0.1, within(1e-12));
    assertThat(second.steps()).isEqualTo(1);
    assertThat(second.trainLoss()).isCloseTo(8.1316, within(1e-5));
    assertThat(second.validation()).isEmpty();
  }

  @Test
  void matchesAnIndependentLoopWithShufflingMomentumAndASchedule() throws IOException {
    SplittableRandom random = new SplittableRandom(5);
    int rows = 37;
    float[] x = new float[rows * 3];
    float[] y = new float[rows];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < 3; j++) x[r * 3 + j] = (float) random.nextGaussian();
      y[r] = 0.5f * x[r * 3] - 2f * x[r * 3 + 1] + 0.25f * x[r * 3 + 2] + 1f + 0.1f * (float) random.nextGaussian();
    }
    Dataset data = Dataset.ofTargets(x, 3, y, 1);
    Schedule schedule = Schedule.warmup(Schedule.step(0.05, 2, 0.5), 3);

    LinearRegressionProgram trained = new LinearRegressionProgram(8, 3, 0.9f);
    List<Float> stepLosses = new ArrayList<>();
    TrainingListener recorder = new TrainingListener() {
      @Override
      public Decision onStep(StepEvent event) {
        stepLosses.add(event.loss());
        return Decision.CONTINUE;
      }
    };
    TrainingResult result = Trainer.builder(trained, data).epochs(4).shuffle(true).seed(11).schedule(schedule)
        .listener(recorder).quiet().build().fit();

    // The same run written out plainly: epoch e reshuffled from (seed, e), lr from the schedule per step.
    LinearRegressionProgram expected = new LinearRegressionProgram(8, 3, 0.9f);
    Batcher batches = Batcher.shuffled(data, 8, 11);
    List<Float> expectedLosses = new ArrayList<>();
    long step = 0;
    for (int epoch = 0; epoch < 4; epoch++) {
      batches.startEpoch(epoch);
      while (batches.next()) {
        expected.setInput("x", batches.features());
        expected.setInput("y", batches.targets());
        expected.setValidRows(batches.validRows());
        expected.setScalar("lr", (float) schedule.lr(epoch, step++));
        expectedLosses.add(expected.step());
      }
    }
    assertThat(result.steps()).isEqualTo(20); // 5 batches of 8, 8, 8, 8, 5 rows per epoch
    assertThat(stepLosses).containsExactlyElementsOf(expectedLosses);
    assertThat(trained.state()).isEqualTo(expected.state());
    assertThat(result.history()).extracting(EpochStats::rows).containsOnly(37L);
    // Loss falls as the model learns.
    assertThat(result.history().get(3).trainLoss()).isLessThan(result.history().get(0).trainLoss());
  }

  @Test
  void logHasAHeaderAndOneRowPerStepWithTheReturnedLoss() throws IOException {
    Path csv = dir.resolve("logs/run.csv");
    List<StepEvent> events = new ArrayList<>();
    TrainingListener recorder = new TrainingListener() {
      @Override
      public Decision onStep(StepEvent event) {
        events.add(event);
        return Decision.CONTINUE;
      }
    };
    Trainer.builder(new LinearRegressionProgram(2, 1, 0f), doubling()).steps(3).shuffle(false)
        .schedule(Schedule.constant(0.1)).listener(recorder).log(csv).quiet().build().fit();

    List<String> lines = Files.readAllLines(csv);
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).isEqualTo("epoch,step,loss,ms");
    float[] handLosses = {10f, 8.66f, 8.1316f};
    int[] epochs = {1, 1, 2};
    for (int i = 0; i < 3; i++) {
      String[] cells = lines.get(i + 1).split(",");
      assertThat(cells).hasSize(4);
      assertThat(Integer.parseInt(cells[0])).isEqualTo(epochs[i]);
      assertThat(Long.parseLong(cells[1])).isEqualTo(i + 1);
      // Written exactly: the text reads back to the very float the step returned.
      assertThat(Float.parseFloat(cells[2])).isEqualTo(events.get(i).loss()).isCloseTo(handLosses[i], within(1e-4f));
      assertThat(cells[3]).matches("\\d+\\.\\d{4}");
      assertThat(Double.parseDouble(cells[3])).isCloseTo(events.get(i).nanos() / 1e6, within(0.00005));
    }
  }

  @Test
  void formatsMillisecondsWithFourDecimals() {
    StringBuilder b = new StringBuilder();
    StepLog.appendMillis(b.append('|'), 0);
    StepLog.appendMillis(b.append('|'), 49);
    StepLog.appendMillis(b.append('|'), 50);
    StepLog.appendMillis(b.append('|'), 1_234_567);
    StepLog.appendMillis(b.append('|'), 12_000_040);
    StepLog.appendMillis(b.append('|'), 3_000_123_456L);
    assertThat(b).hasToString("|0.0000|0.0000|0.0001|1.2346|12.0000|3000.1235");
  }

  @Test
  void partialLastBatchTellsTheProgramItsValidRowsAndWeightsTheEpochLoss() throws IOException {
    ScriptedProgram program = new ScriptedProgram(2, 1, ScriptedProgram.labels("y", 2, 2)).trainLosses(1f, 2f, 4f);
    Dataset data = Dataset.ofClasses(new float[] {0, 1, 2, 3, 4}, 1, new int[] {0, 1, 0, 1, 0}, 2);
    TrainingResult result = Trainer.builder(program, data).epochs(1).shuffle(false).quiet().build().fit();

    assertThat(program.stepValidRows).containsExactly(2, 2, 1);
    assertThat(program.stepFeatures.get(2)).containsExactly(4f, 0f);
    // Weighted by rows: (1·2 + 2·2 + 4·1) / 5, where a plain mean of the three would give 7/3.
    assertThat(result.history().get(0).trainLoss()).isEqualTo(2.0);
    assertThat(result.history().get(0).rows()).isEqualTo(5);
    assertThat(program.validRows()).isEqualTo(2); // left at the full batch
  }

  @Test
  void stepsModeWrapsAroundInFileOrderWithoutShuffling() throws IOException {
    ScriptedProgram program = new ScriptedProgram(2, 1, ScriptedProgram.labels("y", 2, 2));
    Dataset data = Dataset.ofClasses(new float[] {0, 1, 2, 3, 4}, 1, new int[] {0, 1, 0, 1, 0}, 2);
    Trainer.builder(program, data).steps(7).shuffle(false).quiet().build().fit();

    assertThat(program.stepFeatures).extracting(f -> f[0]).containsExactly(0f, 2f, 4f, 0f, 2f, 4f, 0f);
    assertThat(program.stepValidRows).containsExactly(2, 2, 1, 2, 2, 1, 2);
  }

  @Test
  void shuffledStepsReshuffleEachEpochFromTheSeed() throws IOException {
    ScriptedProgram program = new ScriptedProgram(2, 1, ScriptedProgram.labels("y", 2, 2));
    Dataset data = Dataset.ofClasses(new float[] {0, 1, 2, 3, 4}, 1, new int[] {0, 1, 0, 1, 0}, 2);
    Trainer.builder(program, data).steps(7).shuffle(true).seed(3).quiet().build().fit();

    Batcher reference = Batcher.shuffled(data, 2, 3);
    for (int step = 0; step < 7; step++) {
      reference.loadStep(step);
      assertThat(program.stepFeatures.get(step)).as("step %d", step).containsExactly(reference.features());
    }
    // Different epochs really are in different orders for this seed, so the test could tell.
    assertThat(program.stepFeatures.subList(0, 3)).extracting(f -> f[0])
        .isNotEqualTo(program.stepFeatures.subList(3, 6).stream().map(f -> f[0]).toList());
  }

  @Test
  void setsTheLearningRateBeforeEveryStep() throws IOException {
    ScriptedProgram program = new ScriptedProgram(2, 1, ScriptedProgram.labels("y", 2, 2), ScriptedProgram.lr());
    Dataset data = Dataset.ofClasses(new float[] {0, 1, 2, 3}, 1, new int[] {0, 1, 0, 1}, 2);
    Trainer.builder(program, data).epochs(3).schedule(Schedule.warmup(Schedule.exponential(0.8, 0.5), 3)).quiet()
        .build().fit();
    // Epoch rates 0.8, 0.4, 0.2; warm-up factors 1/3, 2/3, then 1.
    assertThat(program.stepLrs).containsExactly((float) (0.8 / 3), (float) (0.8 * 2 / 3), 0.4f, 0.4f, 0.2f, 0.2f);
  }

  @Test
  void routesLabelsAndAWiderOneHotToTheirInputs() throws IOException {
    // The data has 2 classes, the one-hot input 3 columns: the rows are padded with a zero column.
    ScriptedProgram program = new ScriptedProgram(2, 1, ScriptedProgram.labels("y", 2, 4),
        ScriptedProgram.oneHot("t", 2, 3));
    Dataset data = Dataset.ofClasses(new float[] {0, 1, 2}, 1, new int[] {1, 0, 1}, 2);
    Trainer.builder(program, data).epochs(1).shuffle(false).quiet().build().fit();

    assertThat(program.stepLabelInputs.get(0).get("y")).containsExactly(1, 0);
    assertThat(program.stepFloatInputs.get(0).get("t")).containsExactly(0, 1, 0, 1, 0, 0);
    assertThat(program.stepLabelInputs.get(1).get("y")).containsExactly(1, 0);
    assertThat(program.stepFloatInputs.get(1).get("t")).containsExactly(0, 1, 0, 0, 0, 0);
  }

  @Test
  void printsALinePerEpochWithValidationScores() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Dataset valid = Dataset.ofTargets(new float[] {1, 2}, 1, new float[] {2, 4}, 1);
    Trainer.builder(new LinearRegressionProgram(2, 1, 0f), doubling()).epochs(2).shuffle(false)
        .validation(valid).schedule(Schedule.constant(0.1))
        .output(new PrintStream(bytes, true, StandardCharsets.UTF_8)).build().fit();

    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(lines).hasSize(2);
    // After epoch 1, w = 3.08 and b = 1.18 (see the worked example): the validation errors are 2.26 and
    // 3.34, so the loss is (2.26² + 3.34²) / 2 = 8.1316, MAE 2.8 and RMSE √8.1316 = 2.8516.
    assertThat(lines[0]).matches("epoch 1/2  loss 9\\.3300  valid_loss 8\\.1316  valid_mae 2\\.8000  "
        + "valid_rmse 2\\.8516  \\d+\\.\\d s");
    assertThat(lines[1]).startsWith("epoch 2/2  loss ");
  }

  @Test
  void quietPrintsNothing() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream saved = System.out;
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      Trainer.builder(new LinearRegressionProgram(2, 1, 0f), doubling()).epochs(2)
          .schedule(Schedule.constant(0.01)).quiet().build().fit();
    } finally {
      System.setOut(saved);
    }
    assertThat(bytes.size()).isZero();
  }
}
