package dev.fusebox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sizes no program can have are one line and exit code 1, not an internal error; deep networks train. */
class SizeLimitsTest {
  @TempDir Path dir;

  private Cli.Result train(String spec) {
    Path file = Cli.write(dir.resolve("spec.json"), spec);
    Path iris = Cli.resource("iris.csv", dir);
    return Cli.run("train", file, "--data", iris, "--label", "species", "--out", dir.resolve("m.safetensors"), "--steps", 2);
  }

  private static String spec(String layers, int batch) {
    return "{\"input\": 4, \"layers\": " + layers + ", \"loss\": \"softmax_cross_entropy\", \"optimizer\": {\"type\": \"adam\"}, "
        + "\"batch\": " + batch + ", \"epochs\": 1}";
  }

  @Test
  void aBatchNoArrayCanHoldIsAUserError() {
    Cli.Result r = train(spec("[{\"units\": 3}]", Integer.MAX_VALUE));
    assertThat(r.exitCode()).isEqualTo(Errors.USER);
    assertThat(r.error()).startsWith("fusebox: error: ").contains("elements").contains("a Java array's limit");
  }

  @Test
  void unitsWhoseWeightsOverflowAnArrayAreAUserError() {
    Cli.Result r = train(spec("[{\"units\": 2000000000, \"activation\": \"relu\"}, {\"units\": 3}]", 16));
    assertThat(r.exitCode()).isEqualTo(Errors.USER);
    assertThat(r.error()).startsWith("fusebox: error: ").contains("layers.0.weight").contains("8,000,000,000 elements");
  }

  @Test
  void aBatchLargerThanTheHeapIsAUserErrorNamingTheFlag() {
    Cli.Result r = train(spec("[{\"units\": 3}]", 400_000_000));
    assertThat(r.exitCode()).isEqualTo(Errors.USER);
    assertThat(r.error()).startsWith("fusebox: error: ").contains("-Xmx");
  }

  @Test
  void twoHundredTanhLayersTrain() {
    StringBuilder layers = new StringBuilder("[");
    for (int i = 0; i < 200; i++) layers.append("{\"units\": 8, \"activation\": \"tanh\"}, ");
    Cli.Result r = train(spec(layers.append("{\"units\": 3}]").toString(), 16));
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("done: 2 steps");
  }
}
