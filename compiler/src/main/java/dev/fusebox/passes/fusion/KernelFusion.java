package dev.fusebox.passes.fusion;

import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Kernel.Kind;
import dev.fusebox.ir.Kernel;
import dev.fusebox.ir.Node;
import dev.fusebox.ir.Stage;
import dev.fusebox.ops.Elementwise;
import dev.fusebox.ops.Loss;
import dev.fusebox.ops.MatMul;
import dev.fusebox.ops.SumTo;
import dev.fusebox.passes.Pass;
import dev.fusebox.passes.PassContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Groups the nodes of a training graph into kernels, each recorded as a decision with its reason:
 *
 * <ol>
 *   <li>a loss with its gradient ({@link Kind#LOSS});
 *   <li>a dense layer's backward ({@link Kind#DENSE_BACKWARD}): the gradient of its pre-activation as a
 *       prologue loop (when nothing else needs it) that also sums the bias gradient, and the matmuls
 *       for dW and dX that read it;
 *   <li>every other matmul ({@link Kind#DENSE});
 *   <li>epilogues: elementwise consumers of a matmul's or column sum's result with its shape join that
 *       hero's stage: bias and activation forward, the optimizer's updates backward;
 *   <li>chains of remaining elementwise ops over one shape ({@link Kind#ELEMENTWISE});
 *   <li>everything else alone ({@link Kind#SINGLE}).
 * </ol>
 *
 * A node joins a kernel only if the kernels still form a DAG ({@link KernelGraph}). The plan states each
 * kernel's stages in the order they run ({@link Stage}); it is kept beside the graph
 * ({@link Graph#kernels()}), kernels in execution order; the nodes are unchanged, so a fused graph still
 * runs on the interpreter.
 */
public final class KernelFusion implements Pass {

  @Override
  public String name() {
    return "kernel_fusion";
  }

  @Override
  public Graph apply(Graph g, PassContext ctx) {
    if (!g.kernels().isEmpty()) return g;
    return g.withKernels(new Planner(g, ctx, name()).plan());
  }

  /**
   * The plan without fusion: every computing node its own kernel, in graph order (a matmul is a dense
   * kernel with nothing after it). For ablations ({@code fusebox.passes.disable=kernel_fusion}) and for
   * code generation of unfused graphs.
   */
  public static Graph unfused(Graph g) {
    if (!g.kernels().isEmpty()) return g;
    List<Kernel> plan = new ArrayList<>();
    for (Node n : g.nodes()) {
      if (n.op().isSource()) continue;
      if (n.op() instanceof Elementwise) plan.add(Kernel.of(Kind.ELEMENTWISE, new Stage.Loop(List.of(n))));
      else if (n.op() instanceof MatMul) plan.add(Kernel.of(Kind.DENSE, new Stage.Matmul(n, List.of())));
      else plan.add(Kernel.of(Kind.SINGLE, new Stage.Single(n)));
    }
    return g.withKernels(plan);
  }

  /** One planning run over one graph. */
  private static final class Planner {
    private final Graph g;
    private final PassContext ctx;
    private final String pass;
    private final Map<Node, List<Node>> users;
    private final KernelGraph groups;
    private final List<Kind> kinds = new ArrayList<>();
    /** For each epilogue node, the hero (matmul or column sum) whose stage it joins. */
    private final Node[] heroOf;
    /** For each dense backward kernel, its prologue (the pre-activation gradient computed in the kernel), or null. */
    private final List<Node> prologues = new ArrayList<>();

    Planner(Graph g, PassContext ctx, String pass) {
      this.g = g;
      this.ctx = ctx;
      this.pass = pass;
      this.users = g.users();
      this.groups = new KernelGraph(g, users);
      this.heroOf = new Node[g.size()];
    }

    List<Kernel> plan() {
      for (Node n : g.nodes()) if (n.op() instanceof Loss && free(n)) lossKernel(n);
      for (Node n : g.nodes()) if (!n.op().isSource()) denseBackward(n);
      for (Node n : g.nodes()) if (n.op() instanceof MatMul && free(n)) start(Kind.DENSE, n);
      for (int k = 0; k < kinds.size(); k++) if (kinds.get(k) == Kind.DENSE || kinds.get(k) == Kind.DENSE_BACKWARD) epilogue(k);
      for (Node n : g.nodes()) if (n.op() instanceof Elementwise && free(n)) elementwise(n);
      for (Node n : g.nodes()) if (free(n)) start(Kind.SINGLE, n);
      List<Kernel> kernels = new ArrayList<>();
      for (int k = 0; k < kinds.size(); k++) {
        List<Node> members = groups.members(k);
        if (members.isEmpty()) continue; // merged into another
        if (members.size() > 1) ctx.decide(pass, "fused " + kinds.get(k).text() + ": " + names(members));
        kernels.add(new Kernel(kinds.get(k), StageOrder.order(g, stages(k, members))));
      }
      return KernelOrder.order(g, kernels);
    }

    /** The stages of kernel k, unordered: its structure as the planning steps above built it. */
    private List<Stage> stages(int k, List<Node> unordered) {
      List<Node> members = new ArrayList<>(unordered);
      members.sort(Comparator.comparingInt(Node::id)); // graph order is an evaluation order
      List<Stage> stages = new ArrayList<>();
      switch (kinds.get(k)) {
        case ELEMENTWISE -> stages.add(new Stage.Loop(members));
        case LOSS, SINGLE -> members.forEach(n -> stages.add(new Stage.Single(n)));
        case DENSE, DENSE_BACKWARD -> {
          Node prologue = prologues.get(k);
          List<Node> sums = new ArrayList<>();
          for (Node n : members) {
            if (n.op() instanceof SumTo && n.input(0) == prologue) sums.add(n);
            else if (n.op() instanceof SumTo) stages.add(new Stage.Single(n));
          }
          if (prologue != null) stages.add(new Stage.Loop(List.of(prologue), sums));
          for (Node hero : members) {
            List<Node> epilogue = members.stream().filter(n -> heroOf[n.id()] == hero).toList();
            if (hero.op() instanceof MatMul) stages.add(new Stage.Matmul(hero, epilogue));
            else if (hero.op() instanceof SumTo && !epilogue.isEmpty()) stages.add(new Stage.Loop(epilogue));
          }
        }
      }
      return stages;
    }

    private boolean free(Node n) {
      return groups.of(n) < 0 && !n.op().isSource();
    }

    private int start(Kind kind, Node n) {
      kinds.add(kind);
      prologues.add(null);
      int k = groups.start(n);
      if (k != kinds.size() - 1) throw new IllegalStateException("bug in kernel_fusion: group numbering out of step");
      return k;
    }

    private void lossKernel(Node loss) {
      int k = start(Kind.LOSS, loss);
      for (Node u : g.nodes()) {
        if (u.op() instanceof Loss.LossGrad lg && lg.loss().equals(loss.op()) && free(u)
            && u.input(0) == loss.input(0) && u.input(1) == loss.input(1) && groups.canJoin(k, u)) {
          groups.join(k, u);
        }
      }
    }

    /**
     * dz (the gradient of a pre-activation) feeds dW = dzᵀ·x and usually dX = dz·W and db = Σ dz: one
     * kernel. dz itself joins as the prologue if the kernel is its only user and it is elementwise.
     */
    private void denseBackward(Node dz) {
      List<Node> consumers = new ArrayList<>();
      boolean weightGradient = false;
      for (Node u : users.get(dz)) {
        if (!free(u)) continue;
        if (u.op() instanceof MatMul m && u.input(0) == dz && u.input(1) != dz) {
          consumers.add(u);
          weightGradient |= m.transA();
        } else if (u.op() instanceof SumTo && u.shape().rank() == 1 && dz.shape().rank() == 2 && u.shape().size() == dz.shape().cols()) {
          // column sums (a bias gradient), not a sum of everything to [1]
          consumers.add(u);
        }
      }
      if (!weightGradient) return;
      boolean prologue = dz.op() instanceof Elementwise && free(dz) && !g.outputs().containsValue(dz)
          && users.get(dz).stream().allMatch(consumers::contains);
      int k = -1;
      if (prologue) {
        k = start(Kind.DENSE_BACKWARD, dz);
        prologues.set(k, dz);
      }
      List<Node> outside = new ArrayList<>();
      for (Node u : consumers) {
        if (k < 0) k = start(Kind.DENSE_BACKWARD, u);
        else if (groups.canJoin(k, u)) groups.join(k, u);
        else outside.add(u);
      }
      if (!prologue) ctx.decide(pass, "'" + dz.name() + "' stays outside " + names(groups.members(k)) + ": "
          + (dz.op() instanceof Elementwise ? "it has other users" : "it is computed by " + dz.op().name()));
      for (Node u : outside) ctx.decide(pass, "'" + u.name() + "' not fused into " + names(groups.members(k)) + ": it would make a cycle of kernels");
    }

    /** Elementwise consumers of a matmul or column sum (or of its earlier epilogue nodes) of the same shape. */
    private void epilogue(int k) {
      for (int i = 0; i < groups.members(k).size(); i++) {
        Node anchor = groups.members(k).get(i);
        boolean hero = anchor.op() instanceof MatMul || anchor.op() instanceof SumTo;
        if (!hero && heroOf[anchor.id()] == null) continue;
        for (Node u : users.get(anchor)) {
          if (!(u.op() instanceof Elementwise) || !free(u)) continue;
          List<Node> heroes = heroes(k, u);
          if (!u.shape().equals(anchor.shape())) {
            ctx.decide(pass, "'" + u.name() + "' not fused into " + kinds.get(k).text() + " of '" + anchor.name() + "': shape "
                + u.shape() + " differs from " + anchor.shape());
          } else if (heroes.size() != 1) {
            ctx.decide(pass, "'" + u.name() + "' not fused into " + kinds.get(k).text() + " of '" + anchor.name()
                + "': it would combine the results of " + heroes.size() + " matmuls or reductions");
          } else if (!groups.canJoin(k, u)) {
            ctx.decide(pass, "'" + u.name() + "' not fused into " + kinds.get(k).text() + " of '" + anchor.name()
                + "': another of its inputs depends on that kernel");
          } else {
            groups.join(k, u);
            heroOf[u.id()] = heroes.get(0);
          }
        }
      }
    }

    /**
     * The heroes (matmuls and column sums) of kernel k that {@code n} would depend on inside the kernel.
     * An epilogue node must depend on exactly one, so that it can be computed on each tile of that
     * result; a dense backward's prologue (dz) is not a hero.
     */
    private List<Node> heroes(int k, Node n) {
      List<Node> out = new ArrayList<>();
      for (Node in : n.inputs()) {
        if (groups.of(in) != k) continue;
        Node h = in.op() instanceof MatMul || in.op() instanceof SumTo ? in : heroOf[in.id()];
        if (h != null && !out.contains(h)) out.add(h);
      }
      return out;
    }

    /**
     * Joins the elementwise kernel of an input with n's shape, then merges in the kernels of its other
     * such inputs (siblings reading the same values: Adam's m' and v' both read the gradient).
     */
    private void elementwise(Node n) {
      int target = -1;
      for (Node in : n.inputs()) {
        int k = groups.of(in);
        if (k < 0 || k == target || kinds.get(k) != Kind.ELEMENTWISE || !in.shape().equals(n.shape())) continue;
        if (target < 0) {
          if (groups.canJoin(k, n)) {
            groups.join(k, n);
            target = k;
          }
        } else if (groups.canMerge(target, k)) {
          groups.merge(target, k);
        }
      }
      if (target < 0) start(Kind.ELEMENTWISE, n);
    }

    private static String names(List<Node> nodes) {
      return String.join(", ", nodes.stream().map(Node::name).toList());
    }
  }
}
