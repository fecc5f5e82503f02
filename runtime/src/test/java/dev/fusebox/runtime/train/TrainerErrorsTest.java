package dev.fusebox.runtime.train;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusebox.runtime.InputKind;
import dev.fusebox.runtime.InputSpec;
import dev.fusebox.runtime.data.Dataset;
import org.junit.jupiter.api.Test;

/** Data or options that cannot work fail when the trainer is built, naming the input and both shapes. */
class TrainerErrorsTest {
  private static final Dataset THREE_FEATURES_TWO_CLASSES =
      Dataset.ofClasses(new float[][] {{1, 2, 3}, {4, 5, 6}}, new int[] {0, 1}, 2);

  private static LinearRegressionProgram linear() {
    return new LinearRegressionProgram(2, 1, 0f);
  }

  private static Dataset doubling() {
    return Dataset.ofTargets(new float[] {1, 2, 3, 4}, 1, new float[] {2, 4, 6, 8}, 1);
  }

  @Test
  void featureCountMustMatchTheFeaturesInput() {
    ScriptedProgram program = new ScriptedProgram(2, 4, ScriptedProgram.labels("y", 2, 2));
    assertThatThrownBy(() -> Trainer.builder(program, THREE_FEATURES_TWO_CLASSES).epochs(1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("input x[2, 4] features takes 4 features per row but the training data "
            + "Dataset[2 rows × 3 features, 2 classes] has 3");
  }

  @Test
  void labelInputsNeedLabels() {
    ScriptedProgram program = new ScriptedProgram(2, 1, ScriptedProgram.labels("y", 2, 2));
    assertThatThrownBy(() -> Trainer.builder(program, doubling()).epochs(1).build())
        .hasMessage("input y[2] labels (2 classes) takes class labels but the training data "
            + "Dataset[4 rows × 1 features, 1 targets] has none");
    ScriptedProgram oneHot = new ScriptedProgram(2, 1, ScriptedProgram.oneHot("t", 2, 3));
    assertThatThrownBy(() -> Trainer.builder(oneHot, doubling()).epochs(1).build())
        .hasMessage("input t[2, 3] one_hot takes class labels but the training data "
            + "Dataset[4 rows × 1 features, 1 targets] has none");
  }

  @Test
  void theDataMayNotHaveMoreClassesThanTheInput() {
    ScriptedProgram program = new ScriptedProgram(2, 3, ScriptedProgram.labels("y", 2, 1));
    assertThatThrownBy(() -> Trainer.builder(program, THREE_FEATURES_TWO_CLASSES).epochs(1).build())
        .hasMessage("input y[2] labels (1 classes) takes 1 classes but the training data "
            + "Dataset[2 rows × 3 features, 2 classes] has 2");
  }

  @Test
  void targetInputsNeedTargetsOfTheirWidth() {
    ScriptedProgram program = new ScriptedProgram(2, 3, ScriptedProgram.targets("y", 2, 2));
    assertThatThrownBy(() -> Trainer.builder(program, THREE_FEATURES_TWO_CLASSES).epochs(1).build())
        .hasMessage("input y[2, 2] targets takes regression targets but the training data "
            + "Dataset[2 rows × 3 features, 2 classes] has none");
    Dataset oneTarget = Dataset.ofTargets(new float[][] {{1, 2, 3}}, new float[][] {{1}});
    assertThatThrownBy(() -> Trainer.builder(program, oneTarget).epochs(1).build())
        .hasMessage("input y[2, 2] targets takes 2 targets per row but the training data "
            + "Dataset[1 rows × 3 features, 1 targets] has 1");
  }

  @Test
  void validationDataIsCheckedToo() {
    Dataset twoFeatures = Dataset.ofTargets(new float[][] {{1, 2}}, new float[][] {{1}});
    assertThatThrownBy(() -> Trainer.builder(linear(), doubling()).validation(twoFeatures).epochs(1)
        .schedule(Schedule.constant(0.1)).build())
        .hasMessage("input x[2, 1] features takes 1 features per row but the validation data "
            + "Dataset[1 rows × 2 features, 1 targets] has 2");
  }

  @Test
  void aRequestedBatchSizeMustBeTheProgramsOwn() {
    assertThatThrownBy(() -> Trainer.builder(linear(), doubling()).batchSize(32).epochs(1)
        .schedule(Schedule.constant(0.1)).build())
        .hasMessage("batch size 32 was asked for but the program is compiled for batch size 2; inputs: "
            + "[x[2, 1] features, y[2, 1] targets, lr[] scalar]");
  }

  @Test
  void everyBatchedInputMustHaveTheProgramsBatchSize() {
    ScriptedProgram program = new ScriptedProgram(2, 1,
        new InputSpec("y", new int[] {3}, InputKind.LABELS, 2));
    assertThatThrownBy(() -> Trainer.builder(program, Dataset.ofClasses(new float[] {1}, 1, new int[] {0}, 2))
        .epochs(1).build())
        .hasMessage("input y[3] labels (2 classes) has batch dimension 3 but the program's batch size is 2; "
            + "inputs: [x[2, 1] features, y[3] labels (2 classes)]");
  }

  @Test
  void thereMustBeExactlyOneFeaturesInput() {
    ScriptedProgram program = new ScriptedProgram(2, 1,
        new InputSpec("x2", new int[] {2, 1}, InputKind.FEATURES, 0));
    assertThatThrownBy(() -> Trainer.builder(program, doubling()).epochs(1).build())
        .hasMessage("the program needs exactly one features input to feed the training data "
            + "Dataset[4 rows × 1 features, 1 targets] to, but has 2 [x, x2]; inputs: [x[2, 1] features, "
            + "x2[2, 1] features]");
  }

  @Test
  void aScheduleNeedsALearningRateInput() {
    ScriptedProgram noLr = new ScriptedProgram(2, 1, ScriptedProgram.targets("y", 2, 1));
    assertThatThrownBy(() -> Trainer.builder(noLr, doubling()).epochs(1).schedule(Schedule.constant(0.1)).build())
        .hasMessage("a schedule was given but the program has no scalar input 'lr' to set; inputs: "
            + "[x[2, 1] features, y[2, 1] targets]");
    ScriptedProgram lrNotScalar = new ScriptedProgram(2, 1, ScriptedProgram.targets("lr", 2, 1));
    assertThatThrownBy(() -> Trainer.builder(lrNotScalar, doubling()).epochs(1).build())
        .hasMessage("input 'lr' is reserved for the learning rate and must be a scalar, not lr[2, 1] targets");
  }

  @Test
  void optionsMustAgree() {
    assertThatThrownBy(() -> Trainer.builder(linear(), doubling()).schedule(Schedule.constant(0.1)).build())
        .isInstanceOf(IllegalStateException.class).hasMessage("set either epochs(n) or steps(n)");
    assertThatThrownBy(() -> Trainer.builder(linear(), doubling()).epochs(2).steps(10).build())
        .hasMessage("set either epochs(n) or steps(n), not both");
    assertThatThrownBy(() -> Trainer.builder(linear(), doubling()).epochs(2).earlyStopping(3, 0)
        .schedule(Schedule.constant(0.1)).build())
        .hasMessage("early stopping watches the validation loss: give validation(data) too");
    assertThatThrownBy(() -> Trainer.builder(linear(), doubling()).epochs(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("epochs must be at least 1, not 0");
    assertThatThrownBy(() -> Trainer.builder(linear(), doubling()).steps(-1))
        .hasMessage("steps must be at least 1, not -1");
    assertThatThrownBy(() -> Trainer.builder(linear(), doubling()).earlyStopping(0, 0))
        .hasMessage("patience must be at least 1 epoch, not 0");
    assertThatThrownBy(() -> Trainer.builder(linear(), doubling()).earlyStopping(2, -0.1))
        .hasMessage("min delta must be finite and not negative, not -0.1");
  }

  @Test
  void dataMustHaveRows() {
    Dataset empty = doubling().select(new int[0]);
    assertThatThrownBy(() -> Trainer.builder(linear(), empty).epochs(1).schedule(Schedule.constant(0.1)).build())
        .hasMessage("the training data Dataset[0 rows × 1 features, 1 targets] has no rows");
    assertThatThrownBy(() -> Trainer.builder(linear(), doubling()).validation(empty).epochs(1)
        .schedule(Schedule.constant(0.1)).build())
        .hasMessage("the validation data Dataset[0 rows × 1 features, 1 targets] has no rows");
  }
}
