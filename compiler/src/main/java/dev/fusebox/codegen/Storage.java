package dev.fusebox.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.NameAllocator;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Node;
import dev.fusebox.passes.memory.MemoryPlan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which array holds each node's value in the generated class: a field per input, variable and
 * constant; the memory plan's buffer for a stored value, or the variable's own array for an update
 * written in place. Values a stage keeps in registers have none, and asking for theirs is a bug
 * reported here, before it can reach generated source. Matmul stages also share scratch arrays (tiles,
 * packed panels) that hold no node's value.
 */
final class Storage {
  /** An array of the generated class: a field's name, and the memory plan's buffer index if it is one (else -1). */
  private record Array(String name, int buffer) {}

  private final Graph graph;
  private final MemoryPlan plan;
  private final int batchSize;
  private final NameAllocator names = new NameAllocator();
  private final Map<Node, Array> arrays = new IdentityHashMap<>();
  private final Map<String, Set<String>> scratch = new LinkedHashMap<>();
  private Set<String> used;
  private final Map<String, String> kept = new LinkedHashMap<>();
  private final Map<String, String> keptNames = new HashMap<>();
  private final Map<Node, List<CodeBlock>> refreshes = new LinkedHashMap<>();
  private final Set<String> fieldNames = new HashSet<>(List.of("S", "LANES", "PANEL", "NARROW_PANEL"));

  Storage(Graph graph, MemoryPlan plan, int batchSize) {
    this.graph = graph;
    this.plan = plan;
    this.batchSize = batchSize;
    names.newName("S", "S");
    names.newName("LANES", "LANES");
    for (String role : List.of("tile", "panels", "at", "bt")) fieldNames.add(names.newName(scratchName(role), role));
    for (Node n : graph.nodes()) if (n.op().isSource()) arrays.put(n, new Array(names.newName(javaName(n.name()), n), -1));
    for (int b = 0; b < plan.buffers().size(); b++) names.newName(bufferName(b), bufferName(b));
    arrays.values().forEach(a -> fieldNames.add(a.name()));
    for (int b = 0; b < plan.buffers().size(); b++) fieldNames.add(bufferName(b));
    plan.bufferOf().forEach((n, b) -> arrays.put(n, new Array(bufferName(b), b)));
    plan.inPlace().forEach((value, variable) -> arrays.put(value, arrays.get(variable)));
  }

  /** The field holding {@code n}'s value, or null (values kept in registers); nothing is recorded. */
  String fieldOf(Node n) {
    Array a = arrays.get(n);
    return a == null ? null : a.name();
  }

  static String bufferName(int b) {
    return "buf" + b;
  }

  /**
   * Names kernels use for locals (loop indices, accumulators, numbered temporaries like m2 or in3)
   * and the base class's fields: a field named like one would be shadowed, so such names get a '_'.
   */
  private static final Pattern LOCAL = Pattern.compile(
      "[a-z][0-9]*|in[0-9]*|kk|jj|base|best|max|sum|logSum|mass|scale|total|mask[0-9]*|acc|tile|tileBase|[ij][01]|from|to|rowEnd"
          + "|chunk|worker|task|validRows|training|steps|S|LANES|PANEL|NARROW_PANEL");

  static String javaName(String name) {
    String s = name.replaceAll("[^A-Za-z0-9_]", "_");
    if (!Character.isJavaIdentifierStart(s.charAt(0))) s = "_" + s;
    return LOCAL.matcher(s).matches() ? s + "_" : s;
  }

  /** The array holding {@code n}; a bug if the plan gave it none. */
  String array(Node n) {
    Array a = arrays.get(n);
    if (a == null) {
      throw new IllegalStateException("bug in code generation: " + n.describe() + " is read from an array, but the memory plan keeps it in registers");
    }
    return use(a.name());
  }

  /** Starts recording the arrays code asks for (see {@link #uses}). */
  void track() {
    used = new LinkedHashSet<>();
  }

  /** The fields asked for since {@link #track}, in order; stops recording. */
  Set<String> uses() {
    Set<String> out = used;
    used = null;
    return out;
  }

  private String use(String field) {
    if (used != null) used.add(field);
    return field;
  }

  /** Whether the plan gives {@code n} an array (sources always have one). */
  boolean hasArray(Node n) {
    return arrays.containsKey(n);
  }

  /**
   * Whether {@code n} can be read after a run: it has an array that no later value in the step
   * overwrites (its own field, the variable it updates, or a buffer it is the last to use).
   */
  boolean readableAfterRun(Node n) {
    Array a = arrays.get(n);
    if (a == null || a.buffer() < 0) return a != null;
    List<Node> occupants = plan.buffers().get(a.buffer()).values();
    return occupants.get(occupants.size() - 1) == n;
  }

  /** Why {@link #readableAfterRun} is false for {@code n}. */
  String whyNotReadable(Node n) {
    return arrays.containsKey(n) ? "its buffer is reused later in the step" : "kept in registers by its kernel";
  }

  /** Whether {@code name} is a field of the generated class (a local of that name would hide it). */
  boolean isField(String name) {
    return fieldNames.contains(name);
  }

  /** The field name of a source node. */
  String field(Node source) {
    return use(names.get(source));
  }

  /**
   * The scratch array for {@code role} (a matmul's tiles, its packed panels, a row-major copy of a
   * transposed operand), shared by every stage that needs one: stages run one after another, so one
   * array of the largest size serves them all. {@code size} is a Java expression (it may use
   * {@code LANES}, {@code PANEL} and {@code threads}).
   */
  String scratch(String role, String size) {
    scratch.computeIfAbsent(role, r -> new LinkedHashSet<>()).add(size);
    return use(scratchName(role));
  }

  String scratch(String role, int size) {
    return scratch(role, Integer.toString(size));
  }

  private static String scratchName(String role) {
    return "scratch_" + role;
  }

  /**
   * A copy of parameter {@code variable} in another layout ({@code layout}: panels, transposed) that
   * matmuls read instead of packing it on every call: a field of {@code size} floats (a Java
   * expression), refreshed by {@code call} (a call of {@code Panels} with {@code %s} for the
   * destination) whenever the parameter changes: when the program is made, when values are loaded,
   * and after a step that updates it ({@link #refreshes}). Matmuls reading the same layout share it.
   */
  String keptCopy(Node variable, String layout, String size, String call) {
    String key = names.get(variable) + "/" + layout;
    String name = keptNames.get(key);
    if (name == null) {
      name = names.newName(javaName(names.get(variable) + "_" + layout), key);
      keptNames.put(key, name);
      fieldNames.add(name);
      kept.put(name, size);
      refreshes.computeIfAbsent(variable, v -> new ArrayList<>())
          .add(CodeBlock.of("$T.$L;\n", MatmulEmitter.PANELS, String.format(call, name)));
    }
    return use(name);
  }

  /** Kept copies: field → size in floats, as a Java expression. */
  Map<String, String> keptCopies() {
    return kept;
  }

  /** The statements refreshing the kept copies of each parameter that has some. */
  Map<Node, List<CodeBlock>> refreshes() {
    return refreshes;
  }

  /** Scratch arrays: name → size in floats, as a Java expression (the largest of their users' sizes). */
  Map<String, String> scratchArrays() {
    Map<String, String> out = new LinkedHashMap<>();
    scratch.forEach((role, sizes) -> {
      String max = null;
      for (String size : sizes) max = max == null ? size : "Math.max(" + max + ", " + size + ")";
      out.put(scratchName(role), max);
    });
    return out;
  }

  /** The valid-row count of a tensor with {@code rows} rows: the field if it is batch-sized. */
  String validRows(int rows) {
    return rows == batchSize ? "validRows" : Integer.toString(rows);
  }

  MemoryPlan plan() {
    return plan;
  }
}
