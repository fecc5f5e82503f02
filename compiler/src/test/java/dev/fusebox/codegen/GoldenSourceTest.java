package dev.fusebox.codegen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.load.JaninoLoader;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.GeneratedProgram;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole generated source of three small programs, compared with files under
 * {@code src/test/resources/golden}, so every change to code generation shows up in review.
 * Regenerate with {@code mvn test -Dfusebox.golden.update=true}. Each is also compiled by Janino and
 * javac and run for a step.
 */
class GoldenSourceTest {
  static final Path DIR = Path.of("src/test/resources/golden");

  static Stream<Arguments> programs() {
    return Stream.of(
        Arguments.of("textbook_sgd_vector", """
            {"input": 3, "layers": [{"units": 2, "activation": "sigmoid"}, {"units": 1}], "loss": "half_mse",
             "optimizer": {"type": "sgd", "lr": 0.2}, "batch": 1, "seed": 1}""", Backend.VECTOR),
        Arguments.of("xor_adam_scalar", """
            {"input": 2, "layers": [{"units": 2, "activation": "relu"}, {"units": 1}], "loss": "mse",
             "optimizer": {"type": "adam", "lr": 0.05}, "batch": 4, "seed": 2}""", Backend.SCALAR),
        Arguments.of("classifier_momentum_vector", """
            {"input": 5, "layers": [{"units": 20, "activation": "gelu", "dropout": 0.1}, {"units": 3}],
             "loss": "softmax_cross_entropy", "optimizer": {"type": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": true},
             "batch": 6, "seed": 3, "l2": 0.001}""", Backend.VECTOR));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("programs")
  void generatedSourceMatchesTheGoldenFile(String name, String spec, Backend backend) throws IOException {
    ModelSpec s = ModelSpec.parse(spec, name + ".json");
    Compiler.Compilation c = Compiler.compile(s.forward(), s.optimizer(), CompileOptions.defaults().withDebug(0));
    String code = c.source(backend).code();
    Path golden = DIR.resolve(name + ".java.txt");
    if (Boolean.getBoolean("fusebox.golden.update")) {
      Files.createDirectories(DIR);
      Files.writeString(golden, code, StandardCharsets.UTF_8);
    }
    assertThat(golden).as("golden file; create it with -Dfusebox.golden.update=true").exists();
    assertThat(code).as("generated source of %s; regenerate with -Dfusebox.golden.update=true", name)
        .isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));

    // The same graph gives byte-identical source, and the golden file compiles with Janino and javac.
    ModelSpec again = ModelSpec.parse(spec, name + ".json");
    assertThat(Compiler.compile(again.forward(), again.optimizer(), CompileOptions.defaults().withDebug(0)).source(backend).code())
        .isEqualTo(code);
    ProgramEmitter.Source source = c.source(backend);
    for (var loader : java.util.List.of(new JaninoLoader(0), Executors.JAVAC)) {
      GeneratedProgram p = loader.newProgram(source);
      Executors.feed(c.forward(), new java.util.SplittableRandom(1), p);
      assertThat(Float.isFinite(p.step())).as("%s step with %s", name, loader.getClass().getSimpleName()).isTrue();
    }
  }
}
