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

  /** {@return parameter → gradient, in declaration order; only parameters the loss reaches} */
  public Map<Node, Node> gradients() {
    return gradients;
  }

  /** {@return the learning rate, a scalar input} */
  public Node lr() {
    return lr;
  }

  /** {@return the step number of the step being taken: 1, 2, 3, ... (a scalar)} */
  public Node step() {
    return step;
  }

  /**
   * {@return a new state variable {@code <param>.<what>} shaped like the parameter, starting at {@code initial}}
   *
   * @param param the parameter
   * @param what the state's name after the parameter's, as PyTorch's state dict has it ({@code exp_avg})
   * @param initial the value of every element before the first step
   */
  public Node state(Node param, String what, double initial) {
    return graph.add(Variable.state(param.shape(), Initializers.constant(initial)), java.util.List.of(),
        param.name() + "." + what, param.site(), null);
  }

  /**
   * An elementwise node named {@code name} whose op is {@code op} (say {@code adam_exp_avg}), computing
   * {@code body} over {@code inputs} (x0, x1, ... in order).
   *
   * @param name the node's name
   * @param op the op's name in printed graphs and generated code
   * @param body the expression
   * @param inputs at least one; the node's call site is the first's
   * @return the node
   */
  public Node compute(String name, String op, Expr body, Node... inputs) {
    return graph.add(Elementwise.plain(op, inputs.length, body), Arrays.asList(inputs), name, inputs[0].site(), null);
  }

  /**
   * {@return a scalar computed once per step from the step number, shared by every parameter: the
   * existing node of that name, if there is one}
   *
   * @param name the node's name ({@code adam.bias_correction1})
   * @param body the expression over x0 = t
   */
  public Node scalar(String name, Expr body) {
    Node existing = graph.find(name);
    return existing != null ? existing : compute(name, name.replace('.', '_'), body, step);
  }

  /**
   * Declares that a step sets {@code variable} to {@code value}; all updates take effect together.
   *
   * @param variable a parameter or state variable
   * @param value the node computing its new value
   */
  public void set(Node variable, Node value) {
    graph.update(variable, value);
  }
}
