package dev.fusebox.passes;

import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Node;
import dev.fusebox.ir.Op;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rebuilds a graph node by node, in order. For each node a rule returns what stands for it in the new
 * graph: a copy ({@link #keep}), another node of the new graph (a replacement), or null (dropped: only
 * for nodes nothing kept uses). A rule sees null among the inputs where an input was dropped. Outputs
 * and updates follow their nodes. If every node was kept as it was, the original graph is returned.
 */
public final class Rewriter {

  /** Decides what stands for {@code node}; {@code inputs} are its inputs in the new graph. */
  public interface Rule {
    Node rewrite(Node node, List<Node> inputs, Rewriter r);
  }

  private final Graph.Builder builder = Graph.builder();
  private final Set<String> oldNames = new HashSet<>();
  private boolean changed;
  private int fresh;

  private Rewriter(Graph g) {
    for (Node n : g.nodes()) oldNames.add(n.name());
  }

  public static Graph rewrite(Graph g, Rule rule) {
    Rewriter r = new Rewriter(g);
    Map<Node, Node> map = new IdentityHashMap<>();
    for (Node n : g.nodes()) {
      List<Node> inputs = new ArrayList<>(n.inputs().size());
      for (Node in : n.inputs()) inputs.add(map.get(in));
      int before = r.builder.nodes().size();
      Node result = rule.rewrite(n, inputs, r);
      boolean sameCopy = result != null && r.builder.nodes().size() == before + 1 && result.op().equals(n.op())
          && result.name().equals(n.name()) && sameInputs(n, result, map);
      if (!sameCopy) r.changed = true;
      if (result != null) map.put(n, result);
    }
    if (!r.changed) return g;
    for (Map.Entry<String, Node> e : g.outputs().entrySet()) r.builder.output(e.getKey(), require(map, e.getValue()));
    for (Map.Entry<Node, Node> e : g.updates().entrySet()) r.builder.update(require(map, e.getKey()), require(map, e.getValue()));
    return r.builder.build();
  }

  private static boolean sameInputs(Node old, Node copy, Map<Node, Node> map) {
    for (int i = 0; i < old.inputs().size(); i++) {
      Node mapped = map.get(old.input(i));
      if (mapped != copy.input(i) || !mapped.name().equals(old.input(i).name())) return false;
    }
    return true;
  }

  private static Node require(Map<Node, Node> map, Node old) {
    Node n = map.get(old);
    if (n == null) throw new IllegalStateException("bug in rewrite rule: dropped " + old.describe() + " is an output or update");
    return n;
  }

  /** Keeps {@code node} as it is, on the new inputs. */
  public Node keep(Node node, List<Node> inputs) {
    if (inputs.contains(null)) throw new IllegalStateException("bug in rewrite rule: " + node.describe() + " uses a dropped node");
    return builder.copy(node, inputs);
  }

  /** Keeps {@code node}'s name, site and origin with a different op. */
  public Node replaceOp(Node node, Op op, List<Node> inputs) {
    return builder.add(op, inputs, node.name(), node.site(), node.gradOf());
  }

  /** Adds a new node named after {@code like} (site and origin too). */
  public Node add(Op op, List<Node> inputs, Node like) {
    String name;
    do {
      name = like.name() + "." + op.name() + (fresh++ == 0 ? "" : fresh);
    } while (oldNames.contains(name) || builder.find(name) != null);
    return builder.add(op, inputs, name, like.site(), like.gradOf());
  }
}
