package dev.fusebox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fusebox train --micro-batch M --workers N}: the same files to the byte for every N. */
class WorkersCommandTest {
  @TempDir Path dir;
  Path spec;
  Path data;

  @BeforeEach
  void files() {
    spec = Cli.resource("iris.json", dir); // batch 16
    data = Cli.resource("iris-train.csv", dir); // 120 rows: every epoch ends with a batch of 8
  }

  Cli.Result train(Object... more) {
    Object[] args = new Object[6 + more.length];
    System.arraycopy(new Object[] {"train", spec, "--data", data, "--label", "species"}, 0, args, 0, 6);
    System.arraycopy(more, 0, args, 6, more.length);
    return Cli.run(args);
  }

  byte[] bytes(String file) throws IOException {
    return Files.readAllBytes(dir.resolve(file));
  }

  @Test
  void everyNumberOfWorkersWritesTheSameFiles() throws IOException {
    // Micro-batches of 3: six a full batch (the last of one row), three in each epoch's last batch of 8.
    Cli.Result one = train("--epochs", 2, "--micro-batch", 3, "--out", dir.resolve("w1.safetensors"));
    assertThat(one.exitCode()).as(one.err()).isZero();
    assertThat(one.outLines().get(0)).isEqualTo("train iris.json (4-16-3, adam) on iris-train.csv: 120 rows, batch 16 in "
        + "micro-batches of 3 on 1 worker, 2 epochs");
    for (int workers = 2; workers <= 4; workers++) {
      Cli.Result r = train("--epochs", 2, "--micro-batch", 3, "--workers", workers, "--out", dir.resolve("w" + workers + ".safetensors"));
      assertThat(r.exitCode()).as(r.err()).isZero();
      assertThat(r.err()).isEmpty();
      assertThat(r.outLines().get(0)).endsWith("batch 16 in micro-batches of 3 on " + workers + " workers, 2 epochs");
      assertThat(bytes("w" + workers + ".safetensors")).as("parameters, %d workers", workers).isEqualTo(bytes("w1.safetensors"));
      assertThat(bytes("w" + workers + ".optimizer.safetensors")).as("optimizer state, %d workers", workers)
          .isEqualTo(bytes("w1.optimizer.safetensors"));
    }
    // Another micro-batching is another order of sums: the test above could fail.
    train("--epochs", 2, "--micro-batch", 4, "--out", dir.resolve("m4.safetensors"));
    assertThat(SafeTensors.read(dir.resolve("m4.safetensors")).tensors()).isNotEqualTo(SafeTensors.read(dir.resolve("w1.safetensors")).tensors());
  }

  @Test
  void oneMicroBatchPerBatchTrainsWhatPlainTrainDoesWithinRounding() throws IOException {
    train("--epochs", 2, "--out", dir.resolve("plain.safetensors"));
    train("--epochs", 2, "--micro-batch", 16, "--out", dir.resolve("split.safetensors"));
    NamedTensors plain = SafeTensors.read(dir.resolve("plain.safetensors")).tensors();
    NamedTensors split = SafeTensors.read(dir.resolve("split.safetensors")).tensors();
    assertThat(split.names()).isEqualTo(plain.names());
    float max = 0;
    for (String name : plain.names()) {
      float[] a = plain.get(name).data(), b = split.get(name).data();
      for (int i = 0; i < a.length; i++) {
        assertThat(Math.abs(a[i] - b[i])).as("%s[%d]", name, i).isLessThan(1e-5f);
        max = Math.max(max, Math.abs(a[i] - b[i]));
      }
    }
    System.out.println("iris, 16 steps: --micro-batch 16 against plain train, max |difference| " + max);
  }

  @Test
  void resumingWithWorkersContinuesExactly() throws IOException {
    assertThat(train("--steps", 16, "--micro-batch", 5, "--workers", 2, "--out", dir.resolve("whole.safetensors")).exitCode()).isZero();
    assertThat(train("--steps", 7, "--micro-batch", 5, "--workers", 3, "--out", dir.resolve("half.safetensors")).exitCode()).isZero();
    Cli.Result r = train("--steps", 9, "--micro-batch", 5, "--init", dir.resolve("half.safetensors"), "--out",
        dir.resolve("resumed.safetensors"));
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(bytes("resumed.safetensors")).isEqualTo(bytes("whole.safetensors"));
    assertThat(bytes("resumed.optimizer.safetensors")).isEqualTo(bytes("whole.optimizer.safetensors"));
  }

  @Test
  void badWorkerOptionsAreOneLineErrors() {
    Cli.Result noMicro = train("--workers", 2);
    assertThat(noMicro.exitCode()).isEqualTo(1);
    assertThat(noMicro.err()).contains("--workers 2 needs --micro-batch M");
    Cli.Result tooLarge = train("--micro-batch", 17);
    assertThat(tooLarge.exitCode()).isEqualTo(1);
    assertThat(tooLarge.err()).contains("--micro-batch 17 is larger than the batch of 16 rows in iris.json; give at most 16");
    Cli.Result zero = train("--micro-batch", 0);
    assertThat(zero.exitCode()).isEqualTo(1);
    assertThat(zero.err()).contains("--micro-batch must be at least 1, not 0");
    Cli.Result noWorkers = train("--micro-batch", 4, "--workers", 0);
    assertThat(noWorkers.exitCode()).isEqualTo(1);
    assertThat(noWorkers.err()).contains("--workers must be at least 1, not 0");

    Cli.Result many = train("--steps", 1, "--micro-batch", 8, "--workers", 5, "--out", dir.resolve("m.safetensors"));
    assertThat(many.exitCode()).as(many.err()).isZero();
    assertThat(many.error()).isEqualTo("fusebox: note: a batch of 16 rows is 2 micro-batches of 8; --workers 5 uses 2 threads");
  }
}
