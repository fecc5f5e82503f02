package dev.fusebox.codegen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Target;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.Program;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Without {@code --add-modules=jdk.incubator.vector} a program on the default (auto) target still
 * compiles and trains: on the scalar backend, after one line naming the fix; an explicit request for
 * vector kernels is an error naming the flag. Runs a JVM without the flag.
 */
class ScalarFallbackTest {

  /** The child process: compile and step a small model on the target named by the argument, print the loss. */
  public static void main(String[] args) {
    ModelSpec spec = ModelSpec.parse("""
        {"input": 3, "layers": [{"units": 8, "activation": "tanh"}, {"units": 2}], "loss": "softmax_cross_entropy",
         "optimizer": {"type": "adam", "lr": 0.01}, "batch": 4, "seed": 1}""", "fallback.json");
    Compiler.Compilation c = Compiler.compile(spec.forward(), spec.optimizer(), CompileOptions.defaults().withDebug(0));
    try (Program p = c.program(Target.parse(args[0]))) {
      p.setInput("x", new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
      p.setLabels("y", new int[] {0, 1, 0, 1});
      float loss = 0;
      for (int i = 0; i < 20; i++) loss = p.step();
      System.out.println("loss " + loss + " " + p.getClass().getSimpleName() + " vector=" + p.source().contains("FloatVector"));
    }
  }

  /** Runs {@link #main} on {@code target} in a JVM without the Vector API, checks its exit code, returns what it printed. */
  private static String child(String target, int exitCode) throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
        ScalarFallbackTest.class.getName(), target)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isEqualTo(exitCode);
    return out;
  }

  @Test
  void withoutTheVectorModuleTheAutoTargetRunsScalarKernelsAfterANotice() throws IOException, InterruptedException {
    String out = child("auto", 0);
    assertThat(out).contains("fusebox: jdk.incubator.vector is not available, using the scalar backend; "
        + "run java with --add-modules=jdk.incubator.vector for vector kernels");
    assertThat(out).containsPattern("loss [0-9.]+ Program_[0-9a-f]+ vector=false");
    assertThat(out).doesNotContain("Exception");
  }

  @Test
  void withoutTheVectorModuleTheVectorTargetIsAnErrorNamingTheFlag() throws IOException, InterruptedException {
    String out = child("vector", 1);
    assertThat(out).contains("java.lang.IllegalStateException: vector kernels need the JDK's Vector API, which this JVM was "
        + "started without: run java with --add-modules=jdk.incubator.vector, or ask for the auto target");
    assertThat(out).doesNotContain("loss ");
  }
}
