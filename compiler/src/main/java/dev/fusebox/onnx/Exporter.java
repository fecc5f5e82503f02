package dev.fusebox.onnx;

import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Node;
import dev.fusebox.ir.Op;
import dev.fusebox.ir.Shape;
import dev.fusebox.onnx.OnnxGraph.Attribute;
import dev.fusebox.onnx.OnnxGraph.IntAttribute;
import dev.fusebox.onnx.OnnxGraph.ValueInfo;
import dev.fusebox.onnx.Translations.Translator;
import dev.fusebox.ops.Activations;
import dev.fusebox.ops.Arithmetic;
import dev.fusebox.ops.DropoutMask;
import dev.fusebox.ops.Input;
import dev.fusebox.ops.Loss;
import dev.fusebox.ops.MatMul;
import dev.fusebox.ops.Softmax;
import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.InputKind;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.data.Standardizer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One export: walks the inference part of a graph and writes it as an ONNX graph. The inference part
 * is what the graph's outputs compute (the loss and gradients left out) and, for each loss, its head
 * ({@link Head}). Dropout is removed: a dropout mask multiplying a tensor stands for that tensor.
 * Every node's shape is tracked with its batch dimensions ({@link Dims}) before anything is written,
 * so that a graph that would only run at its built batch size fails with the node named.
 */
final class Exporter {
  /** An output of the ONNX model: its name, the value it is, its shape, element type and description. */
  private record Output(String name, String value, Dims dims, int type, String doc) {}

  private final Graph graph;
  private final NamedTensors parameters;
  private final Map<String, Standardizer> standardizers;
  private final OnnxGraph onnx = new OnnxGraph();
  private final Map<Node, Node> aliases = new HashMap<>();
  private final Map<Node, Dims> dims = new HashMap<>();
  private final Map<Node, String> values = new HashMap<>();
  private final Map<Node, String> names = new HashMap<>();
  private final Map<Node, Node> fusedMatmuls = new HashMap<>();
  private final Set<Node> fused = new HashSet<>();
  private final Set<Node> emitting = new HashSet<>();
  private final Map<Float, String> scalars = new HashMap<>();
  private final List<Node> graphInputs = new ArrayList<>();

  Exporter(Graph graph, NamedTensors parameters, Map<String, Standardizer> standardizers) {
    this.graph = graph;
    this.parameters = parameters;
    this.standardizers = standardizers;
  }

  OnnxGraph onnx() {
    return onnx;
  }

  /** The batch size the graph was built for: the size of the dimensions that become {@code batch}. */
  int batch() {
    return graph.batchSize();
  }

  /** Translates the graph; the result is in {@link #onnx()}. */
  void run() {
    Set<Node> backward = graph.backwardNodes();
    Map<String, Node> declared = new LinkedHashMap<>();
    graph.outputs().forEach((role, node) -> {
      if (!role.equals("loss") && !backward.contains(node)) declared.put(role, node);
    });
    List<Node> losses = new ArrayList<>();
    if (graph.outputs().containsKey("loss")) {
      for (Node n : graph.dependencies(List.of(graph.output("loss")))) if (n.op() instanceof Loss) losses.add(n);
    }
    for (Node n : graph.nodes()) aliasDropout(n);

    for (Map.Entry<String, Node> e : declared.entrySet()) requireFeaturesOnly("output '" + e.getKey() + "'", resolve(e.getValue()));
    for (Node loss : losses) requireFeaturesOnly("the head of " + loss.describe(), resolve(loss.input(0)));
    if (declared.isEmpty() && losses.isEmpty()) {
      throw new OnnxExportException("the graph has no output to export: declare one (GraphBuilder.output) or a loss");
    }

    List<Node> roots = new ArrayList<>();
    declared.values().forEach(n -> roots.add(resolve(n)));
    losses.forEach(l -> roots.add(resolve(l.input(0))));
    List<Node> needed = needed(roots);
    Map<Node, Integer> users = users(needed, roots);
    for (Node n : needed) dims.put(n, translator(n).dims(n.op(), n, this));
    for (Node n : needed) fuseMatmul(n, users);

    List<String> headNames = headNames(losses, declared);
    assignNames(needed, declared, headNames);
    for (Node n : needed) if (!isLazy(n)) value(n);

    List<Output> outputs = new ArrayList<>();
    for (int i = 0; i < losses.size(); i++) outputs.addAll(head(losses.get(i), headNames.get(2 * i), headNames.get(2 * i + 1), declared));
    declared.forEach((role, node) -> outputs.add(new Output(role, value(resolve(node)), dims.get(resolve(node)), OnnxGraph.FLOAT,
        describe(node))));
    for (Output o : outputs) {
      String v = o.value().equals(o.name()) ? o.value() : onnx.nodeWithOutput("Identity", o.name(), o.name(), List.of(o.value()));
      onnx.output(new ValueInfo(v, o.type(), o.dims(), o.doc()));
    }
    graphInputs.sort((a, b) -> Integer.compare(a.id(), b.id()));
    for (Node n : graphInputs) {
      onnx.input(new ValueInfo(nameOf(n), OnnxGraph.FLOAT, dims.get(n), inputDoc(n)));
    }
  }

  /**
   * The ONNX name of each node's value: an output's role (the first, if it has several), else the
   * node's own name, unless an output is called that (then the name with a suffix).
   */
  private void assignNames(List<Node> needed, Map<String, Node> declared, List<String> headNames) {
    Set<String> outputNames = new HashSet<>(declared.keySet());
    headNames.stream().filter(h -> !h.isEmpty()).forEach(outputNames::add);
    outputNames.forEach(onnx::reserve);
    for (Node n : needed) onnx.reserve(n.name());
    declared.forEach((role, node) -> names.putIfAbsent(resolve(node), role));
    for (Node n : needed) {
      if (!names.containsKey(n)) names.put(n, outputNames.contains(n.name()) ? onnx.fresh(n.name()) : n.name());
    }
  }

  /** The ONNX name of a node's value (a source's is its initializer's or graph input's). */
  String nameOf(Node n) {
    return names.get(n);
  }

  // ---- what is exported

  /** The builder's dropout is mul(x, mask): for inference, the mul is x itself. */
  private void aliasDropout(Node n) {
    if (n.inputs().size() != 2 || !n.op().equals(Arithmetic.mul())) return;
    for (int i = 0; i < 2; i++) {
      Node other = n.input(1 - i);
      if (n.input(i).op() instanceof DropoutMask && other.shape().equals(n.shape())) {
        aliases.put(n, other);
        return;
      }
    }
  }

  /** The node whose value a node has for inference: itself, or what its dropout multiplies. */
  Node resolve(Node n) {
    Node r = n;
    while (aliases.containsKey(r)) r = aliases.get(r);
    return r;
  }

  /** Input i of a node, with dropout removed. */
  Node input(Node n, int i) {
    return resolve(n.input(i));
  }

  /** Fails unless every graph input the value depends on is a features or scalar input. */
  private void requireFeaturesOnly(String what, Node root) {
    for (Node n : needed(List.of(root))) {
      if (n.op() instanceof Input in && in.kind() != InputKind.FEATURES && in.kind() != InputKind.SCALAR) {
        throw new OnnxExportException(what + " depends on the "
            + in.kind().name().toLowerCase(Locale.ROOT).replace('_', '-') + " input '" + n.name()
            + "': an inference model takes features only; leave that output out of the graph to export");
      }
    }
  }

  /** The nodes the roots depend on, dropout removed, in graph order. */
  private List<Node> needed(List<Node> roots) {
    Set<Node> seen = new HashSet<>();
    Deque<Node> todo = new ArrayDeque<>(roots);
    while (!todo.isEmpty()) {
      Node n = todo.pop();
      if (!seen.add(n)) continue;
      for (int i = 0; i < n.inputs().size(); i++) todo.push(input(n, i));
    }
    List<Node> out = new ArrayList<>(seen);
    out.sort((a, b) -> Integer.compare(a.id(), b.id()));
    return out;
  }

  /** How many nodes (and outputs) use each needed node. */
  private Map<Node, Integer> users(List<Node> needed, List<Node> roots) {
    Map<Node, Integer> users = new HashMap<>();
    for (Node n : needed) for (int i = 0; i < n.inputs().size(); i++) users.merge(input(n, i), 1, Integer::sum);
    for (Node r : roots) users.merge(r, 1, Integer::sum);
    return users;
  }

  /** add(matmul(a, b), bias), where nothing else uses the matmul and the bias does not widen it, becomes one Gemm. */
  private void fuseMatmul(Node n, Map<Node, Integer> users) {
    if (!n.op().equals(Arithmetic.add())) return;
    for (int i = 0; i < 2; i++) {
      Node m = input(n, i);
      if (m.op() instanceof MatMul && users.get(m) == 1 && dims.get(m).equals(dims.get(n)) && input(n, 1 - i) != m) {
        fusedMatmuls.put(n, m);
        fused.add(m);
        return;
      }
    }
  }

  /** The matmul an add node computes together with its bias as one Gemm, or null. */
  Node fusedMatmul(Node add) {
    return fusedMatmuls.get(add);
  }

  /** Sources are written when first used (parameters the outputs never use are left out); fused matmuls never. */
  private boolean isLazy(Node n) {
    return n.op().isSource() || fused.contains(n);
  }

  private Translator<Op> translator(Node n) {
    return Translations.of(n.op()).orElseThrow(() -> {
      String why = Translations.whyNotExported(n.op());
      return fail(n, why != null ? "it is " + why : "no ONNX translation for op class " + n.op().getClass().getName());
    });
  }

  // ---- what translators use

  /** The value of a node, translating it first if it has not been yet. */
  String value(Node n) {
    String v = values.get(n);
    if (v != null) return v;
    if (!emitting.add(n)) throw new IllegalStateException("cycle at " + n.describe());
    int mark = onnx.mark();
    v = translator(n).emit(n.op(), n, this);
    String name = names.get(n);
    // Sources are named when written (a graph input's value may be its standardisation's, under another name).
    if (name != null && !name.equals(v) && !n.op().isSource() && onnx.rename(mark, v, name)) v = name;
    values.put(n, v);
    return v;
  }

  /** The value of input i of a node. */
  String in(Node n, int i) {
    return value(input(n, i));
  }

  Dims dims(Node n) {
    Dims d = dims.get(n);
    if (d == null) throw new IllegalStateException("no shape for " + n.describe());
    return d;
  }

  Dims inDims(Node n, int i) {
    return dims(input(n, i));
  }

  /** The NumPy broadcast of the first {@code arity} inputs' shapes; fails where a batch dimension meets a fixed one. */
  Dims broadcast(Node n, int arity) {
    Dims out = Dims.fixed(Shape.scalar());
    Node widest = null;
    for (int i = 0; i < arity; i++) {
      Dims next = Dims.broadcast(out, inDims(n, i));
      if (next == null) {
        throw fail(n, "it broadcasts '" + widest.name() + "' " + out + " with '" + input(n, i).name() + "' " + inDims(n, i)
            + ", which match only while the batch has " + batch() + " rows");
      }
      if (!next.equals(out) || widest == null) widest = input(n, i);
      out = next;
    }
    return out;
  }

  /** Adds a node computing one value for {@code n}; returns the value's name. */
  String emit(Node n, String opType, List<String> inputs, Attribute... attributes) {
    return onnx.node(opType, n.name(), n.name() + "/" + opType, inputs, attributes);
  }

  /** A float scalar constant, one initializer per value. */
  String scalar(double value) {
    float f = (float) value;
    return scalars.computeIfAbsent(f, k -> onnx.floats("const_" + Float.toString(k), new long[0], new float[] {k}));
  }

  /** A 1-D int64 constant (axes, shapes). */
  String int64s(long... values) {
    return onnx.longs("shape", new long[] {values.length}, values);
  }

  /** An error naming the node, its op and its call site. */
  OnnxExportException fail(Node n, String why) {
    return new OnnxExportException("cannot export " + n.describe() + (n.site().isEmpty() ? "" : " at " + n.site()) + ": " + why);
  }

  /** A graph input: features (standardised first if asked) or a scalar, whose initial value is its default. */
  String graphInput(Node n, Input op) {
    if (op.kind() != InputKind.FEATURES && op.kind() != InputKind.SCALAR) {
      throw fail(n, "an inference model takes features only, not " + op.kind().name().toLowerCase(Locale.ROOT));
    }
    graphInputs.add(n);
    String name = nameOf(n);
    if (op.kind() == InputKind.SCALAR) {
      // An initializer of an input's name is the input's default: the scalar holds its initial value until set.
      return onnx.floatsNamed(name, new long[0], new float[] {(float) op.initial()});
    }
    Standardizer s = standardizers.get(n.name());
    if (s == null) return name;
    Dims d = dims(n);
    if (d.rank() != 2 || d.size(1) != s.featureCount()) {
      throw new OnnxExportException("the standardisation of input '" + n.name() + "' has " + s.featureCount()
          + " features, but the input has shape " + d);
    }
    String mean = onnx.floats(n.name() + ".mean", new long[] {s.featureCount()}, floats(s.mean()));
    String scale = onnx.floats(n.name() + ".scale", new long[] {s.featureCount()}, floats(s.scale()));
    String centred = onnx.node("Sub", n.name() + ".standardize", n.name() + ".centred", List.of(name, mean));
    return onnx.node("Div", n.name() + ".standardize", n.name() + ".standardized", List.of(centred, scale));
  }

  /** A parameter's initializer, from the parameters given; fails if it is missing, shaped otherwise or not finite. */
  String parameter(Node n) {
    FloatTensor t = parameters.get(n.name());
    int[] shape = n.shape().dims();
    if (t == null) {
      throw new OnnxExportException("parameter '" + n.name() + "' " + Arrays.toString(shape) + " is missing from the parameters;"
          + " they hold " + (parameters.size() == 0 ? "none" : parameters.toString()));
    }
    if (!Arrays.equals(t.shape(), shape)) {
      throw new OnnxExportException("parameter '" + n.name() + "' has shape " + Arrays.toString(t.shape()) + " in the parameters, but "
          + Arrays.toString(shape) + " in the graph");
    }
    float[] data = t.data();
    for (int i = 0; i < data.length; i++) {
      if (!Float.isFinite(data[i])) throw new OnnxExportException("parameter '" + n.name() + "' holds " + data[i] + " at index " + i);
    }
    return onnx.floatsNamed(nameOf(n), Translations.longs(shape), data);
  }

  private static float[] floats(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
    return f;
  }

  // ---- heads

  /** Two names per loss: its head's main output and its class (or "" for none), unique among all outputs. */
  private List<String> headNames(List<Node> losses, Map<String, Node> declared) {
    Set<String> used = new TreeSet<>(declared.keySet());
    List<String> out = new ArrayList<>();
    for (Node loss : losses) {
      Head head = head(loss);
      Node prediction = resolve(loss.input(0));
      boolean valuesDeclared = head == Head.VALUES && declared.values().stream().anyMatch(d -> resolve(d) == prediction);
      out.add(valuesDeclared ? "" : unique(head.output, prediction, used));
      out.add(head.classifies() ? unique("class", prediction, used) : "");
    }
    return out;
  }

  private static String unique(String name, Node prediction, Set<String> used) {
    String n = used.contains(name) ? prediction.name() + "." + name : name;
    for (int k = 1; used.contains(n); k++) n = prediction.name() + "." + name + "_" + k;
    used.add(n);
    return n;
  }

  private Head head(Node loss) {
    return Head.of((Loss) loss.op()).orElseThrow(() -> fail(loss, "this loss has no inference head"));
  }

  /** The outputs a loss's head adds, named {@code main} and {@code classes} ("" for none). */
  private List<Output> head(Node loss, String main, String classes, Map<String, Node> declared) {
    Head head = head(loss);
    Node prediction = resolve(loss.input(0));
    String p = value(prediction);
    Dims d = dims(prediction);
    String lossName = loss.op().name();
    List<Output> out = new ArrayList<>();
    if (!main.isEmpty()) {
      String v = switch (head) {
        case SOFTMAX_OF_LOGITS -> onnx.nodeWithOutput("Softmax", main, main, List.of(p), new IntAttribute("axis", 1));
        case SIGMOID_OF_LOGITS -> onnx.nodeWithOutput("Sigmoid", main, main, List.of(p));
        default -> onnx.nodeWithOutput("Identity", main, main, List.of(p));
      };
      String what = switch (head) {
        case SOFTMAX_OF_LOGITS -> "softmax probabilities of '" + prediction.name() + "'";
        case SIGMOID_OF_LOGITS -> "logistic probabilities of '" + prediction.name() + "'";
        case PROBABILITIES, PROBABILITY -> "probabilities '" + prediction.name() + "'";
        case VALUES -> "predicted values '" + prediction.name() + "'";
      };
      out.add(new Output(main, v, d, OnnxGraph.FLOAT, what + " (the " + lossName + " head)"));
    }
    if (!classes.isEmpty()) {
      String v;
      Dims classDims;
      if (head == Head.SOFTMAX_OF_LOGITS || head == Head.PROBABILITIES) {
        // The first largest, as ArgMax picks it; of the logits where a softmax made the probabilities.
        Node scores = head == Head.PROBABILITIES && prediction.op() instanceof Softmax s && !s.log() ? input(prediction, 0) : prediction;
        v = onnx.nodeWithOutput("ArgMax", classes, classes, List.of(value(scores)), new IntAttribute("axis", 1),
            new IntAttribute("keepdims", 0));
        classDims = new Dims(new int[] {d.size(0)}, new boolean[] {d.isBatch(0)});
      } else {
        // Class 1 where the logit is positive, or the probability above 0.5 (a logistic's, where its logit is positive).
        boolean logistic = head == Head.PROBABILITY && prediction.op().equals(Activations.sigmoid());
        String score = head == Head.SIGMOID_OF_LOGITS ? p : logistic ? value(input(prediction, 0)) : p;
        double threshold = head == Head.PROBABILITY && !logistic ? 0.5 : 0;
        String positive = onnx.node("Greater", classes, classes + "/positive", List.of(score, scalar(threshold)));
        v = onnx.nodeWithOutput("Cast", classes, classes, List.of(positive), new IntAttribute("to", OnnxGraph.INT64));
        classDims = d;
      }
      out.add(new Output(classes, v, classDims, OnnxGraph.INT64, "predicted class (the " + lossName + " head)"));
    }
    return out;
  }

  // ---- descriptions

  private String describe(Node n) {
    Node r = resolve(n);
    return "node '" + r.name() + "' (" + r.op().name() + ")";
  }

  private String inputDoc(Node n) {
    Input in = (Input) n.op();
    if (in.kind() == InputKind.SCALAR) return "scalar input, " + in.initial() + " unless given";
    return standardizers.containsKey(n.name()) ? "features, standardised by the model" : "features";
  }
}
