package dev.fusebox.ir;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An immutable DAG of nodes in insertion order (which is a topological order), with named outputs
 * ({@code loss}, {@code logits}, gradients...) and updates: for each variable updated by a training
 * step, the node holding its new value. All updates of a step take effect together, after every node
 * has been evaluated.
 *
 * <p>What every consumer of a graph asks of it is answered here, once: which nodes are the backward
 * pass ({@link #backwardNodes()}), what a forward run and a training step compute
 * ({@link #forwardNodes()}, {@link #stepNodes()}), the batch size ({@link #batchSize()}) and the
 * trainable parameters ({@link #trainableParameters()}).
 */
public final class Graph {
  private final List<Node> nodes;
  private final Map<String, Node> byName;
  private final Map<String, Node> outputs;
  private final Map<Node, Node> updates;
  private final List<Kernel> kernels;
  /** Computed on first use (racy but idempotent: any thread computes the same array). */
  private int[] batchAxes;

  private Graph(Builder b) {
    this.nodes = List.copyOf(b.nodes);
    this.byName = Collections.unmodifiableMap(new HashMap<>(b.byName));
    this.outputs = Collections.unmodifiableMap(new LinkedHashMap<>(b.outputs));
    this.updates = Collections.unmodifiableMap(new LinkedHashMap<>(b.updates));
    this.kernels = List.copyOf(b.kernels);
  }

  public static Builder builder() {
    return new Builder();
  }

  public List<Node> nodes() {
    return nodes;
  }

  /** A builder holding this graph's nodes, outputs and updates (not its kernels), to extend it. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.nodes.addAll(nodes);
    b.byName.putAll(byName);
    b.outputs.putAll(outputs);
    b.updates.putAll(updates);
    return b;
  }

  /** This graph with a fusion plan (replacing any it had); verified. */
  public Graph withKernels(List<Kernel> plan) {
    Builder b = toBuilder();
    b.kernels.addAll(plan);
    return b.build();
  }

  public int size() {
    return nodes.size();
  }

  /** The node of that name, or null. */
  public Node find(String name) {
    return byName.get(name);
  }

  /** The node of that name, or a {@link GraphException} listing similar names. */
  public Node node(String name) {
    Node n = byName.get(name);
    if (n == null) {
      List<String> similar = similarNames(name);
      throw new GraphException("no node named '" + name + "' in this graph"
          + (similar.isEmpty() ? "" : "; similar names: " + String.join(", ", similar)));
    }
    return n;
  }

  /**
   * Up to five names of this graph a typo away from {@code name} (edit distance at most a third of its
   * length, and at least 1), closest first, then in graph order.
   */
  private List<String> similarNames(String name) {
    int limit = Math.max(1, name.length() / 3);
    Map<String, Integer> distance = new LinkedHashMap<>();
    for (Node n : nodes) {
      int d = editDistance(name, n.name(), limit);
      if (d <= limit) distance.put(n.name(), d);
    }
    return distance.keySet().stream().sorted(Comparator.comparing(distance::get)).limit(5).toList();
  }

  /** Levenshtein distance of a and b, or {@code limit + 1} once it is certainly larger than {@code limit}. */
  private static int editDistance(String a, String b, int limit) {
    if (Math.abs(a.length() - b.length()) > limit) return limit + 1;
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) previous[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      int best = current[0];
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
        best = Math.min(best, current[j]);
      }
      if (best > limit) return limit + 1;
      int[] t = previous;
      previous = current;
      current = t;
    }
    return previous[b.length()];
  }

  /** Named outputs in declaration order. */
  public Map<String, Node> outputs() {
    return outputs;
  }

  public Node output(String role) {
    Node n = outputs.get(role);
    if (n == null) throw new GraphException("graph has no output '" + role + "'; outputs are " + outputs.keySet());
    return n;
  }

  /** Variable → node with its value after a training step, in declaration order. */
  public Map<Node, Node> updates() {
    return updates;
  }

  /** The fusion plan, if one was made: kernels in the order they were formed; empty otherwise. */
  public List<Kernel> kernels() {
    return kernels;
  }

  /** Nodes whose op satisfies {@code type}, in order. */
  public <T extends Op> List<Node> nodesOf(Class<T> type) {
    List<Node> out = new ArrayList<>();
    for (Node n : nodes) if (type.isInstance(n.op())) out.add(n);
    return out;
  }

  /**
   * The backward pass: the nodes a gradient rule made ({@link Node#gradOf()}) and every node computed
   * from one of them, in graph order. A forward (inference) run computes none of them.
   */
  public Set<Node> backwardNodes() {
    boolean[] backward = backwardMask();
    Set<Node> out = new LinkedHashSet<>();
    for (Node n : nodes) if (backward[n.id()]) out.add(n);
    return Collections.unmodifiableSet(out);
  }

  private boolean[] backwardMask() {
    boolean[] backward = new boolean[nodes.size()];
    for (Node n : nodes) {
      backward[n.id()] = n.gradOf() != null || n.inputs().stream().anyMatch(in -> backward[in.id()]);
    }
    return backward;
  }

  /** The nodes {@code roots} depend on, the roots included, in graph order. */
  public List<Node> dependencies(Collection<Node> roots) {
    boolean[] need = new boolean[nodes.size()];
    for (Node r : roots) need[r.id()] = true;
    for (int i = nodes.size() - 1; i >= 0; i--) {
      if (need[i]) for (Node in : nodes.get(i).inputs()) need[in.id()] = true;
    }
    List<Node> out = new ArrayList<>();
    for (Node n : nodes) if (need[n.id()]) out.add(n);
    return Collections.unmodifiableList(out);
  }

  /**
   * What a forward (inference) run computes, in graph order: what the outputs outside the backward
   * pass depend on. Sources (inputs, variables, constants) are included; outputs that are gradients
   * are left out.
   */
  public List<Node> forwardNodes() {
    boolean[] backward = backwardMask();
    List<Node> roots = new ArrayList<>();
    for (Node out : outputs.values()) if (!backward[out.id()]) roots.add(out);
    return dependencies(roots);
  }

  /** What a training step computes, in graph order: what every output and every update's new value depends on. */
  public List<Node> stepNodes() {
    List<Node> roots = new ArrayList<>(outputs.values());
    roots.addAll(updates.values());
    return dependencies(roots);
  }

  /**
   * The batch size: the first dimension of the graph's batched inputs (every input with a batch axis:
   * not scalars such as a learning rate, nor whole tensors such as a summed gradient), or 1 if it has none.
   */
  public int batchSize() {
    for (Node n : nodes) if (n.op().isGraphInput() && batchAxes(n) != BatchAxes.NONE) return n.shape().dim(0);
    return 1;
  }

  /** The trainable parameters (not optimizer state), in graph order: what a loss is differentiated with respect to. */
  public List<Node> trainableParameters() {
    List<Node> out = new ArrayList<>();
    for (Node n : nodes) if (n.op().isTrainable()) out.add(n);
    return Collections.unmodifiableList(out);
  }

  /** The batch axes ({@link BatchAxes}) of {@code n}'s value. */
  public int batchAxes(Node n) {
    int[] axes = batchAxes;
    if (axes == null) batchAxes = axes = BatchAxes.of(this);
    return axes[n.id()];
  }

  /** Users of each node, in order. */
  public Map<Node, List<Node>> users() {
    Map<Node, List<Node>> users = new LinkedHashMap<>();
    for (Node n : nodes) users.put(n, new ArrayList<>());
    for (Node n : nodes) for (Node in : n.inputs()) users.get(in).add(n);
    return users;
  }

  @Override
  public String toString() {
    return GraphPrinter.print(this);
  }

  /**
   * Builds a graph node by node. Every node is checked when it is added: its inputs must belong to
   * this builder, its arity and shapes must fit its op, its name must be new.
   */
  public static final class Builder {
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Node> byName = new HashMap<>();
    private final Map<String, Node> outputs = new LinkedHashMap<>();
    private final Map<Node, Node> updates = new LinkedHashMap<>();
    private final List<Kernel> kernels = new ArrayList<>();

    private Builder() {}

    /**
     * Adds a node. {@code name} may be null for an automatic one ({@code matmul_7}); {@code site} is
     * the user's call site or ""; {@code gradOf} names the forward node for backward nodes, else null.
     */
    public Node add(Op op, List<Node> inputs, String name, String site, String gradOf) {
      String label = name != null ? name : freshName(op.name());
      String where = site == null || site.isEmpty() ? "" : " at " + site;
      if (inputs.size() != op.arity()) {
        throw new GraphException(op.name() + " '" + label + "'" + where + ": takes " + op.arity()
            + " input" + (op.arity() == 1 ? "" : "s") + ", got " + inputs.size());
      }
      for (Node in : inputs) {
        if (in == null) throw new GraphException(op.name() + " '" + label + "'" + where + ": input is null");
        if (!contains(in)) {
          throw new GraphException(op.name() + " '" + label + "'" + where + ": input '" + in.name()
              + "' belongs to another graph builder; nodes of two builders cannot be mixed");
        }
      }
      if (name != null) checkNewName(name, op, where);
      ShapeCheck check = new ShapeCheck(op, inputs, label, site == null ? "" : site);
      Shape shape;
      try {
        shape = op.shape(check);
      } catch (IllegalArgumentException e) { // a shape no tensor can have, e.g. too many elements
        throw new GraphException(op.name() + " '" + label + "'" + where + ": " + e.getMessage());
      }
      Memory.requireHeap(4L * shape.size(), op.name() + " '" + label + "'" + where + " " + shape);
      Node node = new Node(nodes.size(), op, inputs, shape, op.dtype(), label, site, gradOf);
      nodes.add(node);
      byName.put(label, node);
      return node;
    }

    private void checkNewName(String name, Op op, String where) {
      if (name.isBlank()) throw new GraphException(op.name() + where + ": node name must not be blank");
      Node prior = byName.get(name);
      if (prior != null) {
        throw new GraphException(op.name() + " '" + name + "'" + where + ": the name '" + name + "' is already used by "
            + prior.describe() + (prior.site().isEmpty() ? "" : " at " + prior.site()));
      }
    }

    /**
     * Gives a node that nothing uses yet (no node, output or update refers to it) a new name. Returns
     * the renamed node, which replaces {@code node}: the caller must not use the old one again.
     */
    public Node rename(Node node, String name) {
      if (!contains(node)) throw new GraphException(node.describe() + " is not in this graph");
      if (name.equals(node.name())) return node;
      if (!isUnused(node)) {
        throw new GraphException(node.describe() + " is already used by another node, an output or an update;"
            + " name a node right after creating it");
      }
      checkNewName(name, node.op(), node.site().isEmpty() ? "" : " at " + node.site());
      Node renamed = new Node(node.id(), node.op(), node.inputs(), node.shape(), node.dtype(), name, node.site(), node.gradOf());
      nodes.set(node.id(), renamed);
      byName.remove(node.name());
      byName.put(name, renamed);
      return renamed;
    }

    /** Adds a copy of {@code node} (op, name, site, origin) with new inputs. */
    public Node copy(Node node, List<Node> inputs) {
      return add(node.op(), inputs, node.name(), node.site(), node.gradOf());
    }

    /** True if no node, output or update refers to {@code node}. */
    public boolean isUnused(Node node) {
      for (int i = node.id() + 1; i < nodes.size(); i++) if (nodes.get(i).inputs().contains(node)) return false;
      return !outputs.containsValue(node) && !updates.containsKey(node) && !updates.containsValue(node);
    }

    /** A name not yet used, made from {@code base}. */
    public String freshName(String base) {
      String candidate = base + "_" + nodes.size();
      for (int k = 1; byName.containsKey(candidate); k++) candidate = base + "_" + nodes.size() + "_" + k;
      return candidate;
    }

    public boolean contains(Node n) {
      return n != null && byName.get(n.name()) == n;
    }

    public Node find(String name) {
      return byName.get(name);
    }

    public List<Node> nodes() {
      return Collections.unmodifiableList(nodes);
    }

    public Map<String, Node> outputs() {
      return Collections.unmodifiableMap(outputs);
    }

    public Map<Node, Node> updates() {
      return Collections.unmodifiableMap(updates);
    }

    /** Declares (or replaces) a named output. */
    public Builder output(String role, Node node) {
      if (!contains(node)) throw new GraphException("output '" + role + "': node '" + node.name() + "' is not in this graph");
      outputs.put(role, node);
      return this;
    }

    /** Declares that a training step sets {@code variable} to the value of {@code value}. */
    public Builder update(Node variable, Node value) {
      if (!contains(variable) || !contains(value)) {
        throw new GraphException("update of '" + variable.name() + "': both nodes must be in this graph");
      }
      if (!variable.op().isVariable()) {
        throw new GraphException("update of " + variable.describe() + ": only variables (parameters and optimizer state) can be updated");
      }
      if (!variable.shape().equals(value.shape())) {
        throw new GraphException("update of " + variable.describe() + ": new value '" + value.name() + "' has shape "
            + value.shape() + ", the variable has " + variable.shape());
      }
      if (updates.containsKey(variable)) {
        throw new GraphException("update of " + variable.describe() + ": the variable already has an update");
      }
      updates.put(variable, value);
      return this;
    }

    /** Declares a kernel (a fusion group) of nodes of this graph. */
    public Builder kernel(Kernel kernel) {
      for (Node n : kernel.nodes()) {
        if (!contains(n)) throw new GraphException("kernel member '" + n.name() + "' is not in this graph");
      }
      kernels.add(kernel);
      return this;
    }

    /** Appends a node without any check: for tests of the verifier. */
    Builder appendUnchecked(Node node) {
      nodes.add(node);
      byName.put(node.name(), node);
      return this;
    }

    /** The graph without verification: for tests of the verifier. */
    Graph buildUnverified() {
      return new Graph(this);
    }

    /** The graph, verified. */
    public Graph build() {
      Graph g = new Graph(this);
      GraphVerifier.verify(g);
      return g;
    }
  }
}
