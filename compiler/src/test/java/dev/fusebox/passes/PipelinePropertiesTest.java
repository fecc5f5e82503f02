package dev.fusebox.passes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.interp.Interpreter;
import dev.fusebox.interp.Interpreter.Precision;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Node;
import dev.fusebox.ops.Input;
import dev.fusebox.optim.Optimizer;
import dev.fusebox.passes.memory.MemoryPlan;
import dev.fusebox.runtime.InputKind;
import dev.fusebox.testing.RandomGraphs;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Properties of the whole pipeline over random graphs (fixed seeds): the verifier passes after every
 * pass (the pipeline runs with verification on), every pass is idempotent, the fused graph trains
 * exactly like the unoptimised one on the interpreter, and the memory plan never lets two live values
 * share a buffer.
 */
class PipelinePropertiesTest {

  static LongStream seeds() {
    return LongStream.rangeClosed(1, 60);
  }

  static Compiler.Compilation compile(long seed) {
    Optimizer opt = seed % 2 == 0 ? Optimizer.sgd(0.05).withMomentum(0.9) : Optimizer.adam(0.01);
    return Compiler.compile(RandomGraphs.forward(seed), opt, CompileOptions.defaults().withVerify(true).withDebug(0));
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void everyPassIsIdempotent(long seed) {
    Compiler.Compilation c = compile(seed);
    Graph g = c.training();
    for (Pass pass : Compiler.trainingPasses()) {
      Graph once = pass.apply(g, PassContext.quiet());
      assertThat(pass.apply(once, PassContext.quiet())).as("%s on seed %d", pass.name(), seed).isSameAs(once);
      g = once;
    }
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void theFusedGraphTrainsExactlyLikeTheUnoptimisedOne(long seed) {
    Compiler.Compilation c = compile(seed);
    Interpreter before = Interpreter.create(c.training(), Precision.FLOAT64);
    Interpreter after = Interpreter.create(c.fused(), Precision.FLOAT64);
    SplittableRandom rng = new SplittableRandom(seed);
    for (int step = 0; step < 3; step++) {
      feed(c.training(), rng.split(), before, after);
      double l1 = before.step(), l2 = after.step();
      assertThat(l2).as("loss at step %d, seed %d", step, seed).isCloseTo(l1, within(1e-9 * Math.max(1, Math.abs(l1))));
    }
    for (String name : before.parameterNames()) {
      double[] a = before.readDouble(name), b = after.readDouble(name);
      for (int i = 0; i < a.length; i++) {
        assertThat(b[i]).as("%s[%d] after 3 steps, seed %d", name, i, seed).isCloseTo(a[i], within(1e-9 * Math.max(1, Math.abs(a[i]))));
      }
    }
    before.forward();
    after.forward();
    double[] p = before.readDouble("prediction"), q = after.readDouble("prediction");
    for (int i = 0; i < p.length; i++) assertThat(q[i]).isCloseTo(p[i], within(1e-9 * Math.max(1, Math.abs(p[i]))));
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void noBufferHoldsTwoLiveValues(long seed) {
    Compiler.Compilation c = compile(seed);
    Graph g = c.fused();
    MemoryPlan plan = c.memory();
    // Time is counted in stages: kernels run in order, each kernel's stages in order.
    int[] stageOf = new int[g.size()];
    int end = 0;
    for (dev.fusebox.ir.Kernel k : g.kernels()) for (dev.fusebox.ir.Stage s : k.stages()) {
      for (Node n : s.nodes()) stageOf[n.id()] = end;
      end++;
    }
    for (MemoryPlan.Slot slot : plan.buffers()) {
      for (int i = 0; i < slot.values().size(); i++) {
        for (int j = i + 1; j < slot.values().size(); j++) {
          Node a = slot.values().get(i), b = slot.values().get(j);
          int aEnd = lastRead(g, a, stageOf, end), bStart = stageOf[b.id()];
          assertThat(bStart).as("seed %d: %s (live to stage %d) and %s (from stage %d) share a buffer", seed, a.name(), aEnd,
              b.name(), bStart).isGreaterThan(aEnd);
        }
      }
      for (Node v : slot.values()) assertThat(slot.capacity()).isGreaterThanOrEqualTo(v.shape().size());
    }
    // Every value read by another stage is stored somewhere.
    for (Node n : g.nodes()) {
      for (Node in : n.inputs()) {
        if (!in.op().isSource() && stageOf[in.id()] != stageOf[n.id()]) {
          assertThat(plan.bufferOf().containsKey(in) || plan.inPlace().containsKey(in)).as("%s is stored", in.name()).isTrue();
        }
      }
    }
    assertThat(g.kernels()).allSatisfy(k -> assertThat(k.kind()).isNotNull());
    assertThat(plan.buffers().size()).isLessThanOrEqualTo(plan.unplannedBuffers());
  }

  private static int lastRead(Graph g, Node v, int[] stageOf, int end) {
    if (g.outputs().containsValue(v) || g.updates().containsValue(v)) return end;
    int last = stageOf[v.id()];
    for (Node n : g.nodes()) if (n.inputs().contains(v)) last = Math.max(last, stageOf[n.id()]);
    return last;
  }

  private static void feed(Graph g, SplittableRandom rng, Interpreter... programs) {
    for (Node n : g.nodes()) {
      if (!(n.op() instanceof Input in) || in.kind() == InputKind.SCALAR) continue;
      if (in.kind() == InputKind.LABELS) {
        int[] labels = rng.ints(n.shape().size(), 0, in.classes()).toArray();
        for (Interpreter p : programs) p.setLabels(n.name(), labels);
      } else {
        double[] v = new double[n.shape().size()];
        for (int i = 0; i < v.length; i++) v[i] = in.kind() == InputKind.FEATURES ? rng.nextGaussian() : rng.nextDouble();
        if (in.kind() == InputKind.ONE_HOT) {
          Arrays.fill(v, 0);
          for (int r = 0; r < n.shape().rows(); r++) v[r * n.shape().cols() + rng.nextInt(n.shape().cols())] = 1;
        }
        for (Interpreter p : programs) p.setInput(n.name(), v);
      }
    }
  }
}
