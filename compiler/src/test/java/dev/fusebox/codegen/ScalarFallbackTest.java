package dev.fusebox.codegen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.Program;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Without {@code --add-modules=jdk.incubator.vector} a program still compiles and trains: on the
 * scalar backend, after one line naming the fix. Runs a JVM without the flag.
 */
class ScalarFallbackTest {

  /** The child process: compile and step a small model, print the loss. */
  public static void main(String[] args) {
    ModelSpec spec = ModelSpec.parse("""
        {"input": 3, "layers": [{"units": 8, "activation": "tanh"}, {"units": 2}], "loss": "softmax_cross_entropy",
         "optimizer": {"type": "adam", "lr": 0.01}, "batch": 4, "seed": 1}""", "fallback.json");
    Compiler.Compilation c = Compiler.compile(spec.forward(), spec.optimizer(), CompileOptions.defaults().withDebug(0));
    try (Program p = c.program()) {
      p.setInput("x", new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
      p.setLabels("y", new int[] {0, 1, 0, 1});
      float loss = 0;
      for (int i = 0; i < 20; i++) loss = p.step();
      System.out.println("loss " + loss + " " + p.getClass().getSimpleName() + " vector=" + p.source().contains("FloatVector"));
    }
  }

  @Test
  void withoutTheVectorModuleTheScalarBackendRunsAfterANotice() throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"), ScalarFallbackTest.class.getName()))
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out).contains("fusebox: jdk.incubator.vector is not available, using the scalar backend; "
        + "run java with --add-modules=jdk.incubator.vector for vector kernels");
    assertThat(out).containsPattern("loss [0-9.]+ Program_[0-9a-f]+ vector=false");
    assertThat(out).doesNotContain("Exception");
  }
}
