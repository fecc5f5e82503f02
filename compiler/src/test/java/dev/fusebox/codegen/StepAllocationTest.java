package dev.fusebox.codegen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Target;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.Program;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A compiled training step allocates nothing, measured with the JVM's per-thread allocation counter
 * after warm-up: vector code allocates until C2 has compiled it and scalar-replaced its vectors, and
 * methods that run once per step (tile shapes for the last columns) get there last, after some
 * tens of thousands of steps.
 */
class StepAllocationTest {

  @ParameterizedTest
  @EnumSource(value = Target.Kind.class, names = {"VECTOR", "SCALAR"})
  void aStepAllocatesNothing(Target.Kind kind) {
    ModelSpec spec = ModelSpec.parse("""
        {"input": 20, "layers": [{"units": 32, "activation": "relu", "dropout": 0.1}, {"units": 16, "activation": "gelu"},
         {"units": 5}], "loss": "softmax_cross_entropy", "optimizer": {"type": "adam", "lr": 0.001}, "batch": 8, "l2": 0.001}""", "alloc.json");
    Compiler.Compilation c = Compiler.compile(spec.forward(), spec.optimizer(), CompileOptions.defaults().withDebug(0));
    Program p = c.program(new Target(kind, 1));
    Executors.feed(c.forward(), new SplittableRandom(3), p);
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    long allocated = Long.MAX_VALUE;
    // Up to several rounds: the first ones may still run interpreted or C1-compiled code.
    for (int round = 0; round < 30 && allocated != 0; round++) {
      for (int i = 0; i < 4000; i++) p.step();
      long before = threads.getThreadAllocatedBytes(id);
      for (int i = 0; i < 1000; i++) p.step();
      allocated = threads.getThreadAllocatedBytes(id) - before;
    }
    assertThat(allocated).as("bytes allocated by 1000 warm %s steps", kind).isZero();
  }
}
