package dev.fusebox.onnx;

import dev.fusebox.ir.Node;
import dev.fusebox.ir.Op;
import dev.fusebox.ir.Shape;
import dev.fusebox.onnx.OnnxGraph.FloatAttribute;
import dev.fusebox.onnx.OnnxGraph.IntAttribute;
import dev.fusebox.onnx.OnnxGraph.IntsAttribute;
import dev.fusebox.ops.Activations;
import dev.fusebox.ops.Axis;
import dev.fusebox.ops.BroadcastTo;
import dev.fusebox.ops.Constant;
import dev.fusebox.ops.DropoutMask;
import dev.fusebox.ops.Elementwise;
import dev.fusebox.ops.Input;
import dev.fusebox.ops.Loss;
import dev.fusebox.ops.MatMul;
import dev.fusebox.ops.Maxout;
import dev.fusebox.ops.Reduce;
import dev.fusebox.ops.Softmax;
import dev.fusebox.ops.SumTo;
import dev.fusebox.ops.Transpose;
import dev.fusebox.ops.Variable;
import dev.fusebox.ops.alu.Alu;
import dev.fusebox.ops.alu.Expr;
import dev.fusebox.runtime.InputKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.DoubleFunction;

/**
 * How each op class is exported to ONNX, in one table: its shape rule with the batch dimension
 * (where a batch dimension would meet a fixed one, the op fails with the node named) and the ONNX
 * nodes that compute it. Ops that an inference graph never computes (gradients, losses) are listed
 * with the reason instead. {@code OnnxCoverageTest} fails when an op class of the compiler is in
 * neither list, so a new op cannot be added without deciding how it is exported.
 *
 * <p>An elementwise op is exported from its expression, primitive by primitive, so every elementwise
 * op (arithmetic, activations, the internal {@code scale}) has exactly the semantics it is defined
 * with. Activations that ONNX has as one operator ({@code Relu}, {@code LeakyRelu}, {@code PRelu},
 * {@code Elu}, {@code Softplus}, {@code HardSigmoid}, {@code Sigmoid}, {@code Clip}) are written as that
 * operator, but only when the op is exactly the one {@link Activations} makes with the parameter its
 * attributes name: the same parameter (hard-sigmoid's slope, leaky ReLU's γ) becomes the operator's
 * attribute. The logistic {@code 1/(1+e^(−u))} inside an expression (swish) is written as {@code Sigmoid}.
 */
final class Translations {
  private Translations() {}

  /** How one op class is exported. */
  interface Translator<T extends Op> {
    /** The value's shape with its batch dimensions; {@code x.fail} where batch and fixed dimensions would mix. */
    Dims dims(T op, Node node, Exporter x);

    /** Adds the ONNX nodes computing the value; returns the value's name. */
    String emit(T op, Node node, Exporter x);
  }

  private static final Map<Class<?>, Translator<?>> TABLE = new LinkedHashMap<>();
  private static final Map<Class<?>, String> NOT_EXPORTED = new LinkedHashMap<>();

  static {
    put(Input.class, new Translator<>() {
      @Override
      public Dims dims(Input op, Node node, Exporter x) {
        boolean batched = op.kind() != InputKind.SCALAR && op.shape().rank() > 0 && op.shape().dim(0) == x.batch();
        return batched ? Dims.batched(op.shape()) : Dims.fixed(op.shape());
      }

      @Override
      public String emit(Input op, Node node, Exporter x) {
        return x.graphInput(node, op);
      }
    });
    put(Variable.class, new Translator<>() {
      @Override
      public Dims dims(Variable op, Node node, Exporter x) {
        return Dims.fixed(op.shape());
      }

      @Override
      public String emit(Variable op, Node node, Exporter x) {
        return x.parameter(node);
      }
    });
    put(Constant.class, new Translator<>() {
      @Override
      public Dims dims(Constant op, Node node, Exporter x) {
        return Dims.fixed(op.shape());
      }

      @Override
      public String emit(Constant op, Node node, Exporter x) {
        double[] v = op.values();
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return x.onnx().floatsNamed(x.nameOf(node), longs(op.shape().dims()), f);
      }
    });
    put(DropoutMask.class, new Translator<>() {
      // Exporter removes dropout where its mask multiplies a tensor of its own shape, as the builder's dropout does;
      // a mask needed otherwise cannot be exported.
      @Override
      public Dims dims(DropoutMask op, Node node, Exporter x) {
        throw maskUsedOtherwise(node, x);
      }

      @Override
      public String emit(DropoutMask op, Node node, Exporter x) {
        throw maskUsedOtherwise(node, x);
      }
    });
    put(Elementwise.class, new Translator<>() {
      @Override
      public Dims dims(Elementwise op, Node node, Exporter x) {
        return x.broadcast(node, node.inputs().size());
      }

      @Override
      public String emit(Elementwise op, Node node, Exporter x) {
        return elementwise(op, node, x);
      }
    });
    put(MatMul.class, new Translator<>() {
      @Override
      public Dims dims(MatMul op, Node node, Exporter x) {
        Dims a = x.inDims(node, 0), b = x.inDims(node, 1);
        Dims left = op.transA() ? a.transposed() : a, right = op.transB() ? b.transposed() : b;
        if (left.isBatch(1) != right.isBatch(0)) {
          throw x.fail(node, "it sums over the batch dimension of one operand and a fixed dimension of the other ("
              + a + (op.transA() ? "ᵀ" : "") + " · " + b + (op.transB() ? "ᵀ" : "") + "), which match only at one batch size");
        }
        return new Dims(new int[] {left.size(0), right.size(1)}, new boolean[] {left.isBatch(0), right.isBatch(1)});
      }

      @Override
      public String emit(MatMul op, Node node, Exporter x) {
        return x.emit(node, "Gemm", List.of(x.in(node, 0), x.in(node, 1)), gemmFlags(op));
      }
    });
    put(Transpose.class, new Translator<>() {
      @Override
      public Dims dims(Transpose op, Node node, Exporter x) {
        return x.inDims(node, 0).transposed();
      }

      @Override
      public String emit(Transpose op, Node node, Exporter x) {
        return x.emit(node, "Transpose", List.of(x.in(node, 0)), new IntsAttribute("perm", new long[] {1, 0}));
      }
    });
    put(Reduce.class, new Translator<>() {
      @Override
      public Dims dims(Reduce op, Node node, Exporter x) {
        Dims in = x.inDims(node, 0);
        if (op.axis() == Axis.ALL) return Dims.fixed(Shape.scalar());
        boolean perRow = op.axis() == Axis.PER_ROW;
        return new Dims(node.shape().dims(), new boolean[] {perRow && in.isBatch(0), !perRow && in.isBatch(1)});
      }

      @Override
      public String emit(Reduce op, Node node, Exporter x) {
        List<String> in = new ArrayList<>(List.of(x.in(node, 0)));
        long[] axes = op.axis() == Axis.ALL ? null : new long[] {op.axis() == Axis.PER_ROW ? 1 : 0};
        IntAttribute keep = new IntAttribute("keepdims", axes == null ? 0 : 1);
        if (!op.mean()) {
          if (axes != null) in.add(x.int64s(axes));
          return x.emit(node, "ReduceSum", in, keep);
        }
        // Opset 17's ReduceMean takes its axes as an attribute (an input only from opset 18).
        return axes == null ? x.emit(node, "ReduceMean", in, keep) : x.emit(node, "ReduceMean", in, keep, new IntsAttribute("axes", axes));
      }
    });
    put(Softmax.class, new Translator<>() {
      @Override
      public Dims dims(Softmax op, Node node, Exporter x) {
        return x.inDims(node, 0);
      }

      @Override
      public String emit(Softmax op, Node node, Exporter x) {
        return x.emit(node, op.log() ? "LogSoftmax" : "Softmax", List.of(x.in(node, 0)), new IntAttribute("axis", 1));
      }
    });
    put(Maxout.class, new Translator<>() {
      @Override
      public Dims dims(Maxout op, Node node, Exporter x) {
        Dims in = x.inDims(node, 0);
        if (in.isBatch(1)) throw x.fail(node, "its pieces run along the batch dimension " + in + ", which has no fixed size to group");
        return new Dims(node.shape().dims(), new boolean[] {in.isBatch(0), false});
      }

      @Override
      public String emit(Maxout op, Node node, Exporter x) {
        // [r, units·k] → [r, units, k] (0 keeps the row count, whatever the batch) → the largest of each unit's k pieces.
        long units = node.shape().dim(1);
        String grouped = x.emit(node, "Reshape", List.of(x.in(node, 0), x.int64s(0, units, op.k())));
        return x.emit(node, "ReduceMax", List.of(grouped), new IntsAttribute("axes", new long[] {2}), new IntAttribute("keepdims", 0));
      }
    });
    put(BroadcastTo.class, new Translator<>() {
      @Override
      public Dims dims(BroadcastTo op, Node node, Exporter x) {
        Dims in = x.inDims(node, 0);
        int rank = op.target().rank();
        boolean[] batch = new boolean[rank];
        for (int i = 0; i < in.rank(); i++) batch[rank - in.rank() + i] = in.isBatch(i);
        return new Dims(op.target().dims(), batch);
      }

      @Override
      public String emit(BroadcastTo op, Node node, Exporter x) {
        // Expand broadcasts both ways: a 1 where the input has the batch keeps the batch's size.
        Dims out = x.dims(node);
        long[] shape = new long[out.rank()];
        for (int i = 0; i < shape.length; i++) shape[i] = out.isBatch(i) ? 1 : out.size(i);
        return x.emit(node, "Expand", List.of(x.in(node, 0), x.int64s(shape)));
      }
    });
    put(SumTo.class, new Translator<>() {
      @Override
      public Dims dims(SumTo op, Node node, Exporter x) {
        Dims in = x.inDims(node, 0);
        int rank = op.target().rank();
        boolean[] batch = new boolean[rank];
        for (int i = 0; i < rank; i++) {
          int j = in.rank() - rank + i;
          batch[i] = in.isBatch(j) && op.target().dim(i) == in.size(j);
        }
        return new Dims(op.target().dims(), batch);
      }

      @Override
      public String emit(SumTo op, Node node, Exporter x) {
        Dims in = x.inDims(node, 0), out = x.dims(node);
        int lead = in.rank() - out.rank();
        List<Long> axes = new ArrayList<>();
        for (int j = 0; j < in.rank(); j++) {
          int i = j - lead;
          if (i < 0 || (out.size(i) == 1 && !out.isBatch(i) && (in.size(j) != 1 || in.isBatch(j)))) axes.add((long) j);
        }
        String v = x.in(node, 0);
        if (axes.isEmpty()) return v;
        v = x.emit(node, "ReduceSum", List.of(v, x.int64s(axes.stream().mapToLong(Long::longValue).toArray())),
            new IntAttribute("keepdims", 1));
        if (lead == 0) return v;
        long[] leading = new long[lead];
        for (int j = 0; j < lead; j++) leading[j] = j;
        return x.emit(node, "Squeeze", List.of(v, x.int64s(leading)));
      }
    });

    String gradient = "a gradient: an inference graph computes none";
    NOT_EXPORTED.put(Maxout.Grad.class, gradient);
    NOT_EXPORTED.put(Loss.LossGrad.class, gradient);
  }

  private static OnnxExportException maskUsedOtherwise(Node mask, Exporter x) {
    return x.fail(mask, "dropout is removed for inference only where its mask multiplies a tensor of the mask's shape "
        + "(mul(x, mask)); this mask is used otherwise");
  }

  private static <T extends Op> void put(Class<T> type, Translator<T> translator) {
    TABLE.put(type, translator);
  }

  /** The translator of an op, or empty if its class has none. */
  @SuppressWarnings("unchecked")
  static Optional<Translator<Op>> of(Op op) {
    return Optional.ofNullable((Translator<Op>) TABLE.get(op.getClass()));
  }

  /** Why an op is not exported: gradients, and losses (whose heads are); null if it is, or unknown. */
  static String whyNotExported(Op op) {
    if (op instanceof Loss) return "a loss: it needs targets, which an inference model does not have; the export gives its head's outputs instead";
    return NOT_EXPORTED.get(op.getClass());
  }

  /** The op classes with a translation. */
  static Set<Class<?>> translated() {
    return TABLE.keySet();
  }

  /** The op classes an inference graph never computes, with the reason. */
  static Map<Class<?>, String> notExported() {
    return NOT_EXPORTED;
  }

  static IntAttribute[] gemmFlags(MatMul op) {
    List<IntAttribute> flags = new ArrayList<>();
    if (op.transA()) flags.add(new IntAttribute("transA", 1));
    if (op.transB()) flags.add(new IntAttribute("transB", 1));
    return flags.toArray(new IntAttribute[0]);
  }

  static long[] longs(int[] dims) {
    long[] l = new long[dims.length];
    for (int i = 0; i < dims.length; i++) l[i] = dims[i];
    return l;
  }

  // ---- elementwise ops

  /** An activation ONNX has as one operator: the op it stands for, by parameter value, and how it is written. */
  private record Native(String parameter, DoubleFunction<Elementwise> op, NativeWriter writer) {}

  @FunctionalInterface
  private interface NativeWriter {
    String write(Exporter x, Node node, List<String> in, float parameter);
  }

  /** By op name; the parameter is the attribute the op prints ({@code gamma=0.01}). */
  private static final Map<String, Native> NATIVE = natives();

  private static Map<String, Native> natives() {
    Map<String, Native> m = new LinkedHashMap<>();
    m.put("sigmoid", new Native(null, v -> Activations.sigmoid(), (x, n, in, v) -> x.emit(n, "Sigmoid", in)));
    m.put("relu", new Native(null, v -> Activations.relu(), (x, n, in, v) -> x.emit(n, "Relu", in)));
    m.put("leaky_relu", new Native("gamma", Activations::leakyRelu,
        (x, n, in, v) -> x.emit(n, "LeakyRelu", in, new FloatAttribute("alpha", v))));
    // PRelu's slope broadcasts one way only, to the input's shape; an α larger than x goes by its expression.
    m.put("prelu", new Native(null, v -> Activations.prelu(), (x, n, in, v) -> x.emit(n, "PRelu", in)));
    m.put("elu", new Native("gamma", Activations::elu, (x, n, in, v) -> x.emit(n, "Elu", in, new FloatAttribute("alpha", v))));
    m.put("softplus", new Native(null, v -> Activations.softplus(), (x, n, in, v) -> x.emit(n, "Softplus", in)));
    // ONNX's HardSigmoid defaults to slope 0.2; the op's own slope is always written.
    m.put("hard_sigmoid", new Native("slope", Activations::hardSigmoid,
        (x, n, in, v) -> x.emit(n, "HardSigmoid", in, new FloatAttribute("alpha", v), new FloatAttribute("beta", 0.5f))));
    m.put("hard_tanh", new Native(null, v -> Activations.hardTanh(),
        (x, n, in, v) -> x.emit(n, "Clip", List.of(in.get(0), x.scalar(-1), x.scalar(1)))));
    return m;
  }

  /** The activations written as one ONNX operator, with the name of the parameter they take (or ""). */
  static Map<String, String> nativeActivations() {
    Map<String, String> m = new LinkedHashMap<>();
    NATIVE.forEach((name, n) -> m.put(name, n.parameter() == null ? "" : n.parameter()));
    return m;
  }

  private static String elementwise(Elementwise op, Node node, Exporter x) {
    Node matmul = x.fusedMatmul(node);
    if (matmul != null) {
      // add(matmul(a, b), bias) is one Gemm with bias C, as a dense layer is written in ONNX; the matmul is not written.
      Node bias = x.input(node, x.input(node, 0) == matmul ? 1 : 0);
      return x.emit(node, "Gemm", List.of(x.in(matmul, 0), x.in(matmul, 1), x.value(bias)), gemmFlags((MatMul) matmul.op()));
    }
    List<String> in = new ArrayList<>();
    for (int i = 0; i < op.arity(); i++) in.add(x.in(node, i));
    Native n = NATIVE.get(op.name());
    if (n != null && x.dims(node).equals(x.inDims(node, 0))) {
      Optional<Float> parameter = parameter(op, n);
      if (parameter.isPresent()) return n.writer().write(x, node, in, parameter.get());
    }
    String v = new Expressions(x, node, in).value(op.expr());
    // An expression that leaves out an input (or uses none) has a smaller shape than the op's broadcast one.
    Dims natural = Dims.fixed(Shape.scalar());
    for (int i = 0; i < op.arity(); i++) if (op.expr().uses(i)) natural = Dims.broadcast(natural, x.inDims(node, i));
    if (!x.dims(node).equals(natural)) {
      for (int i = 0; i < op.arity(); i++) v = x.emit(node, "Expand", List.of(v, x.emit(node, "Shape", List.of(in.get(i)))));
    }
    return v;
  }

  /** The native form's parameter value if {@code op} is exactly the op it stands for; else empty. */
  private static Optional<Float> parameter(Elementwise op, Native n) {
    double value = Double.NaN;
    if (n.parameter() != null) {
      String prefix = n.parameter() + "=";
      if (!op.attributes().startsWith(prefix)) return Optional.empty();
      try {
        value = Double.parseDouble(op.attributes().substring(prefix.length()));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
    return n.op().apply(value).equals(op) ? Optional.of((float) value) : Optional.empty();
  }

  /** An expression's primitives as ONNX operators, each common subexpression once. */
  private static final class Expressions {
    private final Exporter x;
    private final Node node;
    private final List<String> inputs;
    private final Map<Expr, String> values = new HashMap<>();

    Expressions(Exporter x, Node node, List<String> inputs) {
      this.x = x;
      this.node = node;
      this.inputs = inputs;
    }

    String value(Expr e) {
      String known = values.get(e);
      if (known != null) return known;
      String v = compute(e);
      values.put(e, v);
      return v;
    }

    private String compute(Expr e) {
      Alu op = e.op();
      switch (op) {
        case INPUT:
          return inputs.get(e.index());
        case CONST:
          return x.scalar(e.constant());
        case SELECT:
          return emit("Where", condition(e.arg(0)), value(e.arg(1)), value(e.arg(2)));
        case GT: case GE: case LT: case LE:
          return x.emit(node, "Cast", List.of(condition(e)), new IntAttribute("to", OnnxGraph.FLOAT));
        case DIV:
          Expr u = logisticArgument(e);
          if (u != null) return emit("Sigmoid", value(u));
          return emit("Div", value(e.arg(0)), value(e.arg(1)));
        case EXPM1:
          return emit("Sub", emit("Exp", value(e.arg(0))), x.scalar(1));
        case LOG1P:
          return emit("Log", emit("Add", value(e.arg(0)), x.scalar(1)));
        default:
          String onnx = OPERATORS.get(op);
          if (onnx == null) throw x.fail(node, "its expression uses " + op.symbol() + ", which has no ONNX operator here");
          List<String> args = new ArrayList<>();
          for (int i = 0; i < e.argCount(); i++) args.add(value(e.arg(i)));
          return x.emit(node, onnx, args);
      }
    }

    /** A boolean tensor: a comparison as it is, any other value compared with 0 (as SELECT reads it). */
    private String condition(Expr e) {
      switch (e.op()) {
        case GT: return emit("Greater", value(e.arg(0)), value(e.arg(1)));
        case GE: return emit("GreaterOrEqual", value(e.arg(0)), value(e.arg(1)));
        case LT: return emit("Less", value(e.arg(0)), value(e.arg(1)));
        case LE: return emit("LessOrEqual", value(e.arg(0)), value(e.arg(1)));
        default: return x.emit(node, "Cast", List.of(value(e)), new IntAttribute("to", OnnxGraph.BOOL));
      }
    }

    private String emit(String opType, String... in) {
      return x.emit(node, opType, List.of(in));
    }
  }

  /** The primitives that are one ONNX operator of the same meaning. */
  private static final Map<Alu, String> OPERATORS = operators();

  private static Map<Alu, String> operators() {
    Map<Alu, String> m = new LinkedHashMap<>();
    for (Alu a : List.of(Alu.ADD, Alu.SUB, Alu.MUL, Alu.DIV, Alu.MAX, Alu.MIN, Alu.NEG, Alu.EXP, Alu.LOG, Alu.SQRT, Alu.ABS,
        Alu.SIGN, Alu.TANH, Alu.ERF)) {
      String s = a.symbol();
      m.put(a, s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1));
    }
    return m;
  }

  /** u if {@code e} is {@code 1 / (1 + exp(−u))}, the logistic as {@code Expr.sigmoid} writes it; else null. */
  private static Expr logisticArgument(Expr e) {
    if (!isOne(e.arg(0)) || e.arg(1).op() != Alu.ADD) return null;
    Expr sum = e.arg(1);
    if (!isOne(sum.arg(0)) || sum.arg(1).op() != Alu.EXP || sum.arg(1).arg(0).op() != Alu.NEG) return null;
    return sum.arg(1).arg(0).arg(0);
  }

  private static boolean isOne(Expr e) {
    return e.op() == Alu.CONST && e.constant() == 1;
  }
}
