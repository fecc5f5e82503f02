package dev.fusebox.codegen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Target;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Large matmuls run their row chunks on a pool; the weights are bitwise the same for any thread count. */
class ThreadsTest {
  static final ModelSpec SPEC = ModelSpec.parse("""
      {"input": 96, "layers": [{"units": 130, "activation": "relu"}, {"units": 70, "activation": "tanh"}, {"units": 6}],
       "loss": "softmax_cross_entropy", "optimizer": {"type": "adam", "lr": 0.01}, "batch": 50, "seed": 9}""", "threads.json");

  static NamedTensors train(Backend backend, int threads) {
    Compiler.Compilation c = Compiler.compile(SPEC.forward(), SPEC.optimizer(), CompileOptions.defaults().withDebug(0));
    Target target = backend == Backend.VECTOR ? Target.vector() : Target.scalar();
    try (Program p = c.program(target.withThreads(threads))) {
      SplittableRandom rng = new SplittableRandom(2);
      for (int s = 0; s < 12; s++) {
        Executors.feed(c.forward(), rng.split(), p);
        if (s == 5) p.setValidRows(37);
        p.step();
      }
      return p.state();
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void weightsAreBitwiseIdenticalForAnyThreadCount(Backend backend) {
    String source = Compiler.compile(SPEC.forward(), SPEC.optimizer(), CompileOptions.defaults().withDebug(0)).source(backend).code();
    assertThat(source).contains("pool.run(this, ");
    NamedTensors one = train(backend, 1);
    for (int threads : new int[] {2, 3}) {
      NamedTensors many = train(backend, threads);
      for (String name : one.names()) {
        assertThat(many.get(name).data()).as("%s with %d threads", name, threads).containsExactly(one.get(name).data());
      }
    }
  }
}
