package dev.fusebox.codegen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Dumps;
import dev.fusebox.Target;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.GeneratedProgram;
import dev.fusebox.runtime.Program;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dumped program compiles with javac against the runtime alone and runs without the compiler module. */
class AheadOfTimeTest {

  @Test
  void dumpedSourceCompilesAndRunsWithOnlyTheRuntime(@TempDir Path dir) throws Exception {
    ModelSpec spec = ModelSpec.parse("""
        {"input": 6, "layers": [{"units": 24, "activation": "tanh"}, {"units": 4}], "loss": "softmax_cross_entropy",
         "optimizer": {"type": "adam", "lr": 0.01}, "batch": 5, "seed": 4}""", "aot.json");
    Compiler.Compilation c = Compiler.compile(spec.forward(), spec.optimizer(), CompileOptions.defaults().withDebug(0));
    ProgramEmitter.Source source = c.source(Backend.VECTOR);
    Dumps.write(dir.resolve("dump"), c, source);
    Path java = dir.resolve("dump").resolve(source.qualifiedName().replace('.', '/') + ".java");
    assertThat(java).exists();
    assertThat(dir.resolve("dump/fusion-report.txt")).exists();

    Path runtime = Path.of(GeneratedProgram.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path classes = Files.createDirectories(dir.resolve("classes"));
    int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "17", "--add-modules=jdk.incubator.vector",
        "-nowarn", "-cp", runtime.toString(), "-d", classes.toString(), java.toString());
    assertThat(rc).as("javac exit code").isZero();

    try (URLClassLoader loader = new URLClassLoader(new URL[] {runtime.toUri().toURL(), classes.toUri().toURL()},
        ClassLoader.getPlatformClassLoader())) {
      assertThatThrownBy(() -> loader.loadClass("dev.fusebox.Compiler")).isInstanceOf(ClassNotFoundException.class);
      Object aot = loader.loadClass(source.qualifiedName()).getConstructor().newInstance();
      Class<?> program = loader.loadClass(Program.class.getName());
      Method setInput = program.getMethod("setInput", String.class, float[].class);
      Method setLabels = program.getMethod("setLabels", String.class, int[].class);
      Method step = program.getMethod("step");

      Program inProcess = c.program(Target.vector());
      float[] x = new float[30];
      for (int i = 0; i < x.length; i++) x[i] = (float) Math.cos(i);
      int[] y = {0, 1, 2, 3, 0};
      setInput.invoke(aot, "x", x);
      setLabels.invoke(aot, "y", y);
      inProcess.setInput("x", x);
      inProcess.setLabels("y", y);
      for (int s = 0; s < 3; s++) {
        assertThat((float) step.invoke(aot)).as("step %d", s).isEqualTo(inProcess.step());
      }
      Method read = program.getMethod("read", String.class);
      assertThat((float[]) read.invoke(aot, "layers.0.weight")).containsExactly(inProcess.read("layers.0.weight"));
    }
  }

  @Test
  void theDumpPropertyDumpsEveryProgramTheJvmCompiles(@TempDir Path dir) {
    ModelSpec spec = ModelSpec.parse("""
        {"input": 3, "layers": [{"units": 2}], "loss": "mse", "optimizer": {"type": "sgd", "lr": 0.1}, "batch": 2}""", "p.json");
    Compiler.Compilation c = Compiler.compile(spec.forward(), spec.optimizer(), CompileOptions.defaults().withDebug(0));
    Path java = dir.resolve(c.source(Backend.SCALAR).qualifiedName().replace('.', '/') + ".java");
    c.program(Target.scalar()).close();
    assertThat(java).as("without -Dfusebox.dump").doesNotExist();
    System.setProperty("fusebox.dump", dir.toString());
    try {
      c.program(Target.scalar()).close();
    } finally {
      System.clearProperty("fusebox.dump");
    }
    assertThat(java).exists();
    assertThat(dir.resolve("fusion-report.txt")).exists();
  }

  @Test
  void theDumpHasGraphsReportsAndSource(@TempDir Path dir) {
    ModelSpec spec = ModelSpec.parse("""
        {"input": 3, "layers": [{"units": 2, "activation": "relu"}, {"units": 1}], "loss": "mse",
         "optimizer": {"type": "sgd", "lr": 0.1}, "batch": 2}""", "tiny.json");
    Compiler.Compilation c = Compiler.compile(spec.forward(), spec.optimizer(), CompileOptions.defaults().withDebug(0));
    ProgramEmitter.Source source = c.source(Backend.SCALAR);
    var files = Dumps.write(dir, c, source);
    assertThat(files.keySet()).containsExactly("forward.txt", "forward.dot", "training.txt", "training.dot", "fused.txt", "fused.dot",
        "fusion-report.txt", "memory-plan.txt", source.qualifiedName().replace('.', '/') + ".java");
    for (String f : files.keySet()) assertThat(dir.resolve(f)).exists().isNotEmptyFile();
    assertThat(List.of(dir.toFile().list())).noneMatch(n -> n.endsWith(".tmp"));
  }
}
