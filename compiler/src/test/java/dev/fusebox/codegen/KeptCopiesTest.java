package dev.fusebox.codegen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Target;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.Program;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Matmuls read a weight from a packed copy that the program keeps instead of packing the weight on
 * every call; the copy must follow the weight wherever it changes: in a step, and in {@code load}.
 */
class KeptCopiesTest {
  static final ModelSpec SPEC = ModelSpec.parse("""
      {"input": 150, "layers": [{"units": 130, "activation": "relu"}, {"units": 70, "activation": "tanh"}, {"units": 6}],
       "loss": "softmax_cross_entropy", "optimizer": {"type": "sgd", "lr": 0.1, "momentum": 0.9}, "batch": 80, "seed": 9}""", "kept.json");

  @ParameterizedTest
  @ValueSource(strings = {"vector", "scalar"})
  void aLoadedOrTrainedWeightIsWhatTheNextRunReads(String target) {
    Compiler.Compilation training = Compiler.compile(SPEC.forward(), SPEC.optimizer(), CompileOptions.defaults().withDebug(0));
    Compiler.Compilation inference = Compiler.inference(SPEC.forward(), CompileOptions.defaults().withDebug(0));
    assertThat(inference.source(Backend.VECTOR).code()).as("the inference program keeps packed weights").contains("variablesChanged()");
    try (Program trained = training.program(Target.parse(target)); Program loaded = inference.program(Target.parse(target));
        Program reference = training.program(Target.interpreter())) {
      SplittableRandom rng = new SplittableRandom(4);
      for (int step = 0; step < 5; step++) {
        Executors.feed(training.forward(), rng.split(), trained, reference);
        trained.step();
        reference.step();
        trained.forward();
        reference.forward();
        RandomGraphDifferentialTest.compare("prediction after step " + step, reference.read("prediction"), reference.read("prediction"),
            trained.read("prediction"));
      }
      loaded.load(trained.state().filter(loaded.parameterNames()::contains));
      Executors.feed(training.forward(), new SplittableRandom(5), trained, loaded);
      trained.forward();
      loaded.forward();
      assertThat(loaded.read("prediction")).containsExactly(trained.read("prediction"));
    }
  }
}
