package dev.fusebox.passes.fusion;

import static dev.fusebox.ops.alu.Expr.c;
import static dev.fusebox.ops.alu.Expr.select;
import static dev.fusebox.ops.alu.Expr.x;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Target;
import dev.fusebox.builder.Activation;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Stage;
import dev.fusebox.ops.Axis;
import dev.fusebox.optim.Optimizer;
import dev.fusebox.runtime.Program;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Which stages may compute a partial batch's valid rows only, and that doing so changes nothing. */
class ValidRowsTest {

  static Graph mlp(int batch, boolean centre) {
    GraphBuilder g = GraphBuilder.create(3);
    Tensor x = g.input("x", batch, 6);
    Tensor h = g.dense("layers.0", x, 8, Activation.TANH);
    if (centre) h = g.sub(h, g.mean(h, Axis.PER_COLUMN)); // a statistic over the batch: every row counts
    Tensor logits = g.dense("layers.1", h, 3, Activation.IDENTITY);
    return g.output("prediction", logits).loss(g.softmaxCrossEntropy(logits, g.labelsFor("y", logits))).build();
  }

  private static List<Stage> stages(Compiler.Compilation c) {
    return c.fused().kernels().stream().flatMap(k -> k.stages().stream()).toList();
  }

  private static Stage.Matmul matmulOf(Compiler.Compilation c, String name) {
    return stages(c).stream().filter(s -> s instanceof Stage.Matmul m && m.matmul().name().equals(name)).map(s -> (Stage.Matmul) s)
        .findFirst().orElseThrow();
  }

  @Test
  void aDenseStackComputesValidRowsForwardAndBackward() {
    Compiler.Compilation c = Compiler.compile(mlp(16, false), Optimizer.sgd(0.1), CompileOptions.defaults().withDebug(0));
    assertThat(matmulOf(c, "layers.0.xw").validRows()).isTrue();
    assertThat(matmulOf(c, "layers.1.xw").validRows()).isTrue();
    assertThat(matmulOf(c, "layers.0.weight.grad").validDepth()).as("dW sums the valid rows of dz, zero beyond them").isTrue();
  }

  @Test
  void aStatisticOverTheBatchKeepsEveryRowOfWhatItReads() {
    Compiler.Compilation c = Compiler.compile(mlp(16, true), Optimizer.sgd(0.1), CompileOptions.defaults().withDebug(0));
    assertThat(matmulOf(c, "layers.0.xw").validRows()).as("its rows feed the column mean").isFalse();
    assertThat(matmulOf(c, "layers.1.xw").validRows()).isTrue();
  }

  @Test
  void zeroIsKeptByProductsAndSelectsButNotBySumsWithOtherValues() {
    boolean[] first = {true, false};
    assertThat(ValidRows.zeroAt(x(0).mul(x(1)), first)).isTrue();
    assertThat(ValidRows.zeroAt(select(x(1).gt(0), x(0), c(0)), first)).isTrue();
    assertThat(ValidRows.zeroAt(x(0).div(x(1)), first)).isTrue();
    assertThat(ValidRows.zeroAt(x(0).tanh(), first)).isTrue();
    assertThat(ValidRows.zeroAt(x(0).add(x(1)), first)).isFalse();
    assertThat(ValidRows.zeroAt(x(0).exp(), first)).isFalse();
    assertThat(ValidRows.zeroAt(x(1).div(x(0)), first)).isFalse();
  }

  /** A program compiled for 64 rows and run on 5 agrees with one compiled for 5, forward and training. */
  @Test
  void aPartialBatchComputesWhatASmallerBatchDoes() {
    Compiler.Compilation big = Compiler.compile(mlp(64, false), Optimizer.adam(0.01), CompileOptions.defaults().withDebug(0));
    Compiler.Compilation small = Compiler.compile(mlp(5, false), Optimizer.adam(0.01), CompileOptions.defaults().withDebug(0));
    SplittableRandom rng = new SplittableRandom(9);
    try (Program b = big.program(Target.vector()); Program s = small.program(Target.vector())) {
      b.setValidRows(5);
      for (int step = 0; step < 4; step++) {
        float[] x = new float[64 * 6];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        int[] y = rng.ints(64, 0, 3).toArray();
        b.setInput("x", x);
        b.setLabels("y", y);
        s.setInput("x", java.util.Arrays.copyOf(x, 5 * 6));
        s.setLabels("y", java.util.Arrays.copyOf(y, 5));
        assertThat(b.step()).as("loss of step %d", step).isCloseTo(s.step(), org.assertj.core.data.Offset.offset(1e-6f));
      }
      for (String name : s.parameterNames()) {
        float[] p = s.read(name), q = b.read(name);
        for (int i = 0; i < p.length; i++) assertThat(q[i]).as("%s[%d]", name, i).isCloseTo(p[i], org.assertj.core.data.Offset.offset(1e-6f));
      }
      b.forward();
      s.forward();
      float[] p = s.read("prediction"), q = b.read("prediction");
      for (int i = 0; i < p.length; i++) assertThat(q[i]).as("prediction[%d]", i).isCloseTo(p[i], org.assertj.core.data.Offset.offset(1e-6f));
    }
  }
}
