package dev.fusebox.runtime.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fusebox.runtime.data.Dataset;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Training with integer labels, end to end, on a logistic regression small enough to work by hand. */
class ClassificationTest {

  @Test
  void oneStepMatchesTheGradientWorkedByHand() throws IOException {
    // x = 1 with label 1 and x = -1 with label 0; w = b = 0 gives p = 0.5 and loss ln 2 for both rows.
    // dL/dw = mean((p - y) x) = ((-0.5)(1) + (0.5)(-1)) / 2 = -0.5, dL/db = 0; at lr 1: w = 0.5, b = 0.
    LogisticRegressionProgram program = new LogisticRegressionProgram(2, 1);
    Dataset data = Dataset.ofClasses(new float[] {1, -1}, 1, new int[] {1, 0}, 2);
    TrainingResult result = Trainer.builder(program, data).steps(1).shuffle(false).schedule(Schedule.constant(1))
        .quiet().build().fit();
    assertThat(result.history().get(0).trainLoss()).isCloseTo(Math.log(2), within(1e-6));
    assertThat(program.read("weight")[0]).isEqualTo(0.5f);
    assertThat(program.read("bias")[0]).isZero();
  }

  @Test
  void learnsASeparableProblemAndReportsValidationAccuracy() throws IOException {
    // Class 1 exactly when x0 + x1 > 0, with a margin.
    float[][] points = {{1, 1}, {2, 0.5f}, {-1, -1}, {-0.5f, -2}, {0.5f, 1.5f}, {-2, 0.5f}, {3, -1}, {-1, -0.5f},
        {1.5f, 0}, {0, -1.5f}};
    int[] labels = {1, 1, 0, 0, 1, 0, 1, 0, 1, 0};
    Dataset train = Dataset.ofClasses(points, labels, 2);
    Dataset valid = Dataset.ofClasses(new float[][] {{2, 2}, {-2, -2}, {1, 0.5f}}, new int[] {1, 0, 1}, 2);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    TrainingResult result = Trainer.builder(new LogisticRegressionProgram(4, 2), train).validation(valid)
        .epochs(30).seed(9).schedule(Schedule.constant(0.5))
        .output(new PrintStream(bytes, true, StandardCharsets.UTF_8)).build().fit();

    Metrics last = result.last().orElseThrow().validation().orElseThrow();
    assertThat(last.accuracy()).hasValue(1.0);
    assertThat(last.mae()).isEmpty();
    assertThat(result.last().orElseThrow().trainLoss()).isLessThan(0.2);
    assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("epoch 30/30  loss 0.").contains("valid_accuracy 1.0000");
  }

  @Test
  void theProgressBarIsReplacedByEachEpochsLineOnStandardError() throws IOException {
    Dataset data = Dataset.ofClasses(new float[] {1, -1, 2, -2, 3}, 1, new int[] {1, 0, 1, 0, 1}, 2);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream saved = System.err;
    System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    TrainingResult result;
    long[] now = {0};
    try {
      // A clock that moves on a redraw's interval at every read, so that every step redraws the bar.
      result = Trainer.builder(new LogisticRegressionProgram(2, 1), data).validation(data).epochs(2)
          .schedule(Schedule.constant(0.1)).progressBar(true).clock(() -> now[0] += Progress.Bar.REDRAW_NANOS).build().fit();
    } finally {
      System.setErr(saved);
    }
    assertThat(result.stopReason()).isEqualTo(StopReason.COMPLETED);
    String err = bytes.toString(StandardCharsets.UTF_8);
    // The bar redraws in place with carriage returns and is blanked before each epoch's line.
    assertThat(err).contains("\repoch 1/2 [=============>      ] 2/3  loss ")
        .containsPattern("\repoch 1/2 \\[=+\\] 3/3  loss \\d\\.\\d{4}  \\d+\\.\\d s\r +\repoch 1/2  loss \\d\\.\\d{4}  valid_loss ")
        .containsPattern("\r +\repoch 2/2  loss \\d\\.\\d{4}  valid_loss .*  valid_accuracy 1\\.0000  \\d+\\.\\d s\n$");
  }
}
