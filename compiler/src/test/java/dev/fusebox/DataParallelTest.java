package dev.fusebox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fusebox.builder.Activation;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.ir.Graph;
import dev.fusebox.optim.Optimizer;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.train.ReductionTree;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A training step split into micro-batch gradients and an update: summed in tree order with each
 * micro-batch weighted by its share of the valid rows, it takes the step one program over the whole
 * batch takes, up to float rounding.
 */
class DataParallelTest {
  static final int BATCH = 24, MICRO = 5, FEATURES = 6;

  static Graph mlp(int batch) {
    GraphBuilder g = GraphBuilder.create(2);
    Tensor h = g.dense("layers.0", g.input("x", batch, FEATURES), 9, Activation.TANH);
    Tensor logits = g.dense("layers.1", h, 3, Activation.IDENTITY);
    return g.output("prediction", logits).loss(g.softmaxCrossEntropy(logits, g.labelsFor("y", logits))).build();
  }

  @Test
  void microBatchGradientsSummedInTreeOrderTakeTheWholeBatchsStep() {
    Optimizer adam = Optimizer.adam(0.01).withWeightDecay(0.01);
    CompileOptions options = CompileOptions.defaults().withDebug(0).withClipGradNorm(1.0);
    Compiler.DataParallel split = Compiler.dataParallel(mlp(MICRO), adam, options);
    Compiler.Compilation whole = Compiler.compile(mlp(BATCH), adam, options);
    assertThat(split.parameters()).containsExactly("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias");
    SplittableRandom rng = new SplittableRandom(3);
    try (Program grads = split.gradients().program(Target.vector()); Program update = split.update().program(Target.vector());
        Program reference = whole.program(Target.vector())) {
      assertThat(update.state().names()).containsExactlyInAnyOrderElementsOf(reference.state().names());
      for (int step = 0; step < 3; step++) {
        int rows = step == 2 ? BATCH - 7 : BATCH; // a partial last batch too
        float[] x = new float[BATCH * FEATURES];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        int[] y = rng.ints(BATCH, 0, 3).toArray();
        reference.setInput("x", x);
        reference.setLabels("y", y);
        reference.setValidRows(rows);
        reference.step();

        int k = (rows + MICRO - 1) / MICRO;
        float[][][] leaves = new float[k][][];
        for (int m = 0; m < k; m++) {
          int n = Math.min(MICRO, rows - m * MICRO);
          grads.setInput("x", Arrays.copyOfRange(x, m * MICRO * FEATURES, (m * MICRO + MICRO) * FEATURES));
          grads.setLabels("y", Arrays.copyOfRange(y, m * MICRO, m * MICRO + MICRO));
          grads.setValidRows(n);
          grads.setScalar("loss_scale", (float) n / rows);
          grads.step();
          leaves[m] = split.parameters().stream().map(p -> grads.read(p + ".grad")).toArray(float[][]::new);
        }
        for (int p = 0; p < split.parameters().size(); p++) {
          int q = p;
          float[] sum = new float[leaves[0][p].length];
          float[][] scratch = new float[ReductionTree.depth(k)][sum.length];
          ReductionTree.Sums.root(k, (lo, hi, out) -> {
            if (hi - lo != 1) return false;
            System.arraycopy(leaves[lo][q], 0, out, 0, out.length);
            return true;
          }, sum, scratch);
          update.setInput(split.parameters().get(p) + ".grad", sum);
        }
        update.step();
        grads.load(update.state().filter(split.parameters()::contains));
      }
      for (String name : reference.state().names()) {
        float[] a = reference.read(name), b = update.read(name);
        for (int i = 0; i < a.length; i++) assertThat((double) b[i]).as("%s[%d]", name, i).isCloseTo(a[i], within(2e-6 + 2e-5 * Math.abs(a[i])));
      }
    }
  }
}
