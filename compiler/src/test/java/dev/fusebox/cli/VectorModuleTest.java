package dev.fusebox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line in a JVM started without {@code --add-modules=jdk.incubator.vector}: an explicit
 * {@code --backend vector} is a one-line error naming the flag; the default, {@code auto}, runs scalar
 * kernels after a one-line notice.
 */
class VectorModuleTest {
  @TempDir Path dir;
  Path spec;
  Path iris;

  @BeforeEach
  void files() {
    spec = Cli.resource("iris.json", dir);
    iris = Cli.resource("iris.csv", dir);
  }

  /** What a child JVM without the Vector API printed on standard error, and its exit code. */
  private record Run(int exitCode, List<String> err) {}

  private static Run withoutVectorModule(Object... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), Main.class.getName()));
    for (Object a : args) command.add(a.toString());
    Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(p.waitFor(), err.lines().toList());
  }

  @Test
  void anExplicitVectorBackendIsAnErrorNamingTheFlag() throws Exception {
    Path out = dir.resolve("m.safetensors");
    for (String command : List.of("train", "predict")) {
      Run r = command.equals("train")
          ? withoutVectorModule("train", spec, "--data", iris, "--label", "species", "--steps", 1, "--backend", "vector", "--out", out)
          : withoutVectorModule("predict", spec, "--model", out, "--data", iris, "--label", "species", "--backend", "vector");
      assertThat(r.exitCode()).as("%s: %s", command, r.err()).isEqualTo(Errors.USER);
      assertThat(r.err()).as(command).containsExactly("fusebox: error: --backend vector needs the JDK's Vector API, which this JVM "
          + "was started without: run java with --add-modules=jdk.incubator.vector, or use --backend auto to fall back to scalar kernels");
      assertThat(out).as("nothing written").doesNotExist();
    }
  }

  @Test
  void theDefaultRunsScalarKernelsAfterANotice() throws Exception {
    Path out = dir.resolve("m.safetensors");
    Run r = withoutVectorModule("train", spec, "--data", iris, "--label", "species", "--steps", 2, "--out", out);
    assertThat(r.exitCode()).as(String.join("\n", r.err())).isZero();
    assertThat(r.err()).containsExactly("fusebox: jdk.incubator.vector is not available, using the scalar backend; "
        + "run java with --add-modules=jdk.incubator.vector for vector kernels");
    assertThat(out).exists();
  }
}
