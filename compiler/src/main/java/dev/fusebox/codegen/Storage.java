package dev.fusebox.codegen;

import com.palantir.javapoet.NameAllocator;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Node;
import dev.fusebox.passes.memory.MemoryPlan;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which array holds each node's value in the generated class: a field per input, variable and
 * constant; the memory plan's buffer for a stored value, or the variable's own array for an update
 * written in place; kernel-private scratch for values a kernel needs as an array but nobody else reads.
 * Values a kernel keeps in registers have none.
 */
final class Storage {
  private final Graph graph;
  private final MemoryPlan plan;
  private final int batchSize;
  private final NameAllocator names = new NameAllocator();
  private final Map<Node, String> arrays = new IdentityHashMap<>();
  private final Map<String, String> scratch = new LinkedHashMap<>();

  Storage(Graph graph, MemoryPlan plan, int batchSize) {
    this.graph = graph;
    this.plan = plan;
    this.batchSize = batchSize;
    names.newName("S", "S");
    names.newName("LANES", "LANES");
    for (Node n : graph.nodes()) if (n.op().isSource()) arrays.put(n, names.newName(javaName(n.name()), n));
    for (int b = 0; b < plan.buffers().size(); b++) names.newName("buf" + b, "buf" + b);
    plan.bufferOf().forEach((n, b) -> arrays.put(n, "buf" + b));
    plan.inPlace().forEach((value, variable) -> arrays.put(value, arrays.get(variable)));
  }

  /**
   * Names kernels use for locals (loop indices, accumulators, numbered temporaries like m2 or in3)
   * and the base class's fields: a field named like one would be shadowed, so such names get a '_'.
   */
  private static final java.util.regex.Pattern LOCAL = java.util.regex.Pattern.compile(
      "[a-z][0-9]*|in[0-9]*|kk|jj|base|best|max|sum|logSum|mass|scale|total|mask[0-9]*|acc|tile|tileBase|[ij][01]|from|to|rowEnd"
          + "|chunk|worker|task|validRows|training|steps|S|LANES|PANEL|NARROW_PANEL");

  static String javaName(String name) {
    String s = name.replaceAll("[^A-Za-z0-9_]", "_");
    if (!Character.isJavaIdentifierStart(s.charAt(0))) s = "_" + s;
    return LOCAL.matcher(s).matches() ? s + "_" : s;
  }

  /** The array holding {@code n}, or null if no array does. */
  String array(Node n) {
    return arrays.get(n);
  }

  boolean stored(Node n) {
    return arrays.containsKey(n);
  }

  /** The field name of a source node. */
  String field(Node source) {
    return names.get(source);
  }

  /** Gives {@code n} a kernel-private array of its size (once). */
  String scratch(Node n) {
    return arrays.computeIfAbsent(n, x -> scratch(x.name(), x.shape().size()));
  }

  /** A new kernel-private float array. */
  String scratch(String base, int size) {
    return scratch(base, Integer.toString(size));
  }

  /** A new kernel-private float array whose size is a Java expression (it may use {@code LANES}). */
  String scratch(String base, String size) {
    String name = names.newName(javaName("k_" + base));
    scratch.put(name, size);
    return name;
  }

  /** Scratch arrays: name → size in floats, as a Java expression. */
  Map<String, String> scratchArrays() {
    return scratch;
  }

  /** The valid-row count of a tensor with {@code rows} rows: the field if it is batch-sized. */
  String validRows(int rows) {
    return rows == batchSize ? "validRows" : Integer.toString(rows);
  }

  MemoryPlan plan() {
    return plan;
  }

  Graph graph() {
    return graph;
  }
}
