package dev.fusebox.ops;

import dev.fusebox.ir.BatchAxes;
import dev.fusebox.ir.Buffer;
import dev.fusebox.ir.EvalContext;
import dev.fusebox.ir.Gradients;
import dev.fusebox.ir.Node;
import dev.fusebox.ir.Op;
import dev.fusebox.ir.Shape;
import dev.fusebox.ir.ShapeCheck;
import dev.fusebox.ops.alu.Expr;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * An elementwise op: output element = {@code body(x0, x1, ...)} over inputs broadcast NumPy-style to
 * a common shape. Every activation, arithmetic op and derivative is one of these, so the interpreter,
 * fusion and code generation treat them all alike.
 *
 * <p>The gradient rule is a list of expressions, one per input, over {@code x0..x(n-1)} (the inputs),
 * {@code x(n)} (the output y) and {@code x(n+1)} (the upstream gradient dy); {@code null} where no
 * gradient flows. Each must be linear in dy. A gradient for a broadcast input is summed back to its
 * shape.
 *
 * @param name printed name ({@code relu}, {@code add}, {@code relu_grad})
 * @param attributes printed attributes ({@code alpha=0.01}) or ""
 * @param arity number of inputs
 * @param expr the value
 * @param vjps gradient expressions per input, or an empty list if the op is not differentiable
 */
public record Elementwise(String name, String attributes, int arity, Expr expr, List<Expr> vjps) implements Op {

  public Elementwise {
    if (expr.inputCount() > arity) throw new IllegalArgumentException(name + ": body uses more than " + arity + " inputs: " + expr);
    if (!vjps.isEmpty() && vjps.size() != arity) throw new IllegalArgumentException(name + ": needs one gradient per input");
    vjps = Collections.unmodifiableList(new ArrayList<>(vjps));
  }

  /** A differentiable elementwise op. */
  public static Elementwise of(String name, String attributes, Expr body, Expr... vjps) {
    return new Elementwise(name, attributes, vjps.length, body, Arrays.asList(vjps));
  }

  /** An elementwise op without a gradient rule (a derivative, a fused body). */
  public static Elementwise plain(String name, int arity, Expr body) {
    return new Elementwise(name, "", arity, body, List.of());
  }

  @Override
  public int batchAxes(Shape out, List<Node> inputs, int[] inputAxes) {
    return BatchAxes.broadcast(out, inputs, inputAxes);
  }

  @Override
  public Shape shape(ShapeCheck c) {
    Shape out = null;
    for (int i = 0; i < arity; i++) {
      c.requireFloat(i, "operand");
      Shape s = c.in(i);
      Shape b = out == null ? s : Shape.broadcast(out, s);
      if (b == null) c.fail("shapes %s and %s do not broadcast", out, s);
      out = b;
    }
    return out == null ? Shape.scalar() : out;
  }

  @Override
  public void eval(Buffer[] in, Buffer out, EvalContext ctx) {
    Shape s = out.shape();
    int rows = s.rows(), cols = s.cols();
    double[] args = new double[arity];
    for (int r = 0; r < rows; r++) {
      for (int col = 0; col < cols; col++) {
        for (int i = 0; i < arity; i++) args[i] = in[i].get(broadcastIndex(in[i].shape(), r, col));
        out.set(r * cols + col, expr.eval(args));
      }
    }
  }

  /** Index into a tensor of shape {@code s} broadcast to element (r, c) of the output's matrix view. */
  static int broadcastIndex(Shape s, int r, int c) {
    return (s.rows() == 1 ? 0 : r) * s.cols() + (s.cols() == 1 ? 0 : c);
  }

  @Override
  public List<Node> vjp(Gradients g, Node y, Node dy) {
    if (vjps.isEmpty()) {
      throw new UnsupportedOperationException(name + " has no gradient rule (second derivatives are not supported)");
    }
    List<Node> grads = new ArrayList<>();
    List<Node> available = new ArrayList<>(y.inputs());
    available.add(y);
    available.add(dy);
    for (int i = 0; i < arity; i++) {
      Expr rule = vjps.get(i);
      Node x = y.input(i);
      if (rule == null) {
        grads.add(null);
        continue;
      }
      Node grad = rule.isInput(arity + 1) ? dy : applyRule(g, rule, available, arity == 1 ? "" : Integer.toString(i));
      if (!grad.shape().equals(x.shape())) grad = g.add(new SumTo(x.shape()), grad);
      grads.add(grad);
    }
    return grads;
  }

  /** A node computing {@code rule} over the nodes it uses, renumbered to be its inputs. */
  private Node applyRule(Gradients g, Expr rule, List<Node> available, String suffix) {
    List<Node> used = new ArrayList<>();
    Expr[] renumber = new Expr[available.size()];
    for (int k = 0; k < available.size(); k++) {
      if (rule.uses(k)) {
        renumber[k] = Expr.x(used.size());
        used.add(available.get(k));
      }
    }
    Elementwise op = plain(name + "_grad" + suffix, used.size(), rule.substitute(renumber));
    return g.add(op, used.toArray(new Node[0]));
  }

  /** Derivatives and fused bodies have no catalogue entry: print the expression itself. */
  @Override
  public String body() {
    return vjps.isEmpty() ? "{" + expr + "}" : "";
  }

  @Override
  public String toString() {
    return name + (attributes.isEmpty() ? "" : "[" + attributes + "]");
  }
}
