package dev.fusebox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusebox.ir.Kernel;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.passes.FileCheck;
import org.junit.jupiter.api.Test;

class CompilerTest {
  static final ModelSpec MLP = ModelSpec.parse("""
      {"input": 64, "layers": [{"units": 128, "activation": "relu"}, {"units": 64, "activation": "relu"}, {"units": 10}],
       "loss": "softmax_cross_entropy", "optimizer": {"type": "adam", "lr": 0.001}, "batch": 32}""", "mlp.json");

  @Test
  void threeDenseLayersGiveFusedDenseKernelsBackwardKernelsALossAndFusedUpdates() {
    Compiler.Compilation c = Compiler.compile(MLP.forward(), MLP.optimizer(), CompileOptions.defaults().withVerify(true).withDebug(0));
    String report = c.fusionReport();
    assertThat(FileCheck.check(report, """
        CHECK: kernel 0 dense: matmul(layers.0.xw; layers.0.z, layers.0.a)[valid rows]
        CHECK: kernel 1 dense: matmul(layers.1.xw; layers.1.z, layers.1.a)[valid rows]
        CHECK: kernel 2 dense: matmul(layers.2.xw; layers.2.z)[valid rows]
        CHECK: loss: single({{softmax_cross_entropy_[0-9]+}}) single(layers.2.z.grad)
        CHECK: dense_backward: single(layers.2.bias.grad) matmul(layers.1.a.grad)[valid rows] matmul(layers.2.weight.grad; {{.*}}layers.2.weight.next)[valid depth]
        CHECK: dense_backward: loop(layers.1.z.grad; sums layers.1.bias.grad)[valid rows] {{.*}}layers.1.weight.next)[valid depth]
        CHECK: dense_backward: loop(layers.0.z.grad; sums layers.0.bias.grad)[valid rows] {{.*}}layers.0.weight.next)[valid depth]
        CHECK: kernel_fusion: fused dense: layers.0.xw, layers.0.z, layers.0.a
        """)).as(report).isNull();
    assertThat(c.fused().kernels()).filteredOn(k -> k.kind() == Kernel.Kind.DENSE).hasSize(3);
    assertThat(c.fused().kernels()).filteredOn(k -> k.kind() == Kernel.Kind.DENSE_BACKWARD).hasSize(3);
    // Every update is inside a backward kernel, next to the gradient it consumes.
    c.fused().updates().forEach((variable, value) -> {
      if (!variable.name().equals("optimizer.step")) {
        assertThat(c.fused().kernels().stream().filter(k -> k.nodes().contains(value)).findFirst().orElseThrow().kind())
            .as(value.name()).isEqualTo(Kernel.Kind.DENSE_BACKWARD);
      }
    });
    assertThat(c.memory().buffers().size()).isLessThan(c.memory().unplannedBuffers());
    assertThat(c.memory().buffers().size()).isLessThan(c.fused().size());
    assertThat(c.memory().inPlace()).hasSize(c.fused().updates().size());
    System.out.println(c.memory().report());
  }

  @Test
  void passesCanBeSwitchedOff() {
    Compiler.Compilation unfused = Compiler.compile(MLP.forward(), MLP.optimizer(),
        CompileOptions.defaults().withoutPasses("kernel_fusion").withDebug(0));
    assertThat(unfused.fused().kernels()).allSatisfy(k -> assertThat(k.nodes()).hasSize(1));
    assertThat(unfused.decisions()).contains("kernel_fusion: disabled");
    assertThatThrownBy(() -> Compiler.compile(MLP.forward(), MLP.optimizer(), CompileOptions.defaults().withoutPasses("fusion")))
        .hasMessageStartingWith("unknown pass 'fusion' to disable; passes are [loss_fusion, algebraic_simplification");
  }
}
