package dev.fusebox.passes.fusion;

import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Kernel;
import dev.fusebox.ir.Kernel.Kind;
import dev.fusebox.ir.Node;
import dev.fusebox.ops.Elementwise;
import dev.fusebox.ops.Loss;
import dev.fusebox.ops.MatMul;
import dev.fusebox.ops.SumTo;
import dev.fusebox.passes.Pass;
import dev.fusebox.passes.PassContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Groups the nodes of a training graph into kernels, each recorded as a decision with its reason:
 *
 * <ol>
 *   <li>a loss with its gradient ({@link Kind#LOSS});
 *   <li>a dense layer's backward ({@link Kind#DENSE_BACKWARD}): the gradient of its pre-activation as a
 *       prologue (when nothing else needs it), the bias gradient reduced from it, and the matmuls for
 *       dW and dX that read it;
 *   <li>every other matmul ({@link Kind#DENSE});
 *   <li>epilogues: elementwise consumers of a matmul's or reduction's result with its shape join that
 *       kernel: bias and activation forward, the optimizer's updates backward;
 *   <li>chains of remaining elementwise ops over one shape ({@link Kind#ELEMENTWISE});
 *   <li>everything else alone ({@link Kind#SINGLE}).
 * </ol>
 *
 * A node joins a kernel only if the kernel stays convex (no path out of it and back in). The plan is
 * kept beside the graph ({@link Graph#kernels()}), in execution order; the nodes are unchanged, so a
 * fused graph still runs on the interpreter.
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
      Kind kind = n.op() instanceof Elementwise ? Kind.ELEMENTWISE : n.op() instanceof MatMul ? Kind.DENSE : Kind.SINGLE;
      plan.add(new Kernel(kind, List.of(n)));
    }
    return g.withKernels(plan);
  }

  /** One planning run over one graph. */
  private static final class Planner {
    private final Graph g;
    private final PassContext ctx;
    private final String pass;
    private final Map<Node, List<Node>> users;
    private final int[] group;
    private final List<List<Node>> members = new ArrayList<>();
    private final List<Kind> kinds = new ArrayList<>();

    Planner(Graph g, PassContext ctx, String pass) {
      this.g = g;
      this.ctx = ctx;
      this.pass = pass;
      this.users = g.users();
      this.group = new int[g.size()];
      java.util.Arrays.fill(group, -1);
    }

    List<Kernel> plan() {
      for (Node n : g.nodes()) if (n.op() instanceof Loss && free(n)) lossKernel(n);
      for (Node n : g.nodes()) if (!n.op().isSource()) denseBackward(n);
      for (Node n : g.nodes()) if (n.op() instanceof MatMul && free(n)) start(Kind.DENSE, n);
      for (int k = 0; k < members.size(); k++) if (kinds.get(k) == Kind.DENSE || kinds.get(k) == Kind.DENSE_BACKWARD) epilogue(k);
      for (Node n : g.nodes()) if (n.op() instanceof Elementwise && free(n)) elementwise(n);
      for (Node n : g.nodes()) if (free(n)) start(Kind.SINGLE, n);
      for (int k = 0; k < members.size(); k++) {
        if (members.get(k).size() > 1) ctx.decide(pass, "fused " + kinds.get(k).text() + ": " + names(members.get(k)));
      }
      return KernelOrder.order(g, members, kinds, group);
    }

    private boolean free(Node n) {
      return group[n.id()] < 0 && !n.op().isSource();
    }

    private int start(Kind kind, Node n) {
      members.add(new ArrayList<>(List.of(n)));
      kinds.add(kind);
      group[n.id()] = members.size() - 1;
      return members.size() - 1;
    }

    private void join(int k, Node n) {
      members.get(k).add(n);
      group[n.id()] = k;
    }

    private void lossKernel(Node loss) {
      int k = start(Kind.LOSS, loss);
      for (Node u : g.nodes()) {
        if (u.op() instanceof Loss.LossGrad lg && lg.loss().equals(loss.op()) && free(u)
            && u.input(0) == loss.input(0) && u.input(1) == loss.input(1) && convexWith(k, u)) {
          join(k, u);
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
        } else if (u.op() instanceof SumTo && u.shape().rank() == 1 && dz.shape().rank() == 2) {
          consumers.add(u);
        }
      }
      if (!weightGradient) return;
      boolean prologue = dz.op() instanceof Elementwise && group[dz.id()] < 0 && !g.outputs().containsValue(dz)
          && users.get(dz).stream().allMatch(consumers::contains);
      int k = prologue ? start(Kind.DENSE_BACKWARD, dz) : -1;
      for (Node u : consumers) {
        if (k < 0) k = start(Kind.DENSE_BACKWARD, u);
        else if (convexWith(k, u)) join(k, u);
      }
      if (!prologue) ctx.decide(pass, "'" + dz.name() + "' stays outside " + names(members.get(k)) + ": "
          + (dz.op() instanceof Elementwise ? "it has other users" : "it is computed by " + dz.op().name()));
    }

    /** Elementwise consumers of a matmul or reduction result (or of earlier epilogue nodes) of the same shape. */
    private void epilogue(int k) {
      for (int i = 0; i < members.get(k).size(); i++) {
        Node anchor = members.get(k).get(i);
        if (!(anchor.op() instanceof MatMul || anchor.op() instanceof SumTo || anchor.op() instanceof Elementwise && i > 0)) continue;
        for (Node u : users.get(anchor)) {
          if (!(u.op() instanceof Elementwise) || !free(u)) continue;
          if (!u.shape().equals(anchor.shape())) {
            ctx.decide(pass, "'" + u.name() + "' not fused into " + kinds.get(k).text() + " of '" + anchor.name() + "': shape "
                + u.shape() + " differs from " + anchor.shape());
          } else if (heroes(k, u).size() != 1) {
            ctx.decide(pass, "'" + u.name() + "' not fused into " + kinds.get(k).text() + " of '" + anchor.name()
                + "': it would combine the results of " + heroes(k, u).size() + " matmuls or reductions");
          } else if (!convexWith(k, u)) {
            ctx.decide(pass, "'" + u.name() + "' not fused into " + kinds.get(k).text() + " of '" + anchor.name()
                + "': another of its inputs depends on that kernel");
          } else {
            join(k, u);
          }
        }
      }
    }

    /**
     * Joins the elementwise kernel of an input with n's shape, then merges in the kernels of its other
     * such inputs (siblings reading the same values: Adam's m' and v' both read the gradient).
     */
    /**
     * The matmuls and reductions of kernel k that {@code n} would depend on inside the kernel. An
     * epilogue node must depend on exactly one, so that it can be computed on each tile of that result;
     * a dense backward's prologue (dz) is not a hero.
     */
    private java.util.Set<Node> heroes(int k, Node n) {
      java.util.Set<Node> out = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
      List<Node> stack = new ArrayList<>(n.inputs());
      java.util.Set<Node> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
      while (!stack.isEmpty()) {
        Node x = stack.remove(stack.size() - 1);
        if (group[x.id()] != k || !seen.add(x)) continue;
        if (x.op() instanceof MatMul || x.op() instanceof SumTo) out.add(x);
        else stack.addAll(x.inputs());
      }
      return out;
    }

    private void elementwise(Node n) {
      int target = -1;
      for (Node in : n.inputs()) {
        int k = group[in.id()];
        if (k < 0 || k == target || kinds.get(k) != Kind.ELEMENTWISE || !in.shape().equals(n.shape())) continue;
        if (target < 0) {
          if (convexWith(k, List.of(n))) {
            join(k, n);
            target = k;
          }
        } else if (convexWith(target, members.get(k))) {
          for (Node m : members.get(k)) join(target, m);
          members.get(k).clear();
        }
      }
      if (target < 0) start(Kind.ELEMENTWISE, n);
    }

    private boolean convexWith(int k, Node n) {
      return convexWith(k, List.of(n));
    }

    /** Whether kernel k stays convex with {@code more} added: no input outside it depends on a member. */
    private boolean convexWith(int k, List<Node> more) {
      List<Node> set = new ArrayList<>(members.get(k));
      set.addAll(more);
      boolean[] in = new boolean[g.size()];
      int min = Integer.MAX_VALUE;
      for (Node m : set) {
        in[m.id()] = true;
        min = Math.min(min, m.id());
      }
      // dependsOn[i]: node i (outside the set) depends on a member.
      boolean[] dependsOn = new boolean[g.size()];
      int max = 0;
      for (Node m : set) max = Math.max(max, m.id());
      for (int i = min; i <= max; i++) {
        Node x = g.nodes().get(i);
        for (Node input : x.inputs()) {
          boolean viaMember = in[input.id()] || dependsOn[input.id()];
          if (!viaMember) continue;
          if (in[i] && !in[input.id()]) return false;
          if (!in[i]) dependsOn[i] = true;
        }
      }
      return true;
    }

    private static String names(List<Node> nodes) {
      return String.join(", ", nodes.stream().map(Node::name).toList());
    }
  }
}
