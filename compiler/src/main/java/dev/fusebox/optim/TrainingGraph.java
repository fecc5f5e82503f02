package dev.fusebox.optim;

import static dev.fusebox.ops.alu.Expr.c;
import static dev.fusebox.ops.alu.Expr.x;

import dev.fusebox.autodiff.Autodiff;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Node;
import dev.fusebox.ops.Arithmetic;
import dev.fusebox.ops.Axis;
import dev.fusebox.ops.Elementwise;
import dev.fusebox.ops.Input;
import dev.fusebox.ops.Reduce;
import dev.fusebox.ops.Variable;
import dev.fusebox.runtime.init.Initializers;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The whole training step as one graph: the forward graph, the gradients of its {@code loss} with
 * respect to every trainable parameter, optional clipping by global norm, and the optimizer's
 * updates. Adds a scalar input {@code lr} (initially the optimizer's learning rate; schedules set it)
 * and a state {@code optimizer.step} counting steps. Gradients are not outputs, so that compiled code
 * can fuse them into the updates without storing them; the interpreter can still read them by name.
 * Parameters the loss does not reach through differentiable ops get no gradient and no update at all
 * (no weight decay, no optimizer state), as {@code torch.optim} skips a parameter whose {@code .grad}
 * is {@code None}.
 */
public final class TrainingGraph {
  private TrainingGraph() {}

  /**
   * {@return the training graph of {@code forward} with {@code optimizer}'s updates, without clipping}
   *
   * @param forward a forward graph with a scalar {@code loss} output
   * @param optimizer the optimizer
   * @throws IllegalArgumentException if the graph has no trainable parameter, or the loss reaches none
   */
  public static Graph of(Graph forward, Optimizer optimizer) {
    return of(forward, optimizer, 0);
  }

  /**
   * {@return the training graph as {@link #of(Graph, Optimizer)} makes it, clipping gradients to global L2
   * norm {@code maxNorm} when it is positive}
   *
   * @param forward a forward graph with a scalar {@code loss} output
   * @param optimizer the optimizer
   * @param maxNorm the largest global norm, finite and not negative; 0 for no clipping
   * @throws IllegalArgumentException if {@code maxNorm} is out of range, the graph has no trainable
   *     parameter, or the loss reaches none
   */
  public static Graph of(Graph forward, Optimizer optimizer, double maxNorm) {
    checkNorm(maxNorm);
    Graph.Builder b = forward.toBuilder();
    addOptimizer(b, reachedGradients(b, forward.output("loss"), forward), optimizer, maxNorm);
    return b.build();
  }

  /**
   * The gradient half of a step split for data parallelism: the forward graph, a scalar input
   * {@code loss_scale} (1 until set) and, as outputs {@code <param>.grad}, the gradients of
   * {@code loss · loss_scale} with respect to the parameters the loss reaches. A global batch split into
   * micro-batches sets each micro-batch's scale to its share of the global batch's valid rows, so that
   * the micro-batches' gradients add up to the global batch's. Output {@code loss} stays the
   * micro-batch's own mean loss.
   *
   * @param forward a forward graph with a scalar {@code loss} output
   * @return the gradient graph; it updates nothing
   * @throws IllegalArgumentException if the graph has no trainable parameter, or the loss reaches none
   */
  public static Graph gradients(Graph forward) {
    Graph.Builder b = forward.toBuilder();
    Node loss = forward.output("loss");
    Node scale = b.add(Input.scalar(1), List.of(), "loss_scale", "", null);
    Node scaled = b.add(Arithmetic.mul(), List.of(loss, scale), "loss.scaled", loss.site(), null);
    reachedGradients(b, scaled, forward).forEach((p, g) -> b.output(p.name() + ".grad", g));
    return b.build();
  }

  /**
   * The update half of a step split for data parallelism: the parameters {@link #gradients} differentiates
   * (the same names, initialisers and seeds as in {@code forward}, so both halves start alike), a whole
   * tensor input {@code <param>.grad} for each (the summed gradient), optional clipping by global norm,
   * and the optimizer's updates with its state, {@code lr} and {@code optimizer.step} as in {@link #of}.
   *
   * @param forward the forward graph {@link #gradients} was given
   * @param optimizer the optimizer
   * @param maxNorm the largest global norm of the summed gradients, finite and not negative; 0 for no clipping
   * @return the update graph; it has no forward pass
   * @throws IllegalArgumentException if {@code maxNorm} is out of range, the graph has no trainable
   *     parameter, or the loss reaches none
   */
  public static Graph update(Graph forward, Optimizer optimizer, double maxNorm) {
    checkNorm(maxNorm);
    Set<String> reached = new HashSet<>();
    for (String name : gradients(forward).outputs().keySet()) if (name.endsWith(".grad")) reached.add(name.substring(0, name.length() - 5));
    Graph.Builder b = Graph.builder();
    Map<Node, Node> grads = new LinkedHashMap<>();
    for (Node p : forward.trainableParameters()) {
      if (!reached.contains(p.name())) continue;
      Node param = b.add(p.op(), List.of(), p.name(), p.site(), null);
      grads.put(param, b.add(Input.gradient(p.shape()), List.of(), p.name() + ".grad", p.site(), null));
    }
    addOptimizer(b, grads, optimizer, maxNorm);
    return b.build();
  }

  /** The gradients of {@code loss} with respect to the trainable parameters of {@code forward} it reaches; none is an error. */
  private static Map<Node, Node> reachedGradients(Graph.Builder b, Node loss, Graph forward) {
    List<Node> params = forward.trainableParameters();
    if (params.isEmpty()) throw new IllegalArgumentException("the graph has no trainable parameters");
    // As torch.optim: a parameter no gradient reaches (.grad is None) is skipped entirely, weight decay
    // and optimizer state included.
    Map<Node, Node> grads = Autodiff.gradients(b, loss, params);
    if (grads.isEmpty()) {
      throw new IllegalArgumentException("the loss '" + loss.name() + "' does not depend on any trainable parameter ("
          + String.join(", ", params.stream().map(Node::name).toList()) + "): there is nothing to train");
    }
    return grads;
  }

  /** Clipping, {@code lr}, the step counter and the optimizer's updates of the parameters in {@code grads}. */
  private static void addOptimizer(Graph.Builder b, Map<Node, Node> grads, Optimizer optimizer, double maxNorm) {
    if (maxNorm > 0) grads = clipByGlobalNorm(b, grads, maxNorm);
    Node lr = b.add(Input.scalar(optimizer.lr()), List.of(), "lr", "", null);
    Node t = b.add(Variable.state(dev.fusebox.ir.Shape.scalar(), Initializers.zeros()), List.of(), "optimizer.step", "", null);
    Node tNext = b.add(Elementwise.plain("increment", 1, x(0).add(1)), List.of(t), "optimizer.step.next", "", null);
    b.update(t, tNext);
    optimizer.addUpdates(new Updates(b, grads, lr, tNext));
  }

  private static void checkNorm(double maxNorm) {
    if (!(maxNorm >= 0) || Double.isInfinite(maxNorm)) throw new IllegalArgumentException("max_norm must be a finite non-negative number: " + maxNorm);
  }

  /**
   * Scales every gradient by min(1, maxNorm / (‖g‖ + 1e-6)) where ‖g‖ is the L2 norm of all gradients
   * together, as {@code torch.nn.utils.clip_grad_norm_}.
   */
  static Map<Node, Node> clipByGlobalNorm(Graph.Builder b, Map<Node, Node> grads, double maxNorm) {
    Node total = null;
    for (Node g : grads.values()) {
      Node sq = b.add(Reduce.sum(Axis.ALL), List.of(b.add(Elementwise.plain("square", 1, x(0).mul(x(0))), List.of(g), null, "", null)),
          null, "", null);
      total = total == null ? sq : b.add(Elementwise.plain("add", 2, x(0).add(x(1))), List.of(total, sq), null, "", null);
    }
    Node coef = b.add(Elementwise.plain("clip_coef", 1, c(maxNorm).div(x(0).sqrt().add(1e-6)).min(1)), List.of(total),
        "grad_norm.clip_coef", "", null);
    Map<Node, Node> clipped = new LinkedHashMap<>();
    for (Map.Entry<Node, Node> e : grads.entrySet()) {
      clipped.put(e.getKey(), b.add(Elementwise.plain("clip", 2, x(0).mul(x(1))), List.of(e.getValue(), coef),
          e.getKey().name() + ".grad_clipped", "", null));
    }
    return clipped;
  }
}
