package dev.fusebox.ir;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Graphviz DOT export: one box per node with its name, op and shape; inputs blue, variables yellow,
 * backward nodes red, outputs bold; each fused kernel a dashed cluster. Render with
 * {@code dot -Tsvg graph.dot > graph.svg}.
 */
public final class Dot {
  private Dot() {}

  public static String render(Graph g) {
    StringBuilder b = new StringBuilder();
    b.append("digraph fusebox {\n");
    b.append("  rankdir=TB;\n");
    b.append("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"monospace\", fontsize=10];\n");
    Set<Node> outputs = Collections.newSetFromMap(new IdentityHashMap<>());
    outputs.addAll(g.outputs().values());
    for (Node n : g.nodes()) {
      b.append("  n").append(n.id()).append(" [label=\"").append(escape(n.name())).append("\\n")
          .append(escape(GraphPrinter.opText(n.op()))).append("\\n").append(n.dtype()).append(escape(n.shape().toString()))
          .append("\"").append(style(n, outputs.contains(n))).append("];\n");
    }
    for (int k = 0; k < g.kernels().size(); k++) {
      Kernel kernel = g.kernels().get(k);
      b.append("  subgraph cluster_k").append(k).append(" {\n    label=\"").append(kernel.kind().text()).append(" #").append(k)
          .append("\"; style=\"rounded,dashed\"; color=\"#7c3aed\"; fontname=\"monospace\"; fontsize=9;\n    ");
      for (Node n : kernel.nodes()) b.append('n').append(n.id()).append("; ");
      b.append("\n  }\n");
    }
    for (Node n : g.nodes()) {
      for (int i = 0; i < n.inputs().size(); i++) {
        b.append("  n").append(n.input(i).id()).append(" -> n").append(n.id());
        if (n.inputs().size() > 1) b.append(" [label=\"").append(i).append("\", fontsize=8]");
        b.append(";\n");
      }
    }
    for (Map.Entry<Node, Node> e : g.updates().entrySet()) {
      b.append("  n").append(e.getValue().id()).append(" -> n").append(e.getKey().id())
          .append(" [style=dashed, color=\"#888888\", constraint=false, label=\"update\", fontsize=8];\n");
    }
    return b.append("}\n").toString();
  }

  private static String style(Node n, boolean output) {
    String fill = n.op().isGraphInput() ? "#dbeafe"
        : n.op().isVariable() ? "#fef3c7"
        : n.gradOf() != null ? "#fde2e2"
        : "#ffffff";
    return ", fillcolor=\"" + fill + "\"" + (output ? ", penwidth=2" : "");
  }

  static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
