package dev.fusebox.ir;

import java.util.Map;
import java.util.StringJoiner;

/**
 * The graph as text, one node per line in order:
 *
 * <pre>
 * z1 = matmul[transB](x, layers.0.weight) : f32[32, 128]        # Model.java:14
 * z1.grad = relu_grad{select(gt(x0, 0), x1, 0)}(z1, h1.grad) : f32[32, 128]   # grad of h1, Model.java:15
 * </pre>
 *
 * Ops without a gradient rule of their own (derivatives, fused bodies) print their elementwise body in
 * braces. Outputs and updates follow the nodes.
 */
public final class GraphPrinter {
  private static final int COMMENT_COLUMN = 64;

  private GraphPrinter() {}

  public static String print(Graph g) {
    StringBuilder b = new StringBuilder();
    for (Node n : g.nodes()) b.append(line(n)).append('\n');
    for (Map.Entry<String, Node> e : g.outputs().entrySet()) {
      b.append("output ").append(e.getKey()).append(" = ").append(e.getValue().name()).append('\n');
    }
    for (Map.Entry<Node, Node> e : g.updates().entrySet()) {
      b.append("update ").append(e.getKey().name()).append(" <- ").append(e.getValue().name()).append('\n');
    }
    for (Kernel k : g.kernels()) b.append("kernel ").append(k).append('\n');
    return b.toString();
  }

  /** One node's line, without a newline. */
  public static String line(Node n) {
    StringBuilder b = new StringBuilder();
    b.append(n.name()).append(" = ").append(opText(n.op()));
    if (n.op().arity() > 0) {
      StringJoiner args = new StringJoiner(", ", "(", ")");
      for (Node in : n.inputs()) args.add(in.name());
      b.append(args);
    }
    b.append(" : ").append(n.dtype()).append(n.shape());
    String note = note(n);
    if (!note.isEmpty()) {
      while (b.length() < COMMENT_COLUMN) b.append(' ');
      b.append("  # ").append(note);
    }
    return b.toString();
  }

  /** {@code matmul[transB]}, {@code relu_grad{select(...)}}. */
  public static String opText(Op op) {
    String attrs = op.attributes();
    return op.name() + (attrs.isEmpty() ? "" : "[" + attrs + "]") + op.body();
  }

  private static String note(Node n) {
    String grad = n.gradOf() == null ? "" : "grad of " + n.gradOf();
    if (n.site().isEmpty()) return grad;
    return grad.isEmpty() ? n.site() : grad + ", " + n.site();
  }
}
