package dev.fusebox.runtime.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.fusebox.runtime.data.Dataset;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoppingTest {
  private static final String DIAGNOSTIC = "mul 'z' (#3) at Model.java:7 produced NaN at [0, 1]";

  @TempDir Path dir;

  /** Four rows in batches of two: two steps per epoch. */
  private static Dataset train() {
    return Dataset.ofClasses(new float[] {0, 1, 2, 3}, 1, new int[] {0, 1, 0, 1}, 2);
  }

  /** Two rows, one batch: one forward() per validation, so the scripted validation losses go one per epoch. */
  private static Dataset valid() {
    return Dataset.ofClasses(new float[] {5, 6}, 1, new int[] {1, 0}, 2);
  }

  private static ScriptedProgram program() {
    return new ScriptedProgram(2, 1, ScriptedProgram.labels("y", 2, 2));
  }

  @Test
  void earlyStoppingCountsEpochsWithoutImprovement() throws IOException {
    ScriptedProgram program = program().validLosses(1.0f, 0.8f, 0.85f, 0.79f, 0.9f, 0.95f, 0.7f);
    TrainingResult result = Trainer.builder(program, train()).validation(valid()).epochs(10).earlyStopping(2, 0)
        .quiet().build().fit();
    // 1.0 best; 0.8 better; 0.85 worse (1); 0.79 better; 0.9 worse (1); 0.95 worse (2): stop after epoch 6.
    assertThat(result.stopReason()).isEqualTo(StopReason.EARLY_STOP);
    assertThat(result.history()).hasSize(6);
    assertThat(result.bestEpoch()).isEqualTo(4);
    assertThat(result.steps()).isEqualTo(12);
    assertThat(result.best().orElseThrow().validation().orElseThrow().loss()).isEqualTo(0.79f);
  }

  @Test
  void earlyStoppingIgnoresImprovementsSmallerThanMinDelta() throws IOException {
    ScriptedProgram program = program().validLosses(1.0f, 0.8f, 0.85f, 0.79f, 0.9f, 0.95f, 0.7f);
    TrainingResult result = Trainer.builder(program, train()).validation(valid()).epochs(10).earlyStopping(2, 0.05)
        .quiet().build().fit();
    // 0.79 is not below 0.8 - 0.05, so epochs 3 and 4 both count as no improvement: stop after epoch 4.
    // It is still the lowest validation loss, and so the best epoch.
    assertThat(result.stopReason()).isEqualTo(StopReason.EARLY_STOP);
    assertThat(result.history()).hasSize(4);
    assertThat(result.bestEpoch()).isEqualTo(4);
  }

  @Test
  void withoutEarlyStoppingAllEpochsRun() throws IOException {
    ScriptedProgram program = program().validLosses(1.0f, 2f, 3f, 4f);
    TrainingResult result = Trainer.builder(program, train()).validation(valid()).epochs(4).quiet().build().fit();
    assertThat(result.stopReason()).isEqualTo(StopReason.COMPLETED);
    assertThat(result.history()).extracting(s -> s.validation().orElseThrow().loss()).containsExactly(1.0, 2.0, 3.0, 4.0);
    assertThat(result.bestEpoch()).isEqualTo(1);
  }

  @Test
  void aNonFiniteLossStopsTrainingAndSaysWhere() throws IOException {
    ScriptedProgram program = program().trainLosses(1f, 1f, 1f, Float.NaN).diagnostic(DIAGNOSTIC);
    Path csv = dir.resolve("log.csv");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    TrainingResult result = Trainer.builder(program, train()).validation(valid()).epochs(5).log(csv)
        .checkpoints(dir.resolve("ckpt")).output(new PrintStream(bytes, true, StandardCharsets.UTF_8)).build().fit();

    assertThat(result.stopReason()).isEqualTo(StopReason.NON_FINITE_LOSS);
    NonFiniteLoss where = result.nonFinite().orElseThrow();
    assertThat(where.epoch()).isEqualTo(2);
    assertThat(where.step()).isEqualTo(4);
    assertThat(where.loss()).isNaN();
    assertThat(where.diagnostic()).isEqualTo(DIAGNOSTIC);
    assertThat(where.message()).isEqualTo("loss is NaN at epoch 2, step 4: " + DIAGNOSTIC);
    assertThat(result.steps()).isEqualTo(4);
    // The diverged epoch is neither recorded nor validated nor checkpointed.
    assertThat(result.history()).hasSize(1);
    assertThat(program.forwards()).isEqualTo(1);
    assertThat(dir.resolve("ckpt/epoch-2.safetensors")).doesNotExist();
    assertThat(Files.readAllLines(csv)).hasSize(5).last().asString().startsWith("2,4,NaN,");
    assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("stopped: loss is NaN at epoch 2, step 4: " + DIAGNOSTIC);
  }

  @Test
  void anInfiniteLossCountsAsNonFiniteEvenWithoutADiagnostic() throws IOException {
    ScriptedProgram program = program().trainLosses(Float.POSITIVE_INFINITY);
    TrainingResult result = Trainer.builder(program, train()).epochs(2).quiet().build().fit();
    assertThat(result.nonFinite().orElseThrow().message())
        .isEqualTo("loss is Infinity at epoch 1, step 1: the program reports no non-finite node");
    assertThat(result.history()).isEmpty();
    assertThat(result.bestEpoch()).isZero();
  }

  @Test
  void canThrowOnANonFiniteLossAfterFlushingTheLog() throws IOException {
    ScriptedProgram program = program().trainLosses(1f, 1f, 1f, Float.NaN).diagnostic(DIAGNOSTIC);
    Path csv = dir.resolve("log.csv");
    Trainer trainer = Trainer.builder(program, train()).epochs(5).log(csv).failOnNonFiniteLoss(true).quiet().build();

    NonFiniteLossException e = catchThrowableOfType(NonFiniteLossException.class, trainer::fit);
    assertThat(e).hasMessage("loss is NaN at epoch 2, step 4: " + DIAGNOSTIC);
    assertThat(e.details().step()).isEqualTo(4);
    assertThat(e.result().history()).hasSize(1);
    assertThat(e.result().stopReason()).isEqualTo(StopReason.NON_FINITE_LOSS);
    assertThat(Files.readAllLines(csv)).hasSize(5);
  }

  @Test
  void aStepListenerCanStopTrainingAndTheShortEpochIsStillReported() throws IOException {
    ScriptedProgram program = program();
    TrainingListener stopAtThree = new TrainingListener() {
      @Override
      public Decision onStep(StepEvent event) {
        return event.step() == 3 ? Decision.STOP : Decision.CONTINUE;
      }
    };
    TrainingResult result = Trainer.builder(program, train()).validation(valid()).epochs(5).listener(stopAtThree)
        .quiet().build().fit();
    assertThat(result.stopReason()).isEqualTo(StopReason.LISTENER);
    assertThat(result.steps()).isEqualTo(3);
    assertThat(result.history()).extracting(EpochStats::steps).containsExactly(2, 1);
    assertThat(result.history().get(1).rows()).isEqualTo(2);
    assertThat(program.forwards()).isEqualTo(2); // both epochs validated
  }

  @Test
  void anEpochListenerCanStopTrainingAndEveryListenerHearsEveryEvent() throws IOException {
    List<String> heard = new ArrayList<>();
    TrainingListener stopAfterTwo = new TrainingListener() {
      @Override
      public Decision onEpoch(EpochEvent event) {
        heard.add("a" + event.stats().epoch() + (event.best() ? "*" : ""));
        return event.stats().epoch() == 2 ? Decision.STOP : Decision.CONTINUE;
      }
    };
    TrainingListener recorder = new TrainingListener() {
      @Override
      public Decision onStep(StepEvent event) {
        heard.add("s" + event.step() + "/" + event.epoch() + "." + event.batch());
        return Decision.CONTINUE;
      }

      @Override
      public Decision onEpoch(EpochEvent event) {
        heard.add("b" + event.stats().epoch() + "of" + event.epochs());
        return Decision.CONTINUE;
      }
    };
    ScriptedProgram program = program().validLosses(2f, 1f, 3f);
    TrainingResult result = Trainer.builder(program, train()).validation(valid()).epochs(3).listener(stopAfterTwo)
        .listener(recorder).quiet().build().fit();
    assertThat(result.stopReason()).isEqualTo(StopReason.LISTENER);
    assertThat(heard).containsExactly("s1/1.1", "s2/1.2", "a1*", "b1of3", "s3/2.1", "s4/2.2", "a2*", "b2of3");
  }

  @Test
  void aListenerThatThrowsAbortsTrainingWithItsExceptionAfterTheLogIsFlushed() throws IOException {
    TrainingListener broken = new TrainingListener() {
      @Override
      public Decision onStep(StepEvent event) {
        throw new IllegalStateException("listener failed");
      }
    };
    Path csv = dir.resolve("log.csv");
    assertThatThrownBy(() -> Trainer.builder(program(), train()).epochs(1).listener(broken).log(csv).quiet().build()
        .fit()).hasMessage("listener failed");
    List<String> lines = Files.readAllLines(csv);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(1)).startsWith("1,1,1.0,");
  }
}
