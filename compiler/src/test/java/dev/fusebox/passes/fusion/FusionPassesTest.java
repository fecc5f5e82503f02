package dev.fusebox.passes.fusion;

import static dev.fusebox.passes.PassTesting.check;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.ir.Graph;
import dev.fusebox.ir.GraphPrinter;
import dev.fusebox.ir.Kernel;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.optim.TrainingGraph;
import dev.fusebox.passes.FileCheck;
import dev.fusebox.passes.PassContext;
import dev.fusebox.passes.simplify.ConstantFolding;
import dev.fusebox.passes.simplify.DeadNodeElimination;
import org.junit.jupiter.api.Test;

class FusionPassesTest {

  static Graph training(String layers, String optimizer) {
    ModelSpec spec = ModelSpec.parse("{\"input\": 6, \"layers\": " + layers + ", \"loss\": \"softmax_cross_entropy\", "
        + "\"optimizer\": " + optimizer + ", \"batch\": 4}", "mlp.json");
    Graph g = TrainingGraph.of(new LossFusion().apply(spec.forward(), PassContext.quiet()), spec.optimizer());
    return new DeadNodeElimination().apply(new ConstantFolding().apply(g, PassContext.quiet()), PassContext.quiet());
  }

  @Test
  void threeDenseLayersFuseForwardBackwardLossAndUpdates() {
    Graph g = training("[{\"units\": 8, \"activation\": \"relu\"}, {\"units\": 7, \"activation\": \"relu\"}, {\"units\": 3}]",
        "{\"type\": \"adam\"}");
    PassContext ctx = PassContext.quiet();
    Graph fused = new KernelFusion().apply(g, ctx);
    String failure = FileCheck.check(GraphPrinter.print(fused), """
        CHECK: kernel dense: matmul(layers.0.xw; layers.0.z, layers.0.a)
        CHECK-NEXT: kernel dense: matmul(layers.1.xw; layers.1.z, layers.1.a)
        CHECK-NEXT: kernel dense: matmul(layers.2.xw; layers.2.z)
        CHECK-NEXT: kernel loss: single(softmax_cross_entropy_16) single(layers.2.z.grad)
        CHECK-NEXT: kernel elementwise: loop(optimizer.step.next, adam.bias_correction1, adam.bias_correction2)
        CHECK-NEXT: kernel dense_backward: single(layers.2.bias.grad) matmul(layers.1.a.grad) matmul(layers.2.weight.grad; layers.2.weight.exp_avg.next, layers.2.weight.exp_avg_sq.next, layers.2.weight.next) loop(layers.2.bias.exp_avg.next, layers.2.bias.exp_avg_sq.next, layers.2.bias.next)
        CHECK-NEXT: kernel dense_backward: loop(layers.1.z.grad; sums layers.1.bias.grad) matmul(layers.0.a.grad) matmul(layers.1.weight.grad;
        CHECK-NEXT: kernel dense_backward: loop(layers.0.z.grad; sums layers.0.bias.grad) matmul(layers.0.weight.grad;
        CHECK-NOT: kernel
        """);
    assertThat(failure).isNull();
    assertThat(ctx.decisions()).contains(
        "kernel_fusion: 'layers.2.z.grad' stays outside layers.2.bias.grad, layers.1.a.grad, layers.2.weight.grad: "
            + "it is computed by softmax_cross_entropy_grad");
    // 64 nodes, of which 8 kernels compute everything that is not an input, variable or constant.
    assertThat(fused.kernels()).hasSize(8);
    assertThat(new KernelFusion().apply(fused, PassContext.quiet())).isSameAs(fused);
  }

  @Test
  void anActivationWhoseGradientNeedsItsInputStillFusesAndTheKernelAlsoStoresTheInput() {
    Graph g = training("[{\"units\": 8, \"activation\": \"gelu\"}, {\"units\": 3}]", "{\"type\": \"sgd\", \"lr\": 0.1}");
    Graph fused = new KernelFusion().apply(g, PassContext.quiet());
    assertThat(FileCheck.check(GraphPrinter.print(fused), """
        CHECK: layers.0.z.grad = gelu_grad{{.*}}(layers.0.z, layers.0.a.grad)
        CHECK: kernel dense: matmul(layers.0.xw; layers.0.z, layers.0.a)
        CHECK: kernel dense_backward: loop(layers.0.z.grad; sums layers.0.bias.grad) matmul(layers.0.weight.grad; layers.0.weight.next) loop(layers.0.bias.next)
        """)).isNull();
  }

  @Test
  void fusionIsAPlanBesideTheGraph() {
    Graph g = training("[{\"units\": 5, \"activation\": \"tanh\"}, {\"units\": 3}]", "{\"type\": \"sgd\", \"lr\": 0.1, \"momentum\": 0.9}");
    Graph fused = new KernelFusion().apply(g, PassContext.quiet());
    assertThat(fused.nodes()).isEqualTo(g.nodes());
    assertThat(fused.kernels().stream().mapToInt(k -> k.nodes().size()).sum())
        .isEqualTo((int) g.nodes().stream().filter(n -> !n.op().isSource()).count());
    assertThat(fused.kernels()).extracting(Kernel::kind).contains(Kernel.Kind.DENSE, Kernel.Kind.DENSE_BACKWARD, Kernel.Kind.LOSS);
  }

  @Test
  void lossFusionMakesTheStableFormsOfCrossEntropy() {
    check(new LossFusion(), """
        z = input[features] : f32[4, 3]
        y = input[labels,classes=3] : i32[4]
        p = softmax(z) : f32[4, 3]
        l = cross_entropy(p, y) : f32[]
        t = input[targets] : f32[4, 3]
        q = sigmoid(z) : f32[4, 3]
        b = bce(q, t) : f32[]
        output prediction = p
        output loss = l
        output other = b
        """, """
        CHECK: p = softmax(z)
        CHECK: l = softmax_cross_entropy(z, y)
        CHECK: b = bce_with_logits(z, t)
        CHECK: output prediction = p
        """);
  }
}
