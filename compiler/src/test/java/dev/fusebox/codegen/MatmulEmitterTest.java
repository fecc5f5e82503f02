package dev.fusebox.codegen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Kernel;
import dev.fusebox.ir.Stage;
import dev.fusebox.passes.memory.MemoryPlanner;
import dev.fusebox.runtime.init.Initializers;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How the vector backend lays out a matmul: tile widths by column count, and which operand copies it makes. */
class MatmulEmitterTest {

  /** The tile width a matmul gets from its column count (16 nominal lanes: 6 vectors are 96 columns). */
  @ParameterizedTest(name = "n={0}: {1} vectors")
  @CsvSource({
      "10, 4", "64, 4", // one narrow tile at most: wide tiles would not fit
      "96, 6", "192, 6", "1024, 6", // whole wide tiles, and 1024 = 10 wide + 1 narrow
      "128, 4", // two narrow tiles beat a wide one and two single vectors
      "784, 6"})
  void wideTilesWhereTheColumnsLeftDoNotCostMore(int n, int vectors) {
    assertThat(MatmulEmitter.tileVectors(n)).isEqualTo(vectors);
  }

  /**
   * A deep transposed A (at least 64 rows and 512 steps) is packed into micro-panels of four rows by
   * every call (a value) and read by the four-row tiles with strides 1 and 4; the rows left over are
   * read from A itself. A shallower one, or a row-major A, is read where it is.
   */
  @ParameterizedTest(name = "{0} {1}x{2}x{3}")
  @CsvSource({"tn, 256, 256, 256", "tn, 70, 520, 100", "tt, 69, 600, 40", "tt, 69, 130, 40", "tn, 63, 1024, 64",
      "nn, 256, 1024, 256", "nt, 70, 130, 100"})
  void aDeepTransposedAIsPackedInFours(String layout, int m, int k, int n) {
    boolean transA = layout.charAt(0) == 't' && m >= MatmulEmitter.PACK_MIN_ROWS && k >= MatmulEmitter.PACK_A_MIN_DEPTH;
    String code = vectorSource(layout, m, k, n);
    assertThat(code.contains("Panels.packRows(a_, " + k + ", " + m + ", scratch_apanels)")).as("A packed").isEqualTo(transA);
    assertThat(code.contains("Gemm.tile4x6(scratch_apanels, i * " + k + ", 1, 4, ") || code.contains("Gemm.tile4x4(scratch_apanels, i * " + k + ", 1, 4, "))
        .as("four-row tiles read the micro-panels").isEqualTo(transA);
    assertThat(code).doesNotContain("scratch_at");
    if (transA && m % 4 != 0) assertThat(code).as("rows left over read A").contains("(a_, i, " + m + ", ");
  }

  private static String vectorSource(String layout, int m, int k, int n) {
    boolean transA = layout.charAt(0) == 't', transB = layout.charAt(1) == 't';
    GraphBuilder g = GraphBuilder.create(1);
    Tensor a = transA ? g.input("a", k, m) : g.input("a", m, k);
    Tensor b = transB ? g.parameter("b", Initializers.uniform(-1, 1), n, k) : g.parameter("b", Initializers.uniform(-1, 1), k, n);
    Tensor c = g.matmul(a, b, transA, transB);
    Graph graph = g.output("c", c).build();
    Graph planned = graph.withKernels(List.of(Kernel.of(Kernel.Kind.DENSE, new Stage.Matmul(c.node(), List.of()))));
    return ProgramEmitter.emit(planned, MemoryPlanner.plan(planned), Backend.VECTOR).code();
  }
}
