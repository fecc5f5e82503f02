package dev.fusebox.ir;

import java.util.List;

/**
 * One value in a graph: an op applied to ordered inputs, with a static shape, an element type, a
 * unique name and the call site of the builder call that created it. Immutable. Identity is the
 * object: two nodes are the same value only if they are the same node.
 */
public final class Node {
  private final int id;
  private final Op op;
  private final List<Node> inputs;
  private final Shape shape;
  private final DType dtype;
  private final String name;
  private final String site;
  private final String gradOf;

  Node(int id, Op op, List<Node> inputs, Shape shape, DType dtype, String name, String site, String gradOf) {
    this.id = id;
    this.op = op;
    this.inputs = List.copyOf(inputs);
    this.shape = shape;
    this.dtype = dtype;
    this.name = name;
    this.site = site == null ? "" : site;
    this.gradOf = gradOf;
  }

  /** Position in the graph's insertion (and topological) order. */
  public int id() {
    return id;
  }

  public Op op() {
    return op;
  }

  public List<Node> inputs() {
    return inputs;
  }

  public Node input(int i) {
    return inputs.get(i);
  }

  public Shape shape() {
    return shape;
  }

  public DType dtype() {
    return dtype;
  }

  public String name() {
    return name;
  }

  /** {@code File.java:42} of the builder call that created this node, or "" if unknown. */
  public String site() {
    return site;
  }

  /** For nodes of the backward pass: the name of the forward node whose gradient rule made it; else null. */
  public String gradOf() {
    return gradOf;
  }

  /** {@code relu 'h1' (#5)}: how error messages refer to a node. */
  public String describe() {
    return op.name() + " '" + name + "' (#" + id + ")";
  }

  @Override
  public String toString() {
    return "%" + id + " " + name + " = " + op.name() + " " + dtype + shape;
  }
}
