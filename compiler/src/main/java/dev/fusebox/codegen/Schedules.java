package dev.fusebox.codegen;

import dev.fusebox.ir.Kernel;
import dev.fusebox.ir.Node;
import dev.fusebox.ir.Stage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Which nodes and stages a forward (inference) run computes: what the outputs need, without the backward pass. */
final class Schedules {
  private Schedules() {}

  /**
   * The part of a kernel's stages a forward run needs (its stages if that is all of them): each stage
   * keeps the nodes in {@code forward}; a matmul whose result is not needed goes with its epilogue.
   */
  static List<Stage> forwardStages(Kernel kernel, Set<Node> forward) {
    List<Stage> out = new ArrayList<>();
    for (Stage s : kernel.stages()) {
      if (s.nodes().stream().allMatch(forward::contains)) {
        out.add(s);
      } else if (s instanceof Stage.Loop l && l.members().stream().anyMatch(forward::contains)) {
        out.add(new Stage.Loop(l.members().stream().filter(forward::contains).toList(),
            l.columnSums().stream().filter(forward::contains).toList()));
      } else if (s instanceof Stage.Matmul m && forward.contains(m.matmul())) {
        out.add(new Stage.Matmul(m.matmul(), m.epilogue().stream().filter(forward::contains).toList()));
      }
    }
    return out;
  }
}
