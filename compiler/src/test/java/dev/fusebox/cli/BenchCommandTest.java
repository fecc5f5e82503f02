package dev.fusebox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What {@code fusebox bench} prints and returns; never how fast anything is. */
class BenchCommandTest {
  @TempDir Path dir;

  private static final String NUMBER = "[0-9][0-9,]*(\\.[0-9]+)?";

  /** As short as the options allow: this checks the output, not the machine. */
  private Cli.Result quickBench(Path spec) {
    return Cli.run("bench", spec, "--warmup-ms", "0", "--blocks", "3", "--block-ms", "1");
  }

  @Test
  void timesTheCompiledAndTheInterpretedStepAndPrintsTheirRatio() {
    Path spec = Cli.write(dir.resolve("tiny.json"), """
        {"input": 3, "layers": [{"units": 2, "activation": "sigmoid"}, {"units": 1, "activation": "sigmoid"}],
         "loss": "mse", "optimizer": {"type": "sgd", "lr": 0.1}, "batch": 1, "seed": 1}
        """);
    Cli.Result r = quickBench(spec);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    List<String> lines = r.outLines();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).isEqualTo("bench tiny.json (3-2-1, sgd), batch 1: median of 3 blocks of ~1 ms after at least 0 ms of "
        + "warm-up, one thread");
    assertThat(lines.get(1)).matches("vector +" + NUMBER + " us/step  \\(blocks " + NUMBER + " \\.\\. " + NUMBER + " us, " + NUMBER
        + " steps\\)");
    assertThat(lines.get(2)).matches("interpreter +" + NUMBER + " us/step  \\(blocks .*\\)");
    assertThat(lines.get(3)).matches("ratio +" + NUMBER + "x  \\(interpreter time / vector time\\)");
  }

  @Test
  void worksForClassLabelsAndAdam() {
    Path spec = Cli.resource("iris.json", dir);
    Cli.Result r = quickBench(spec);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.outLines()).hasSize(4);
    assertThat(r.outLines().get(0)).startsWith("bench iris.json (4-16-3, adam), batch 16: ");
  }

  @Test
  void aMissingSpecIsOneLineAndExitCode1() {
    Cli.Result r = Cli.run("bench", dir.resolve("none.json"));
    assertThat(r.exitCode()).isEqualTo(Errors.USER);
    assertThat(r.error()).isEqualTo("fusebox: error: " + dir.resolve("none.json") + ": no such file or directory");
    assertThat(r.out()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"--blocks, 0, 1", "--block-ms, 0, 1", "--warmup-ms, -1, 0"})
  void optionsOutOfRangeAreUsageErrors(String option, String value, String least) {
    Path spec = Cli.resource("iris.json", dir);
    Cli.Result r = Cli.run("bench", spec, option, value);
    assertThat(r.exitCode()).isEqualTo(Errors.USER);
    assertThat(r.error()).isEqualTo("fusebox: error: " + option + " must be at least " + least + ", not " + value
        + " (see 'fusebox bench --help')");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void helpListsEveryOption() {
    Cli.Result r = Cli.run("bench", "--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).startsWith("Usage: fusebox bench");
    for (String option : List.of("SPEC.json", "--warmup-ms=MS", "--blocks=N", "--block-ms=MS", "--seed=N", "--debug", "--help")) {
      assertThat(r.out()).contains(option);
    }
    assertThat(Cli.run("--help").out()).contains("bench");
  }
}
