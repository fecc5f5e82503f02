package dev.fusebox.ir;

/**
 * What a gradient rule may do: add nodes to the graph under construction. Nodes added here are
 * marked as coming from the forward node whose rule is running, and carry its call site.
 */
public interface Gradients {

  /** Adds {@code op} applied to {@code inputs}. */
  Node add(Op op, Node... inputs);
}
