package dev.fusebox.passes.memory;

import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Kernel;
import dev.fusebox.ir.Node;
import dev.fusebox.ir.Stage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The stages of a fused graph's kernels in the order a step runs them, and where each node is computed. */
public final class Schedule {
  private final List<Stage> stages = new ArrayList<>();
  private final List<Integer> kernelOfStage = new ArrayList<>();
  private final int[] stageOf;
  private final boolean[] elementwiseMember;

  private Schedule(Graph g) {
    if (g.kernels().isEmpty()) throw new IllegalArgumentException("memory planning needs a fused graph (run kernel_fusion first)");
    stageOf = new int[g.size()];
    Arrays.fill(stageOf, -1);
    elementwiseMember = new boolean[g.size()];
    for (int k = 0; k < g.kernels().size(); k++) {
      Kernel kernel = g.kernels().get(k);
      for (Stage s : kernel.stages()) {
        for (Node n : s.nodes()) stageOf[n.id()] = stages.size();
        for (Node n : elementwiseMembers(s)) elementwiseMember[n.id()] = true;
        stages.add(s);
        kernelOfStage.add(k);
      }
    }
  }

  /** The nodes a stage computes element by element: a loop's members (not its column sums), a matmul's epilogue. */
  public static List<Node> elementwiseMembers(Stage s) {
    if (s instanceof Stage.Loop l) return l.members();
    if (s instanceof Stage.Matmul m) return m.epilogue();
    return List.of();
  }

  public static Schedule of(Graph g) {
    return new Schedule(g);
  }

  /** Stages in a step. */
  public int size() {
    return stages.size();
  }

  public Stage stage(int s) {
    return stages.get(s);
  }

  /** The kernel stage {@code s} belongs to. */
  public int kernelOf(int s) {
    return kernelOfStage.get(s);
  }

  /** The stage computing {@code n}, or -1 for sources. */
  public int stageOf(Node n) {
    return stageOf[n.id()];
  }

  /** Whether {@code n} is computed element by element in a loop or a matmul's epilogue. */
  public boolean isElementwiseMember(Node n) {
    return elementwiseMember[n.id()];
  }

  /**
   * Whether {@code n}'s value can stay in registers when only its own stage reads it: loop members and
   * a matmul with its epilogue can; a single op and a column sum compute into an array.
   */
  boolean inRegisterStage(Node n) {
    return elementwiseMember[n.id()] || stages.get(stageOf[n.id()]) instanceof Stage.Matmul m && m.matmul() == n;
  }
}
