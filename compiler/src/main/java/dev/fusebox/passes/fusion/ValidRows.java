package dev.fusebox.passes.fusion;

import dev.fusebox.ir.BatchAxes;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Kernel;
import dev.fusebox.ir.Node;
import dev.fusebox.ir.Stage;
import dev.fusebox.ops.Elementwise;
import dev.fusebox.ops.Loss;
import dev.fusebox.ops.MatMul;
import dev.fusebox.ops.alu.Alu;
import dev.fusebox.ops.alu.Expr;
import dev.fusebox.passes.Pass;
import dev.fusebox.passes.PassContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Marks the stages of a fused graph that need compute only the batch's valid rows, so that a program
 * compiled for a batch of B runs n &lt; B valid rows ({@code setValidRows}) at a cost that grows with n.
 * It changes no result: a program computes every value as the interpreter does, all B rows of it, and
 * losses average over the valid rows; a stage is marked only where no one reads the rows it skips.
 *
 * <ul>
 *   <li>A stage may skip the padding rows of a value whose rows run along the batch
 *       ({@link BatchAxes}) when every reader of those rows skips them too: an elementwise node or a
 *       matmul that maps rows to rows in a stage that is itself marked, or a loss or its gradient (both
 *       read the valid rows only). Anything else (a reduction over the batch, a transpose, softmax,
 *       an update) reads all rows, and so does whatever an output is not (the padding rows of an
 *       output are not specified).
 *   <li>A matmul summing over the batch (a weight gradient dzᵀ·x) may sum the valid rows only when one
 *       operand's padding rows are zero in the interpreter too: a loss gradient's are, and so are those
 *       of values made from it by products and by ops that keep zero at zero (relu's derivative). Then
 *       neither operand's padding rows are read.
 *   <li>Column sums in a marked loop sum the valid rows only, so the summed member must have zero
 *       padding rows.
 * </ul>
 *
 * Kernels and stages are unchanged but for these flags, and the decisions go to the fusion report.
 */
public final class ValidRows implements Pass {

  @Override
  public String name() {
    return "valid_rows";
  }

  @Override
  public Graph apply(Graph g, PassContext ctx) {
    if (g.kernels().isEmpty()) return g; // nothing planned (kernel fusion switched off): every stage computes all rows
    boolean[] zero = zeroPaddingRows(g);
    Map<Node, List<Node>> users = g.users();
    Set<Node> outputs = new HashSet<>(g.outputs().values());
    Set<Node> updates = new HashSet<>(g.updates().values());
    // Reverse schedule order: a stage is decided after every stage that reads its values.
    List<Stage> stages = new ArrayList<>();
    for (Kernel k : g.kernels()) stages.addAll(k.stages());
    boolean[] skipsPadding = new boolean[g.size()];
    List<Stage> decided = new ArrayList<>(stages);
    for (int s = stages.size() - 1; s >= 0; s--) {
      Stage stage = stages.get(s);
      Set<Node> own = new HashSet<>(stage.nodes());
      boolean rows = stage instanceof Stage.Loop || stage instanceof Stage.Matmul;
      List<Node> rowMembers = stage instanceof Stage.Loop l ? l.members() : stage.nodes();
      for (Node n : rowMembers) {
        rows &= batchRows(g, n) && !updates.contains(n);
        for (Node u : users.get(n)) if (!own.contains(u) && !skipsPaddingOf(g, u, n, skipsPadding, zero)) rows = false;
      }
      if (stage instanceof Stage.Loop l) {
        for (Node sum : l.columnSums()) rows &= zero[sum.input(0).id()] && !outputs.contains(sum);
        decided.set(s, new Stage.Loop(l.members(), l.columnSums(), rows));
      } else if (stage instanceof Stage.Matmul m) {
        decided.set(s, new Stage.Matmul(m.matmul(), m.epilogue(), rows, validDepth(g, m.matmul(), zero)));
      }
      if (rows) for (Node n : rowMembers) skipsPadding[n.id()] = true;
      if (stage instanceof Stage.Matmul m && ((Stage.Matmul) decided.get(s)).validDepth()) {
        ctx.decide(name(), "'" + m.matmul().name() + "' sums over the valid rows only");
      }
      if (rows) ctx.decide(name(), stage.text() + ": valid rows only");
    }
    List<Kernel> plan = new ArrayList<>();
    int at = 0;
    for (Kernel k : g.kernels()) {
      plan.add(new Kernel(k.kind(), decided.subList(at, at + k.stages().size())));
      at += k.stages().size();
    }
    return plan.equals(g.kernels()) ? g : g.withKernels(plan);
  }

  private static boolean batchRows(Graph g, Node n) {
    return n.shape().rank() == 2 && BatchAxes.rows(g.batchAxes(n));
  }

  /** Whether reader {@code u} leaves the padding rows of its input {@code v} unread. */
  private static boolean skipsPaddingOf(Graph g, Node u, Node v, boolean[] skipsPadding, boolean[] zero) {
    if (u.op() instanceof Loss || u.op() instanceof Loss.LossGrad) return u.input(0) == v || u.input(1) == v;
    if (u.op() instanceof MatMul m) {
      int i = u.input(0) == v ? 0 : 1;
      if (u.input(0) == v && u.input(1) == v) return false;
      boolean rowsOfResult = i == 0 ? !m.transA() : m.transB(); // v's rows become the result's rows (or columns)
      if (rowsOfResult) return i == 0 && skipsPadding[u.id()];
      return validDepth(g, u, zero);
    }
    return u.op() instanceof Elementwise && batchRows(g, u) && u.shape().rows() == v.shape().rows() && skipsPadding[u.id()];
  }

  /** A matmul summing over the batch may stop at the valid rows when one operand's padding rows are zero. */
  private static boolean validDepth(Graph g, Node matmul, boolean[] zero) {
    MatMul m = (MatMul) matmul.op();
    int[] axes = {g.batchAxes(matmul.input(0)), g.batchAxes(matmul.input(1))};
    return m.contractsBatch(axes) && m.transA() && !m.transB() && (zero[matmul.input(0).id()] || zero[matmul.input(1).id()]);
  }

  /**
   * Which values have exactly zero in their padding rows in the interpreter: a loss's gradient (it is
   * zero there by definition), and what elementwise ops and row-mapping matmuls make of such values
   * when the result is zero wherever those inputs are, whatever the other inputs hold.
   */
  static boolean[] zeroPaddingRows(Graph g) {
    boolean[] zero = new boolean[g.size()];
    for (Node n : g.nodes()) {
      if (!batchRows(g, n)) continue;
      if (n.op() instanceof Loss.LossGrad) {
        zero[n.id()] = true;
      } else if (n.op() instanceof MatMul m) {
        zero[n.id()] = !m.transA() && zero[n.input(0).id()];
      } else if (n.op() instanceof Elementwise e) {
        boolean[] zeroInputs = new boolean[n.inputs().size()];
        for (int i = 0; i < zeroInputs.length; i++) {
          Node in = n.input(i);
          zeroInputs[i] = zero[in.id()] && in.shape().rank() == 2 && in.shape().rows() == n.shape().rows();
        }
        zero[n.id()] = zeroAt(e.expr(), zeroInputs);
      }
    }
    return zero;
  }

  /** Whether {@code e} is exactly 0 wherever the inputs marked in {@code zero} are 0 and the others finite. */
  static boolean zeroAt(Expr e, boolean[] zero) {
    Alu op = e.op();
    switch (op) {
      case INPUT: return zero[e.index()];
      case CONST: return e.constant() == 0;
      case MUL: return zeroAt(e.arg(0), zero) || zeroAt(e.arg(1), zero);
      case DIV: return zeroAt(e.arg(0), zero);
      case ADD: case SUB: case MAX: case MIN: return zeroAt(e.arg(0), zero) && zeroAt(e.arg(1), zero);
      case SELECT: return zeroAt(e.arg(1), zero) && zeroAt(e.arg(2), zero);
      case NEG: case ABS: case SQRT: case TANH: case ERF: case SIGN: case EXPM1: case LOG1P: return zeroAt(e.arg(0), zero);
      default: return false;
    }
  }
}
