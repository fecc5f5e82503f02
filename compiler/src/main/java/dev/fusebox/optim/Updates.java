package dev.fusebox.optim;

import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Node;
import dev.fusebox.ops.Elementwise;
import dev.fusebox.ops.Variable;
import dev.fusebox.ops.alu.Expr;
import dev.fusebox.runtime.init.Initializers;
import java.util.Arrays;
import java.util.Map;

/**
 * What an optimizer works with while adding its updates: the graph under construction, each
 * parameter's gradient, the learning-rate input and the step counter {@code t} (1 in the first step),
 * plus helpers to add state variables and update nodes with readable names.
 */
public final class Updates {
  private final Graph.Builder graph;
  private final Map<Node, Node> gradients;
  private final Node lr;
  private final Node step;

  Updates(Graph.Builder graph, Map<Node, Node> gradients, Node lr, Node step) {
    this.graph = graph;
    this.gradients = gradients;
    this.lr = lr;
    this.step = step;
  }

  /** Parameter → gradient, in declaration order. */
  public Map<Node, Node> gradients() {
    return gradients;
  }

  /** The learning rate, a scalar input. */
  public Node lr() {
    return lr;
  }

  /** The step number of the step being taken: 1, 2, 3, ... (a scalar). */
  public Node step() {
    return step;
  }

  /** A state variable {@code <param>.<what>} shaped like the parameter, starting at {@code initial}. */
  public Node state(Node param, String what, double initial) {
    return graph.add(Variable.state(param.shape(), Initializers.constant(initial)), java.util.List.of(),
        param.name() + "." + what, param.site(), null);
  }

  /**
   * An elementwise node named {@code name} whose op is {@code op} (say {@code adam_exp_avg}), computing
   * {@code body} over {@code inputs} (x0, x1, ... in order).
   */
  public Node compute(String name, String op, Expr body, Node... inputs) {
    return graph.add(Elementwise.plain(op, inputs.length, body), Arrays.asList(inputs), name, inputs[0].site(), null);
  }

  /** A scalar computed once per step from the step number: {@code body} over x0 = t. */
  public Node scalar(String name, Expr body) {
    Node existing = graph.find(name);
    return existing != null ? existing : compute(name, name.replace('.', '_'), body, step);
  }

  /** Declares that a step sets {@code variable} to {@code value}. */
  public void set(Node variable, Node value) {
    graph.update(variable, value);
  }
}
