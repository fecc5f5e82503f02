package dev.fusebox.autodiff;

import dev.fusebox.ir.DType;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.GraphException;
import dev.fusebox.ir.Gradients;
import dev.fusebox.ir.Node;
import dev.fusebox.ir.Op;
import dev.fusebox.ops.Arithmetic;
import dev.fusebox.ops.Constant;
import dev.fusebox.ops.Variable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reverse-mode automatic differentiation on the graph. Walking the forward nodes in reverse order, it
 * sums the gradient contributions each node received from its users (a node used on several paths
 * gets the sum of all of them) and applies the node's op's gradient rule to pass gradients on to its
 * inputs. The result is more graph: backward nodes are ordinary nodes, marked with the forward node
 * they came from, so later passes can fuse them and the interpreter can run them.
 *
 * <p>The gradient of node {@code n} is named {@code n.grad} and declared as an output of that name.
 */
public final class Autodiff {
  private Autodiff() {}

  /**
   * {@return the graph plus the gradients of its {@code loss} output with respect to every trainable parameter}
   *
   * @param g a forward graph with a scalar {@code loss} output
   * @throws GraphException if the graph has no {@code loss} output, or it is not a scalar
   */
  public static Graph differentiate(Graph g) {
    Graph.Builder b = g.toBuilder();
    List<Node> params = g.nodes().stream()
        .filter(n -> n.op() instanceof Variable v && v.trainable())
        .toList();
    append(b, g.output("loss"), params);
    return b.build();
  }

  /**
   * {@return the graph plus the gradients of {@code loss} with respect to the named nodes}
   *
   * @param g a graph
   * @param loss the name of a scalar node
   * @param wrt the names of float nodes: parameters, inputs or intermediates
   * @throws GraphException naming a node that does not exist or cannot be differentiated, or a loss that is not a scalar
   */
  public static Graph differentiate(Graph g, String loss, String... wrt) {
    Graph.Builder b = g.toBuilder();
    append(b, g.node(loss), Arrays.stream(wrt).map(g::node).toList());
    return b.build();
  }

  /**
   * Appends to {@code b} the nodes computing d{@code loss}/d{@code w} for each {@code w}, declares
   * each as output {@code <w>.grad}, and returns them by node. A node the loss does not depend on gets
   * a zero gradient.
   *
   * @param b the graph under construction, holding {@code loss} and {@code wrt}
   * @param loss a scalar node
   * @param wrt float nodes of {@code b}
   * @return each node of {@code wrt}, in order, with its gradient node (same shape)
   * @throws GraphException if the loss is not a scalar or a node of {@code wrt} is not float
   */
  public static Map<Node, Node> append(Graph.Builder b, Node loss, List<Node> wrt) {
    return append(b, loss, wrt, true);
  }

  /**
   * As {@link #append(Graph.Builder, Node, List)}; with {@code declareOutputs} false the gradients are
   * not outputs, so that a training program is free to keep them in registers and never store them.
   *
   * @param b the graph under construction, holding {@code loss} and {@code wrt}
   * @param loss a scalar node
   * @param wrt float nodes of {@code b}
   * @param declareOutputs whether to declare each gradient as output {@code <w>.grad}
   * @return each node of {@code wrt}, in order, with its gradient node (same shape)
   * @throws GraphException if the loss is not a scalar or a node of {@code wrt} is not float
   */
  public static Map<Node, Node> append(Graph.Builder b, Node loss, List<Node> wrt, boolean declareOutputs) {
    Map<Node, Node> reached = gradients(b, loss, wrt);
    Map<Node, Node> result = new LinkedHashMap<>();
    for (Node w : wrt) {
      Node grad = reached.get(w);
      if (grad == null) {
        grad = b.add(new Constant(w.shape(), new double[w.shape().size()]), List.of(), w.name() + ".grad", w.site(), w.name());
      }
      if (declareOutputs) b.output(w.name() + ".grad", grad);
      result.put(w, grad);
    }
    return result;
  }

  /**
   * Appends to {@code b} the nodes computing d{@code loss}/d{@code w} for each {@code w} that a
   * gradient reaches, and returns them in {@code wrt}'s order; a node the loss does not depend on
   * through differentiable ops has none (PyTorch's {@code .grad is None}). Nothing is declared an output.
   *
   * @param b the graph under construction, holding {@code loss} and {@code wrt}
   * @param loss a scalar node
   * @param wrt float nodes of {@code b}
   * @return the nodes of {@code wrt} a gradient reaches, in order, with their gradient nodes
   * @throws GraphException if the loss is not a scalar or a node of {@code wrt} is not float
   */
  public static Map<Node, Node> gradients(Graph.Builder b, Node loss, List<Node> wrt) {
    if (!loss.shape().isScalar()) throw new GraphException("loss " + loss.describe() + " must be a scalar, not " + loss.shape());
    List<Node> forward = new ArrayList<>(b.nodes());
    int n = forward.size();
    boolean[] fromWrt = new boolean[n];
    for (Node w : wrt) {
      if (w.dtype() != DType.F32) throw new GraphException("cannot differentiate with respect to " + w.describe() + ": it is " + w.dtype());
      fromWrt[w.id()] = true;
    }
    for (Node node : forward) {
      for (Node in : node.inputs()) fromWrt[node.id()] |= fromWrt[in.id()];
    }
    boolean[] toLoss = new boolean[n];
    toLoss[loss.id()] = true;
    for (int i = loss.id(); i >= 0; i--) {
      if (toLoss[i]) for (Node in : forward.get(i).inputs()) toLoss[in.id()] = true;
    }

    int[] users = new int[n];
    for (Node node : forward) for (Node in : node.inputs()) users[in.id()]++;
    Map<Node, List<Node>> contributions = new IdentityHashMap<>();
    Map<Node, Node> totals = new IdentityHashMap<>();
    Node one = b.add(Constant.scalar(1), List.of(), loss.name() + ".grad_seed", loss.site(), loss.name());
    contributions.computeIfAbsent(loss, k -> new ArrayList<>()).add(one);

    for (int i = loss.id(); i >= 0; i--) {
      Node node = forward.get(i);
      List<Node> parts = contributions.get(node);
      if (parts == null || !fromWrt[i] || !toLoss[i]) continue;
      Node dy = total(b, node, parts);
      totals.put(node, dy);
      if (node.op().arity() == 0) continue;
      List<Node> grads = rule(b, node, dy, users, fromWrt);
      for (int k = 0; k < grads.size(); k++) {
        Node in = node.input(k), grad = grads.get(k);
        if (grad == null || !fromWrt[in.id()] || in.dtype() != DType.F32) continue;
        contributions.computeIfAbsent(in, x -> new ArrayList<>()).add(grad);
      }
    }

    Map<Node, Node> result = new LinkedHashMap<>();
    for (Node w : wrt) if (totals.containsKey(w)) result.put(w, totals.get(w));
    return result;
  }

  /**
   * The sum of a node's gradient contributions. A sum made here (or the seed) is named
   * {@code <node>.grad}; a single contribution keeps its name, since it may also be another node's.
   */
  private static Node total(Graph.Builder b, Node node, List<Node> parts) {
    Node sum = parts.get(0);
    for (int k = 1; k < parts.size(); k++) {
      sum = b.add(Arithmetic.add(), List.of(sum, parts.get(k)), null, node.site(), node.name());
    }
    boolean ours = parts.size() > 1 || (sum.op() instanceof Constant && node.name().equals(sum.gradOf()));
    return ours && b.find(node.name() + ".grad") == null ? b.rename(sum, node.name() + ".grad") : sum;
  }

  /**
   * Applies the node's gradient rule, checks what it returns, and names a gradient the rule made for
   * an input with no other user {@code <input>.grad}: it is that input's whole gradient.
   */
  private static List<Node> rule(Graph.Builder b, Node node, Node dy, int[] users, boolean[] fromWrt) {
    Gradients g = (Op op, Node... inputs) -> b.add(op, Arrays.asList(inputs), null, node.site(), node.name());
    int before = b.nodes().size();
    List<Node> grads;
    try {
      grads = node.op().vjp(g, node, dy);
    } catch (UnsupportedOperationException e) {
      throw new GraphException("cannot differentiate " + node.describe() + ": " + e.getMessage());
    }
    if (grads.size() != node.op().arity()) {
      throw new IllegalStateException("bug in the gradient rule of " + node.op().name() + ": it returned "
          + grads.size() + " gradients for " + node.op().arity() + " inputs");
    }
    for (int k = 0; k < grads.size(); k++) {
      Node grad = grads.get(k);
      if (grad != null && !grad.shape().equals(node.input(k).shape())) {
        throw new IllegalStateException("bug in the gradient rule of " + node.op().name() + ": gradient for input "
            + k + " has shape " + grad.shape() + ", the input has " + node.input(k).shape());
      }
    }
    List<Node> named = new ArrayList<>(grads);
    for (int k = 0; k < named.size(); k++) {
      Node grad = named.get(k), in = node.input(k);
      boolean ownedByThisInput = grad != null && fromWrt[in.id()] && grad.id() >= before && users[in.id()] == 1 && b.isUnused(grad)
          && java.util.Collections.frequency(named, grad) == 1 && node.inputs().indexOf(in) == node.inputs().lastIndexOf(in);
      if (ownedByThisInput && b.find(in.name() + ".grad") == null) named.set(k, b.rename(grad, in.name() + ".grad"));
    }
    return named;
  }
}
