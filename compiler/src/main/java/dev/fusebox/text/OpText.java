package dev.fusebox.text;

import dev.fusebox.ir.DType;
import dev.fusebox.ir.Op;
import dev.fusebox.ir.Shape;
import dev.fusebox.ops.Activations;
import dev.fusebox.ops.Arithmetic;
import dev.fusebox.ops.Axis;
import dev.fusebox.ops.BinaryCrossEntropy;
import dev.fusebox.ops.BroadcastTo;
import dev.fusebox.ops.Constant;
import dev.fusebox.ops.CrossEntropy;
import dev.fusebox.ops.DropoutMask;
import dev.fusebox.ops.Elementwise;
import dev.fusebox.ops.Input;
import dev.fusebox.ops.Loss;
import dev.fusebox.ops.MatMul;
import dev.fusebox.ops.Maxout;
import dev.fusebox.ops.MeanSquaredError;
import dev.fusebox.ops.Reduce;
import dev.fusebox.ops.Softmax;
import dev.fusebox.ops.SoftmaxCrossEntropy;
import dev.fusebox.ops.SumTo;
import dev.fusebox.ops.Transpose;
import dev.fusebox.ops.Variable;
import dev.fusebox.ops.alu.ExprParser;
import dev.fusebox.runtime.InputKind;
import dev.fusebox.runtime.init.Initializers;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Rebuilds an op from its printed form: name, attributes, body, and the node's printed type. The
 * inverse of {@link Op#name()}, {@link Op#attributes()} and {@link Op#body()}.
 */
final class OpText {
  private OpText() {}

  private static final List<Loss> LOSSES = List.of(new SoftmaxCrossEntropy(), new CrossEntropy(), new BinaryCrossEntropy(true),
      new BinaryCrossEntropy(false), new MeanSquaredError(false), new MeanSquaredError(true));

  static Op parse(String name, String attrs, String body, int arity, DType dtype, Shape shape) {
    Map<String, String> a = attributes(attrs);
    if (body != null) return Elementwise.plain(name, arity, ExprParser.parse(body));
    switch (name) {
      case "input": return input(attrs, a, shape);
      case "param": return Variable.parameter(shape, Initializers.byName(attrs), 0);
      case "state": return Variable.state(shape, Initializers.byName(attrs));
      case "const": return constant(attrs, shape);
      case "matmul": return new MatMul(a.containsKey("transA"), a.containsKey("transB"));
      case "transpose": return new Transpose();
      case "sum": return Reduce.sum(axis(attrs));
      case "mean": return Reduce.mean(axis(attrs));
      case "broadcast": return new BroadcastTo(shape(a.get("to")));
      case "sum_to": return new SumTo(shape(a.get("to")));
      case "softmax": return new Softmax(false);
      case "log_softmax": return new Softmax(true);
      case "maxout": return new Maxout(Integer.parseInt(a.get("k")));
      case "maxout_grad": return new Maxout.Grad(Integer.parseInt(a.get("k")));
      case "dropout_mask": return new DropoutMask(shape, Double.parseDouble(a.get("p")), Long.parseLong(a.get("seed")));
      default: break;
    }
    for (Loss loss : LOSSES) {
      if (name.equals(loss.name())) return loss;
      if (name.equals(loss.name() + "_grad")) return new Loss.LossGrad(loss, false);
      if (name.equals(loss.name() + "_target_grad")) return new Loss.LossGrad(loss, true);
    }
    Op e = elementwise(name, a);
    if (e == null) throw new IllegalArgumentException("unknown op '" + name + "'");
    return e;
  }

  private static Op elementwise(String name, Map<String, String> a) {
    switch (name) {
      case "add": return Arithmetic.add();
      case "sub": return Arithmetic.sub();
      case "mul": return Arithmetic.mul();
      case "div": return Arithmetic.div();
      case "neg": return Arithmetic.neg();
      case "exp": return Arithmetic.exp();
      case "log": return Arithmetic.log();
      case "sqrt": return Arithmetic.sqrt();
      case "square": return Arithmetic.square();
      case "abs": return Arithmetic.abs();
      case "scale": return Arithmetic.affine(number(a, "a"), a.containsKey("b") ? number(a, "b") : 0);
      case "sigmoid": return Activations.sigmoid();
      case "tanh": return Activations.tanh();
      case "hard_sigmoid": return Activations.hardSigmoid(number(a, "slope"));
      case "hard_tanh": return Activations.hardTanh();
      case "relu": return Activations.relu();
      case "leaky_relu": return Activations.leakyRelu(number(a, "gamma"));
      case "elu": return Activations.elu(number(a, "gamma"));
      case "softplus": return Activations.softplus();
      case "swish": return a.containsKey("learned") ? Activations.swishLearned() : Activations.swish(number(a, "beta"));
      case "gelu": return Activations.gelu();
      case "gelu_tanh": return Activations.geluTanh();
      case "prelu": return Activations.prelu();
      default: return null;
    }
  }

  private static Op input(String attrs, Map<String, String> a, Shape shape) {
    String kind = attrs.split(",")[0];
    InputKind k = InputKind.valueOf(kind.toUpperCase(Locale.ROOT));
    if (k == InputKind.LABELS) return new Input(k, shape, Integer.parseInt(a.get("classes")));
    if (k == InputKind.SCALAR) return Input.scalar(a.containsKey("initial") ? number(a, "initial") : 0);
    return new Input(k, shape, 0);
  }

  private static Op constant(String attrs, Shape shape) {
    if (attrs.endsWith("…")) throw new IllegalArgumentException("constant of shape " + shape + " is elided in the text; it cannot be read back");
    String[] parts = attrs.split(",");
    double[] v = new double[parts.length];
    for (int i = 0; i < v.length; i++) v[i] = Double.parseDouble(parts[i]);
    return new Constant(shape, v);
  }

  private static Axis axis(String attrs) {
    return attrs.isEmpty() ? Axis.ALL : Axis.valueOf(attrs.toUpperCase(Locale.ROOT));
  }

  private static double number(Map<String, String> a, String key) {
    String v = a.get(key);
    if (v == null) throw new IllegalArgumentException("missing attribute '" + key + "'");
    return Double.parseDouble(v);
  }

  /** {@code a=1,b=[2, 3],transB} → {a: 1, b: [2, 3], transB: ""}, splitting at top-level commas. */
  static Map<String, String> attributes(String attrs) {
    Map<String, String> out = new LinkedHashMap<>();
    int depth = 0, start = 0;
    for (int i = 0; i <= attrs.length(); i++) {
      char c = i < attrs.length() ? attrs.charAt(i) : ',';
      if (c == '[') depth++;
      else if (c == ']') depth--;
      else if (c == ',' && depth == 0) {
        String part = attrs.substring(start, i).trim();
        if (!part.isEmpty()) {
          int eq = part.indexOf('=');
          out.put(eq < 0 ? part : part.substring(0, eq), eq < 0 ? "" : part.substring(eq + 1));
        }
        start = i + 1;
      }
    }
    return out;
  }

  /** {@code [2, 3]} → Shape. */
  static Shape shape(String text) {
    String inner = text.trim();
    if (!inner.startsWith("[") || !inner.endsWith("]")) throw new IllegalArgumentException("bad shape '" + text + "'");
    inner = inner.substring(1, inner.length() - 1).trim();
    if (inner.isEmpty()) return Shape.scalar();
    String[] parts = inner.split(",");
    int[] dims = new int[parts.length];
    for (int i = 0; i < dims.length; i++) dims[i] = Integer.parseInt(parts[i].trim());
    return Shape.of(dims);
  }
}
