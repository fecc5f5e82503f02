package dev.fusebox.builder;

import dev.fusebox.ir.Node;
import dev.fusebox.ir.Shape;

/**
 * A handle on a node of a graph under construction. Create tensors with a {@link GraphBuilder};
 * combine them with its methods.
 */
public final class Tensor {
  private final GraphBuilder builder;
  private Node node;

  Tensor(GraphBuilder builder, Node node) {
    this.builder = builder;
    this.node = node;
  }

  /** {@return the node this tensor stands for} */
  public Node node() {
    return node;
  }

  /** {@return the node's shape} */
  public Shape shape() {
    return node.shape();
  }

  /** {@return the node's name, unique in its graph} */
  public String name() {
    return node.name();
  }

  GraphBuilder builder() {
    return builder;
  }

  /**
   * Names this tensor's node (for {@link dev.fusebox.runtime.Program#read} and printed graphs), before
   * anything uses it: {@code Tensor h = g.relu(z).named("h")}.
   *
   * @param name unique in the graph
   * @return this tensor
   * @throws dev.fusebox.ir.GraphException if the name is taken or the node already has users
   */
  public Tensor named(String name) {
    node = builder.rename(node, name);
    return this;
  }

  @Override
  public String toString() {
    return node.name() + ": " + node.dtype() + node.shape();
  }
}
