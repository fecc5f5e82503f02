package dev.fusebox.runtime.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.io.ParameterFileException;
import dev.fusebox.runtime.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run resumed from a saved state goes on exactly as the uninterrupted run: N + M steps resumed give
 * bitwise the parameters, optimizer state and reported losses of N + M straight, whatever N, with a
 * schedule that changes every epoch and a warm-up, and with shuffled batches.
 */
class ResumeTest {
  static final int BATCH = 3;
  static final Schedule SCHEDULE = Schedule.warmup(Schedule.step(0.05, 1, 0.7), 5);

  @TempDir Path dir;

  /** 10 rows: four batches an epoch, the last of one row. */
  static Dataset data() {
    float[] x = new float[20];
    float[] y = new float[10];
    for (int r = 0; r < 10; r++) {
      x[2 * r] = r * 0.3f - 1;
      x[2 * r + 1] = (r * 7 % 10) * 0.2f;
      y[r] = 1.5f * x[2 * r] - 0.5f * x[2 * r + 1] + 0.25f;
    }
    return Dataset.ofTargets(x, 2, y, 1);
  }

  static Trainer.Builder trainer(Program program) {
    return Trainer.builder(program, data()).validation(data()).seed(11).schedule(SCHEDULE).quiet();
  }

  static LinearRegressionProgram program() {
    return new LinearRegressionProgram(BATCH, 2, 0.9f);
  }

  @Test
  void resumingAtEveryStepEqualsTrainingStraight() throws IOException {
    LinearRegressionProgram straight = program();
    TrainingResult whole = trainer(straight).steps(13).build().fit();
    for (int n = 1; n < 13; n++) {
      LinearRegressionProgram first = program();
      TrainingResult part = trainer(first).steps(n).build().fit();
      LinearRegressionProgram second = program();
      second.load(first.state());
      TrainingResult rest = trainer(second).steps(13 - n).resume(part.state()).build().fit();

      assertThat(second.state()).as("after %d + %d steps", n, 13 - n).isEqualTo(straight.state());
      assertThat(rest.state()).isEqualTo(whole.state());
      assertThat(rest.steps()).isEqualTo(13 - n);
      // The epochs this run ended report what the straight run reported for them, partial epochs included.
      EpochStats last = rest.last().orElseThrow();
      EpochStats same = whole.history().get(last.epoch() - 1);
      assertThat(last.trainLoss()).isEqualTo(same.trainLoss());
      assertThat(last.steps()).isEqualTo(same.steps());
      assertThat(last.lr()).isEqualTo(same.lr());
      assertThat(last.validation()).isEqualTo(same.validation());
    }
  }

  @Test
  void epochsCountFromTheEpochUnderWay() throws IOException {
    LinearRegressionProgram straight = program();
    trainer(straight).epochs(3).build().fit();
    LinearRegressionProgram first = program();
    TrainingResult part = trainer(first).steps(6).build().fit(); // one epoch and two batches of the second
    assertThat(part.state().epochsDone()).isEqualTo(1);
    assertThat(part.state().batchesDone()).isEqualTo(2);
    LinearRegressionProgram second = program();
    second.load(first.state());
    TrainingResult rest = trainer(second).epochs(2).resume(part.state()).build().fit();
    assertThat(rest.history()).extracting(EpochStats::epoch).containsExactly(2, 3);
    assertThat(second.state()).isEqualTo(straight.state());
    assertThat(rest.state().batchesDone()).isZero();
    assertThat(rest.state().epochsDone()).isEqualTo(3);
  }

  @Test
  void checkpointsResumeExactlyWithEarlyStoppingWhereItWas() throws IOException {
    // A min delta no improvement reaches: the first epoch sets the reference, three more end the run.
    LinearRegressionProgram straight = program();
    TrainingResult whole = trainer(straight).epochs(10).earlyStopping(3, 1e9).build().fit();
    assertThat(whole.history()).hasSize(4);
    assertThat(whole.stopReason()).isEqualTo(StopReason.EARLY_STOP);

    LinearRegressionProgram first = program();
    trainer(first).epochs(2).earlyStopping(3, 1e9).checkpoints(dir).checkpointMetadata(Map.of("model", "linear")).build().fit();
    LinearRegressionProgram second = program();
    TrainingState state = Checkpoints.restore(dir.resolve("epoch-2.safetensors"), second);
    assertThat(state.epochsDone()).isEqualTo(2);
    assertThat(second.state()).isEqualTo(first.state());
    TrainingResult rest = trainer(second).epochs(8).earlyStopping(3, 1e9).resume(state).build().fit();
    assertThat(rest.history()).extracting(EpochStats::epoch).containsExactly(3, 4);
    assertThat(rest.stopReason()).isEqualTo(StopReason.EARLY_STOP);
    assertThat(rest.bestEpoch()).isEqualTo(whole.bestEpoch());
    assertThat(second.state()).isEqualTo(straight.state());
    assertThat(dir.resolve("epoch-2.optimizer.safetensors")).exists();
    assertThat(SafeTensors.readMetadata(dir.resolve("epoch-2.safetensors")))
        .containsEntry("model", "linear").containsEntry("epoch", "2");
  }

  @Test
  void aStateFromInsideAnEpochResumesOnlyOnTheSameBatches() throws IOException {
    LinearRegressionProgram first = program();
    TrainingState state = trainer(first).steps(2).build().fit().state();
    String where = "the training state stopped inside epoch 1 (after batch 2), so it resumes only on the same batches, but ";
    Dataset fewer = data().select(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8});
    assertThatThrownBy(() -> Trainer.builder(program(), fewer).steps(1).seed(11).resume(state).quiet().build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage(where + "it was training on 10 rows and this data has 9");
    assertThatThrownBy(() -> trainer(program()).steps(1).seed(12).resume(state).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage(where + "its shuffling seed was 11 and this one is 12");
    assertThatThrownBy(() -> trainer(program()).steps(1).shuffle(false).resume(state).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage(where + "its batches were shuffled and these are in file order");
    assertThatThrownBy(() -> trainer(new LinearRegressionProgram(2, 2, 0.9f)).steps(1).resume(state).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage(where + "its batch size was 3 and this program's is 2");
    // At an epoch's end any data goes on.
    TrainingState boundary = trainer(program()).epochs(1).build().fit().state();
    assertThat(Trainer.builder(program(), fewer).steps(1).resume(boundary).quiet().build().fit().state().epochsDone())
        .isEqualTo(1);
  }

  @Test
  void restoringNeedsTheOptimizerStateAndItsPosition() throws IOException {
    trainer(program()).epochs(1).checkpoints(dir).build().fit();
    Files.delete(dir.resolve("epoch-1.optimizer.safetensors"));
    assertThatThrownBy(() -> Checkpoints.restore(dir.resolve("epoch-1.safetensors"), program()))
        .isInstanceOf(ParameterFileException.class)
        .hasMessage("epoch-1.optimizer.safetensors: does not exist; resuming needs the optimizer state beside epoch-1.safetensors");
  }

  @Test
  void theStateReadsBackFromItsMetadataAndBadValuesNameTheKey() {
    TrainingState s = new TrainingState(3, 2, 14, 14, 16, 120, true, -7, 0.1 + 0.2, 32, 2, 0.30000000000000004,
        Double.POSITIVE_INFINITY, 1);
    Map<String, String> m = s.toMetadata();
    assertThat(m.keySet()).containsExactlyElementsOf(TrainingState.KEYS);
    assertThat(TrainingState.fromMetadata(m)).contains(s);
    assertThat(TrainingState.fromMetadata(Map.of("epoch", "3"))).isEmpty();
    Map<String, String> bad = new LinkedHashMap<>(m);
    bad.put("training_step", "14.5");
    assertThatThrownBy(() -> TrainingState.fromMetadata(bad)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("metadata key 'training_step' is '14.5', not an integer");
    bad.remove("training_step");
    assertThatThrownBy(() -> TrainingState.fromMetadata(bad)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("metadata key 'training_step' is missing; the training position is incomplete");
    assertThat(List.of(s.midEpoch(), new TrainingState(3, 0, 12, 12, 16, 120, true, 1, 0, 0, 0, 1, 1, 0).midEpoch()))
        .containsExactly(true, false);
  }
}
