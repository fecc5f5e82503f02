package dev.fusebox.ir;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What a shape rule sees: the op, its input nodes, and the name and call site of the node being
 * built. {@link #fail} produces the uniform error message.
 */
public final class ShapeCheck {
  private final Op op;
  private final List<Node> inputs;
  private final String name;
  private final String site;

  ShapeCheck(Op op, List<Node> inputs, String name, String site) {
    this.op = op;
    this.inputs = inputs;
    this.name = name;
    this.site = site;
  }

  public Shape in(int i) {
    return inputs.get(i).shape();
  }

  public Node input(int i) {
    return inputs.get(i);
  }

  public DType dtype(int i) {
    return inputs.get(i).dtype();
  }

  /**
   * Throws a {@link GraphException}: {@code matmul 'z1' at Model.java:12: inner dimensions differ: 784 != 128
   * (inputs: x [32, 784], w [128, 10])}.
   */
  public GraphException fail(String format, Object... args) {
    String where = site.isEmpty() ? "" : " at " + site;
    String shapes = inputs.stream().map(n -> n.name() + " " + n.dtype() + n.shape()).collect(Collectors.joining(", "));
    throw new GraphException(op.name() + " '" + name + "'" + where + ": " + String.format(format, args)
        + (inputs.isEmpty() ? "" : " (inputs: " + shapes + ")"));
  }

  /** Fails unless input {@code i} is float. */
  public void requireFloat(int i, String role) {
    if (dtype(i) != DType.F32) fail("%s '%s' must be f32, not %s", role, input(i).name(), dtype(i));
  }

  /** Fails unless input {@code i} is a matrix. */
  public void requireMatrix(int i, String role) {
    if (in(i).rank() != 2) fail("%s '%s' must be a matrix (rank 2), not %s", role, input(i).name(), in(i));
  }
}
