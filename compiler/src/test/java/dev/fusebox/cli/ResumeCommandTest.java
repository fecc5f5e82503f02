package dev.fusebox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --init} of a pair resumes where it stopped: N + M steps resumed write byte for byte the
 * files N + M straight write, at any N, with a learning rate that changes every epoch after a warm-up,
 * shuffled batches and dropout, and report the same epochs.
 */
class ResumeCommandTest {
  /** Ten batches an epoch on iris.csv's 150 rows, the last of 6. */
  static final String SPEC = """
      {"input": 4, "layers": [{"units": 16, "activation": "relu", "dropout": 0.2}, {"units": 3}],
       "loss": "softmax_cross_entropy", "optimizer": {"type": "adam", "lr": 0.02}, "batch": 16, "epochs": 3, "seed": 5,
       "schedule": {"type": "step", "step_size": 1, "gamma": 0.5, "warmup_steps": 4}}""";

  @TempDir Path dir;
  Path spec;
  Path iris;

  @BeforeEach
  void files() {
    spec = Cli.write(dir.resolve("resume.json"), SPEC);
    iris = Cli.resource("iris.csv", dir);
  }

  @Test
  void stepsResumedAtAnyStepWriteTheFilesTrainingStraightWrites() throws IOException {
    Path straight = dir.resolve("straight.safetensors");
    assertThat(train("--steps", 25, "--out", straight).exitCode()).isZero();
    for (int n : new int[] {1, 4, 9, 10, 11, 19, 24}) {
      Path first = dir.resolve("first-" + n + ".safetensors");
      Path resumed = dir.resolve("resumed-" + n + ".safetensors");
      assertThat(train("--steps", n, "--out", first).exitCode()).isZero();
      Path log = dir.resolve("log-" + n + ".csv");
      Cli.Result r = train("--steps", 25 - n, "--init", first, "--out", resumed, "--log", log);
      assertThat(r.exitCode()).as(r.err()).isZero();
      int epoch = n / 10 + 1;
      assertThat(r.outLines().get(1)).isEqualTo("resuming from " + first + " and its optimizer state "
          + dir.resolve("first-" + n + ".optimizer.safetensors") + (n % 10 == 0 ? " after epoch " + n / 10 : " in epoch " + epoch
          + " after batch " + n % 10) + " (step " + n + ")");
      assertThat(Files.readAllBytes(resumed)).as("parameters after %d + %d steps", n, 25 - n).isEqualTo(Files.readAllBytes(straight));
      assertThat(Files.readAllBytes(dir.resolve("resumed-" + n + ".optimizer.safetensors"))).as("optimizer state after %d + %d", n,
          25 - n).isEqualTo(Files.readAllBytes(dir.resolve("straight.optimizer.safetensors")));
      // The step log goes on counting from where the first run stopped.
      assertThat(Files.readAllLines(log).get(1)).startsWith(epoch + "," + (n + 1) + ",");
    }
  }

  @Test
  void epochsResumedReportAndWriteWhatTrainingStraightDoes() throws IOException {
    Path straight = dir.resolve("straight.safetensors");
    Cli.Result whole = train("--epochs", 3, "--out", straight);
    assertThat(whole.exitCode()).isZero();

    // Stopped inside the second epoch, then two epochs more: the second (finished) and the third.
    Path first = dir.resolve("first.safetensors");
    assertThat(train("--steps", 13, "--out", first).exitCode()).isZero();
    Path resumed = dir.resolve("resumed.safetensors");
    Cli.Result rest = train("--epochs", 2, "--init", first, "--out", resumed);
    assertThat(rest.exitCode()).as(rest.err()).isZero();
    assertThat(epochLines(rest)).containsExactlyElementsOf(epochLines(whole).subList(1, 3));
    assertThat(epochLines(rest).get(0)).startsWith("epoch 2/3 ");
    assertThat(Files.readAllBytes(resumed)).isEqualTo(Files.readAllBytes(straight));

    // Whole epochs resumed at an epoch's end.
    Path one = dir.resolve("one.safetensors");
    assertThat(train("--epochs", 1, "--out", one).exitCode()).isZero();
    Path two = dir.resolve("two.safetensors");
    assertThat(train("--epochs", 2, "--init", one, "--out", two).exitCode()).isZero();
    assertThat(Files.readAllBytes(dir.resolve("two.optimizer.safetensors")))
        .isEqualTo(Files.readAllBytes(dir.resolve("straight.optimizer.safetensors")));
  }

  @Test
  void aStandardisedModelResumesWithTheStandardisationItRecorded() throws IOException {
    Path straight = dir.resolve("straight.safetensors");
    assertThat(train("--steps", 12, "--standardize", "--out", straight).exitCode()).isZero();
    Path first = dir.resolve("first.safetensors");
    assertThat(train("--steps", 5, "--standardize", "--out", first).exitCode()).isZero();
    Path resumed = dir.resolve("resumed.safetensors");
    // Without --standardize: the model's own standardisation is used, not refitted nor dropped.
    Cli.Result r = train("--steps", 7, "--init", first, "--out", resumed);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(Files.readAllBytes(resumed)).isEqualTo(Files.readAllBytes(straight));
    // A model trained on raw features cannot be continued on standardised ones.
    Path raw = dir.resolve("raw.safetensors");
    assertThat(train("--steps", 2, "--out", raw).exitCode()).isZero();
    Cli.Result refused = train("--steps", 2, "--init", raw, "--standardize", "--out", dir.resolve("x.safetensors"));
    assertThat(refused.exitCode()).isEqualTo(Errors.USER);
    assertThat(refused.error()).isEqualTo("fusebox: error: --standardize: raw.safetensors was trained on features as they are; "
        + "continue it without --standardize, or train a new model");
  }

  @Test
  void aPositionInsideAnEpochIsNotResumedOnOtherBatches() throws IOException {
    Path first = dir.resolve("first.safetensors");
    assertThat(train("--steps", 3, "--out", first).exitCode()).isZero();
    Cli.Result r = train("--steps", 3, "--init", first, "--seed", 6, "--out", dir.resolve("other.safetensors"));
    assertThat(r.exitCode()).isEqualTo(Errors.USER);
    assertThat(r.error()).isEqualTo("fusebox: error: first.optimizer.safetensors: the training state stopped inside epoch 1 "
        + "(after batch 3), so it resumes only on the same batches, but its shuffling seed was 5 and this one is 6; resume with "
        + "the data, batch size and seed it was trained with");
    Cli.Result order = train("--steps", 3, "--init", first, "--no-shuffle", "--out", dir.resolve("other.safetensors"));
    assertThat(order.error()).contains("its batches were shuffled and these are in file order");
    assertThat(dir.resolve("other.safetensors")).doesNotExist();
  }

  /** The epoch lines without their time, which is all that may differ. */
  private static List<String> epochLines(Cli.Result r) {
    return r.outLines().stream().filter(l -> l.startsWith("epoch ")).map(l -> l.replaceAll("  [0-9.]+ s$", "")).toList();
  }

  private Cli.Result train(Object... options) {
    List<Object> args = new ArrayList<>(List.of("train", spec, "--data", iris, "--label", "species"));
    args.addAll(Arrays.asList(options));
    return Cli.run(args.toArray());
  }
}
