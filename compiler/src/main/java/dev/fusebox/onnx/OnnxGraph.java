package dev.fusebox.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX model being written: nodes in topological order, initializers (the parameters and
 * constants), the graph's inputs and outputs, and the model's metadata; {@link #toBytes} encodes it as
 * an ONNX {@code ModelProto}. Field numbers are those of {@code onnx.proto}.
 */
final class OnnxGraph {
  /** ONNX element types ({@code TensorProto.DataType}). */
  static final int FLOAT = 1;
  static final int INT64 = 7;
  static final int BOOL = 9;

  /** The protobuf limit on one message: larger models would need ONNX's external data files. */
  private static final long MAX_BYTES = Integer.MAX_VALUE;

  /** One ONNX node; its outputs may be renamed until the model is written. */
  static final class OnnxNode {
    final String opType;
    final List<String> inputs;
    final List<String> outputs;
    final String name;
    final List<Attribute> attributes;

    OnnxNode(String opType, List<String> inputs, List<String> outputs, String name, List<Attribute> attributes) {
      this.opType = opType;
      this.inputs = List.copyOf(inputs);
      this.outputs = new ArrayList<>(outputs);
      this.name = name;
      this.attributes = List.copyOf(attributes);
    }
  }

  /** A node attribute ({@code AttributeProto}). */
  sealed interface Attribute permits FloatAttribute, IntAttribute, IntsAttribute {
    String name();

    Protobuf encode();
  }

  record FloatAttribute(String name, float value) implements Attribute {
    @Override
    public Protobuf encode() {
      return new Protobuf().string(1, name).varint(20, 1).float32(2, value);
    }
  }

  record IntAttribute(String name, long value) implements Attribute {
    @Override
    public Protobuf encode() {
      return new Protobuf().string(1, name).varint(20, 2).varint(3, value);
    }
  }

  record IntsAttribute(String name, long[] values) implements Attribute {
    @Override
    public Protobuf encode() {
      Protobuf p = new Protobuf().string(1, name).varint(20, 7);
      for (long v : values) p.varint(8, v);
      return p;
    }
  }

  /** An initializer: a named constant tensor, stored as raw little-endian bytes. */
  record Initializer(String name, int type, long[] dims, byte[] data) {}

  /** A graph input or output: its name, element type, shape and description. */
  record ValueInfo(String name, int type, Dims dims, String doc) {}

  private final List<OnnxNode> nodes = new ArrayList<>();
  private final List<Initializer> initializers = new ArrayList<>();
  private final List<ValueInfo> inputs = new ArrayList<>();
  private final List<ValueInfo> outputs = new ArrayList<>();
  private final Set<String> names = new HashSet<>();
  private final Map<String, Integer> nodeNames = new LinkedHashMap<>();
  private long initializerBytes;

  /** Marks names as taken, so that {@link #fresh} never hands them out. */
  void reserve(String name) {
    names.add(name);
  }

  /** {@code base} if no value has that name yet, else {@code base_1}, {@code base_2}, ...; the name is then taken. */
  String fresh(String base) {
    String name = base;
    for (int k = 1; names.contains(name); k++) name = base + "_" + k;
    names.add(name);
    return name;
  }

  /** Whether a value of that name exists or is reserved. */
  boolean taken(String name) {
    return names.contains(name);
  }

  /**
   * Adds a node computing one new value named after {@code base}; returns the value's name. The
   * node's own name is {@code nodeName}, made unique.
   */
  String node(String opType, String nodeName, String base, List<String> in, Attribute... attributes) {
    String out = fresh(base);
    nodes.add(new OnnxNode(opType, in, List.of(out), uniqueNodeName(nodeName), List.of(attributes)));
    return out;
  }

  /** Adds a node whose one output is named {@code output}, a name reserved for it. */
  String nodeWithOutput(String opType, String nodeName, String output, List<String> in, Attribute... attributes) {
    names.add(output);
    nodes.add(new OnnxNode(opType, in, List.of(output), uniqueNodeName(nodeName), List.of(attributes)));
    return output;
  }

  private String uniqueNodeName(String name) {
    int n = nodeNames.merge(name, 1, Integer::sum);
    return n == 1 ? name : name + "_" + (n - 1);
  }

  /** The number of nodes added so far: a mark for {@link #rename}. */
  int mark() {
    return nodes.size();
  }

  /**
   * Renames {@code value}, the output of a node added since {@code mark}, to {@code name}, which must
   * not be taken yet. Returns false (and renames nothing) if no such node made it.
   */
  boolean rename(int mark, String value, String name) {
    for (int i = nodes.size() - 1; i >= mark; i--) {
      List<String> out = nodes.get(i).outputs;
      int at = out.indexOf(value);
      if (at < 0) continue;
      for (int j = i + 1; j < nodes.size(); j++) if (nodes.get(j).inputs.contains(value)) return false;
      out.set(at, name);
      names.add(name);
      return true;
    }
    return false;
  }

  /** Adds a float initializer of the given shape, named after {@code base}. */
  String floats(String base, long[] dims, float[] values) {
    return initializer(base, FLOAT, dims, littleEndian(values));
  }

  /** Adds a float initializer named exactly {@code name}, a name reserved for it (a parameter's, a constant node's). */
  String floatsNamed(String name, long[] dims, float[] values) {
    names.add(name);
    initializers.add(new Initializer(name, FLOAT, dims.clone(), littleEndian(values)));
    initializerBytes += 4L * values.length;
    return name;
  }

  private static byte[] littleEndian(float[] values) {
    ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, 4)).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) b.putFloat(v);
    return b.array();
  }

  /** Adds an int64 initializer of the given shape. */
  String longs(String base, long[] dims, long[] values) {
    ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, 8)).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) b.putLong(v);
    return initializer(base, INT64, dims, b.array());
  }

  private String initializer(String base, int type, long[] dims, byte[] data) {
    String name = fresh(base);
    initializers.add(new Initializer(name, type, dims.clone(), data));
    initializerBytes += data.length;
    return name;
  }

  void input(ValueInfo value) {
    inputs.add(value);
  }

  void output(ValueInfo value) {
    outputs.add(value);
  }

  List<ValueInfo> inputs() {
    return List.copyOf(inputs);
  }

  List<ValueInfo> outputs() {
    return List.copyOf(outputs);
  }

  int nodeCount() {
    return nodes.size();
  }

  /** The op types of the nodes, in order: for tests and summaries. */
  List<String> opTypes() {
    return nodes.stream().map(n -> n.opType).toList();
  }

  /** Model-level fields of the file. */
  record Header(long irVersion, long opset, String producerName, String producerVersion, String graphName, String doc,
      Map<String, String> metadata) {}

  /**
   * The model as an ONNX file: a {@code ModelProto} with this graph. Fails if the parameters are too
   * large for one protobuf message.
   */
  byte[] toBytes(Header header) {
    if (initializerBytes > MAX_BYTES - (64L << 20)) {
      throw new OnnxExportException("the parameters take " + initializerBytes + " bytes, more than one ONNX file holds (2 GB);"
          + " ONNX's external data files are not written by this exporter");
    }
    Protobuf graph = new Protobuf();
    for (OnnxNode n : nodes) graph.message(1, encode(n));
    graph.string(2, header.graphName());
    for (Initializer i : initializers) graph.message(5, encode(i));
    if (!header.doc().isEmpty()) graph.string(10, header.doc());
    for (ValueInfo v : inputs) graph.message(11, encode(v));
    for (ValueInfo v : outputs) graph.message(12, encode(v));

    Protobuf model = new Protobuf();
    model.varint(1, header.irVersion());
    model.string(2, header.producerName());
    model.string(3, header.producerVersion());
    model.string(6, header.doc());
    model.message(7, graph);
    model.message(8, new Protobuf().string(1, "").varint(2, header.opset()));
    header.metadata().forEach((k, v) -> model.message(14, new Protobuf().string(1, k).string(2, v)));
    return model.toBytes();
  }

  private static Protobuf encode(OnnxNode n) {
    Protobuf p = new Protobuf();
    for (String in : n.inputs) p.string(1, in);
    for (String out : n.outputs) p.string(2, out);
    p.string(3, n.name);
    p.string(4, n.opType);
    for (Attribute a : n.attributes) p.message(5, a.encode());
    return p;
  }

  private static Protobuf encode(Initializer i) {
    Protobuf p = new Protobuf();
    for (long d : i.dims()) p.varint(1, d);
    p.varint(2, i.type());
    p.string(8, i.name());
    p.bytes(9, i.data());
    return p;
  }

  private static Protobuf encode(ValueInfo v) {
    Protobuf shape = new Protobuf();
    Dims d = v.dims();
    for (int i = 0; i < d.rank(); i++) {
      shape.message(1, d.isBatch(i) ? new Protobuf().string(2, OnnxExport.BATCH) : new Protobuf().varint(1, d.size(i)));
    }
    Protobuf tensor = new Protobuf().varint(1, v.type()).message(2, shape);
    Protobuf p = new Protobuf().string(1, v.name()).message(2, new Protobuf().message(1, tensor));
    if (!v.doc().isEmpty()) p.string(3, v.doc());
    return p;
  }
}
