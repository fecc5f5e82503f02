package dev.fusebox.runtime.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.data.Dataset;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The scripted program predicts its features, so each data set below spells out its predictions. */
class EvaluatorTest {

  @Test
  void accuracyIsTheShareOfRowsWhoseLargestPredictionIsTheLabel() {
    ScriptedProgram program = new ScriptedProgram(2, 3, ScriptedProgram.labels("y", 2, 3));
    Dataset data = Dataset.ofClasses(new float[][] {
        {0.1f, 0.7f, 0.2f}, // 1, right
        {0.9f, 0.0f, 0.1f}, // 0, wrong
        {0.3f, 0.3f, 0.2f}, // a tie between 0 and 1 goes to 0, right
        {-1f, -2f, -0.5f}, // 2, right
        {0.5f, 0.6f, 0.4f}, // 1, wrong
    }, new int[] {1, 2, 0, 2, 0}, 3);

    Metrics m = Evaluator.of(program).evaluate(data);

    assertThat(m.rows()).isEqualTo(5);
    assertThat(m.accuracy()).hasValue(0.6);
    assertThat(m.mae()).isEmpty();
    assertThat(m.rmse()).isEmpty();
    // The loss is the first feature's mean over each batch's valid rows, so the data set's loss is its
    // mean over all 5 rows: (0.1 + 0.9 + 0.3 - 1 + 0.5) / 5. Averaging the 3 batch means would give 0.2167.
    assertThat(m.loss()).isCloseTo(0.16, within(1e-7));
    assertThat(program.forwards()).isEqualTo(3);
    assertThat(program.validRows()).isEqualTo(2);
  }

  @Test
  void aSingleColumnIsABinaryLogitAboveZeroForClassOne() {
    ScriptedProgram program = new ScriptedProgram(4, 1, ScriptedProgram.labels("y", 4, 2));
    Dataset data = Dataset.ofClasses(new float[] {2f, -1f, 0f, 0.5f, -3f}, 1, new int[] {1, 0, 1, 0, 0}, 2);
    // Predicted 1, 0, 0 (0 is not above 0), 1, 0: rows 0, 1 and 4 are right.
    assertThat(Evaluator.of(program).evaluate(data).accuracy()).hasValue(0.6);
  }

  @Test
  void regressionScoresMaeAndRmseOverEveryTargetValue() {
    ScriptedProgram program = new ScriptedProgram(2, 2, ScriptedProgram.targets("y", 2, 2));
    Dataset data = Dataset.ofTargets(new float[][] {{1, 2}, {3, 4}, {5, 6}}, new float[][] {{1, 0}, {4, 4}, {5, 9}});
    // Errors 0, 2, -1, 0, 0, -3: MAE 6/6 = 1, RMSE √(14/6).
    Metrics m = Evaluator.of(program).evaluate(data);
    assertThat(m.mae()).hasValue(1.0);
    assertThat(m.rmse().getAsDouble()).isCloseTo(Math.sqrt(14.0 / 6), within(1e-12));
    assertThat(m.accuracy()).isEmpty();
    assertThat(m.loss()).isCloseTo(3.0, within(1e-7)); // mean of 1, 3, 5
  }

  @Test
  void scoresAnUntrainedLinearModelAsWorkedByHand() {
    // w = b = 0 predicts 0 for targets 2, 4, 6, 8: MSE (4 + 16 + 36 + 64) / 4 = 30, MAE 5, RMSE √30.
    // Batches of 3 rows leave a last batch of 1, which must count once, not three times.
    LinearRegressionProgram program = new LinearRegressionProgram(3, 1, 0f);
    Metrics m = Evaluator.of(program)
        .evaluate(Dataset.ofTargets(new float[] {1, 2, 3, 4}, 1, new float[] {2, 4, 6, 8}, 1));
    assertThat(m.loss()).isCloseTo(30.0, within(1e-6));
    assertThat(m.mae()).hasValue(5.0);
    assertThat(m.rmse().getAsDouble()).isCloseTo(Math.sqrt(30), within(1e-12));
  }

  @Test
  void predictCollectsEveryRowsPredictionInFileOrder() {
    ScriptedProgram program = new ScriptedProgram(2, 2, ScriptedProgram.labels("y", 2, 2));
    Dataset unlabelled = Dataset.ofFeatures(new float[][] {{1, 2}, {3, 4}, {5, 6}});
    FloatTensor predictions = Evaluator.of(program).predict(unlabelled);
    assertThat(predictions.shape()).containsExactly(3, 2);
    assertThat(predictions.data()).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(program.validRows()).isEqualTo(2);
  }

  @Test
  void noRowsGiveNoPredictionsButCannotBeScored() {
    ScriptedProgram program = new ScriptedProgram(2, 2, ScriptedProgram.labels("y", 2, 2));
    Dataset empty = Dataset.ofClasses(new float[0], 2, new int[0], 2);
    assertThat(Evaluator.of(program).predict(empty).shape()).containsExactly(0, 2);
    assertThatThrownBy(() -> Evaluator.of(program).evaluate(empty))
        .hasMessage("cannot score the data set Dataset[0 rows × 2 features, 2 classes]: it has no rows");
  }

  @Test
  void formatsScoresForLogs() {
    Metrics m = Metrics.classification(10, 0.43771, 0.912);
    assertThat(m.format("valid_")).isEqualTo("valid_loss 0.4377  valid_accuracy 0.9120");
    assertThat(Metrics.regression(3, 1, 2, 3.5).format("")).isEqualTo("loss 1.0000  mae 2.0000  rmse 3.5000");
  }

  @Test
  void hugeAndTinyValuesPrintInScientificNotationAsPyTorchDoes() {
    // torch.tensor(1.5418205017092413e35) prints 1.5418e+35, torch.tensor(1e8) 1.0000e+08, torch.tensor(3.2e-6) 3.2000e-06.
    assertThat(Metrics.formatValue(1.5418205017092413e35)).isEqualTo("1.5418e+35");
    assertThat(Metrics.formatValue(1e8)).isEqualTo("1.0000e+08");
    assertThat(Metrics.formatValue(-2.5e9)).isEqualTo("-2.5000e+09");
    assertThat(Metrics.formatValue(3.2e-6)).isEqualTo("3.2000e-06");
    assertThat(Metrics.formatValue(99_999_999.5)).isEqualTo("99999999.5000");
    assertThat(Metrics.formatValue(1e-4)).isEqualTo("0.0001");
    assertThat(Metrics.formatValue(0)).isEqualTo("0.0000");
    assertThat(Metrics.formatValue(Double.NaN)).isEqualTo("NaN");
    assertThat(Metrics.formatValue(Double.POSITIVE_INFINITY)).isEqualTo("Infinity");
    assertThat(Metrics.classification(4, 1.5418205017092413e35, 0.25).format("")).isEqualTo("loss 1.5418e+35  accuracy 0.2500");
  }

  @Test
  void toStringShowsTheMetricsThatApplyWithoutOptionalWrappers() {
    assertThat(Metrics.classification(30, 0.0625, 0.875)).hasToString("Metrics[rows=30, loss=0.0625, accuracy=0.875]");
    assertThat(Metrics.regression(3, 1, 2, 3.5)).hasToString("Metrics[rows=3, loss=1.0, mae=2.0, rmse=3.5]");
    EpochStats stats = new EpochStats(2, 8, 120, 0.5, 0.01, Optional.of(Metrics.classification(30, 0.25, 0.75)),
        Duration.ofMillis(1500));
    assertThat(stats).hasToString("EpochStats[epoch=2, steps=8, rows=120, trainLoss=0.5, lr=0.01, "
        + "validation=Metrics[rows=30, loss=0.25, accuracy=0.75], elapsed=1.5 s]");
  }

  @Test
  void explainsDataItCannotScore() {
    Evaluator classes = Evaluator.of(new ScriptedProgram(2, 2, ScriptedProgram.labels("y", 2, 3)));
    Dataset unlabelled = Dataset.ofFeatures(new float[][] {{1, 2}});
    assertThatThrownBy(() -> classes.evaluate(unlabelled)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot score the data set Dataset[1 rows × 2 features]: it has no labels or targets; "
            + "use predict for unlabelled data");
    // Two prediction columns cannot tell three classes apart.
    Dataset threeClasses = Dataset.ofClasses(new float[][] {{1, 2}}, new int[] {2}, 3);
    assertThatThrownBy(() -> classes.evaluate(threeClasses)).hasMessage("output 'prediction' has 2 columns but the "
        + "data set Dataset[1 rows × 2 features, 3 classes] has 3 classes");

    Evaluator binary = Evaluator.of(new ScriptedProgram(2, 1, ScriptedProgram.labels("y", 2, 3)));
    assertThatThrownBy(() -> binary.evaluate(Dataset.ofClasses(new float[][] {{1}}, new int[] {2}, 3)))
        .hasMessage("output 'prediction' has one column, a binary logit, but the data set "
            + "Dataset[1 rows × 1 features, 3 classes] has 3 classes");

    Evaluator regression = Evaluator.of(new ScriptedProgram(2, 2, ScriptedProgram.targets("y", 2, 3)));
    assertThatThrownBy(() -> regression.evaluate(Dataset.ofTargets(new float[][] {{1, 2}}, new float[][] {{1, 2, 3}})))
        .hasMessage("output 'prediction' has 2 columns but the data set Dataset[1 rows × 2 features, 3 targets] "
            + "has 3 targets");
  }
}
