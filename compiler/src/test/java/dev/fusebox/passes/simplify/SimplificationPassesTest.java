package dev.fusebox.passes.simplify;

import static dev.fusebox.passes.PassTesting.check;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.ir.Graph;
import dev.fusebox.ir.GraphPrinter;
import dev.fusebox.passes.PassContext;
import dev.fusebox.text.GraphParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each simplification pass on graph text, checked FileCheck-style (and for idempotence). */
class SimplificationPassesTest {

  @Test
  void deadNodesGoButInputsAndVariablesStay() {
    check(new DeadNodeElimination(), """
        x = input[features] : f32[2, 3]
        unused = input[features] : f32[2, 3]
        w = param[zeros] : f32[3]
        dead = exp(x) : f32[2, 3]
        deader = relu(dead) : f32[2, 3]
        s = sum(x) : f32[]
        output loss = s
        """, """
        CHECK: x = input
        CHECK-NEXT: unused = input
        CHECK-NEXT: w = param
        CHECK-NOT: dead
        CHECK: s = sum(x)
        CHECK: output loss = s
        """);
  }

  @Test
  void deadNodeEliminationKeepsWhatUpdatesNeed() {
    check(new DeadNodeElimination(), """
        w = param[zeros] : f32[3]
        c = const[1,2,3] : f32[3]
        next = add(w, c) : f32[3]
        update w <- next
        """, """
        CHECK: c = const
        CHECK: next = add(w, c)
        CHECK: update w <- next
        """);
  }

  @Test
  void cseMergesEqualPureNodesOnly() {
    check(new CommonSubexpressionElimination(), """
        x = input[features] : f32[2, 3]
        a = exp(x) : f32[2, 3]
        b = exp(x) : f32[2, 3]
        c = add(a, b) : f32[2, 3]
        m1 = dropout_mask[p=0.5,seed=1] : f32[2, 3]
        m2 = dropout_mask[p=0.5,seed=1] : f32[2, 3]
        d = mul(m1, m2) : f32[2, 3]
        k1 = const[2] : f32[]
        k2 = const[2] : f32[]
        e = mul(c, k2) : f32[2, 3]
        s = sum(d) : f32[]
        t = sum(e) : f32[]
        output s = s
        output t = t
        """, """
        CHECK: a = exp(x)
        CHECK-NOT: b = exp
        CHECK: c = add(a, a)
        CHECK: m1 = dropout_mask
        CHECK-NEXT: m2 = dropout_mask
        CHECK: k1 = const[2]
        CHECK-NOT: k2
        CHECK: e = mul(c, k1)
        """);
  }

  @Test
  void constantFoldingUsesTheOpsOwnSemantics() {
    check(new ConstantFolding(), """
        a = const[1,2,3,4] : f32[2, 2]
        b = const[10,20] : f32[2]
        c = add(a, b) : f32[2, 2]
        d = matmul[transB](c, c) : f32[2, 2]
        e = sum[per_row](d) : f32[2, 1]
        x = input[features] : f32[2, 2]
        f = mul(x, e) : f32[2, 2]
        y = input[targets] : f32[2, 2]
        l = mse(a, y) : f32[]
        output f = f
        output l = l
        """, """
        CHECK: c = const[11,22,13,24] : f32[2, 2]
        // c·cᵀ = [[11²+22², 11·13+22·24], [13·11+24·22, 13²+24²]] = [[605, 671], [671, 745]]
        CHECK: d = const[605,671,671,745]
        CHECK: e = const[1276,1416] : f32[2, 1]
        CHECK: f = mul(x, e)
        // A loss depends on the run-time count of valid rows: never folded.
        CHECK: l = mse(a, y)
        """);
  }

  @Test
  void algebraicIdentities() {
    Graph out = check(new AlgebraicSimplification(), """
        x = input[features] : f32[2, 3]
        w = param[zeros] : f32[4, 3]
        one = const[1] : f32[]
        zero = const[0] : f32[]
        a = mul(x, one) : f32[2, 3]
        b = add(a, zero) : f32[2, 3]
        c = neg(b) : f32[2, 3]
        d = neg{neg(x0)}(c) : f32[2, 3]
        t = transpose(w) : f32[3, 4]
        tt = transpose(t) : f32[4, 3]
        m = matmul(d, t) : f32[2, 4]
        bc = broadcast[to=[4, 3]](tt) : f32[4, 3]
        st = sum_to[to=[4, 3]](bc) : f32[4, 3]
        two = const[2] : f32[]
        s = mul(m, two) : f32[2, 4]
        q = mul(s, s) : f32[2, 4]
        sum1 = sum(q) : f32[]
        sum2 = sum(st) : f32[]
        output loss = sum1
        output other = sum2
        """, """
        CHECK: c = neg(x)
        CHECK: d = neg{neg(x0)}(c)
        CHECK: m = matmul[transB](d, w)
        CHECK: s = mul{mul(x0, 2)}(m)
        CHECK: q = mul{mul(x0, x0)}(s)
        CHECK: sum2 = sum(w)
        """);
    // d = −(−x) as two nodes is elementwise fusion's business; within one body it simplifies away:
    Graph single = GraphParser.parse("""
        x = input[features] : f32[2, 3]
        d = neg{neg(neg(x0))}(x) : f32[2, 3]
        output d = d
        """);
    assertThat(GraphPrinter.print(new AlgebraicSimplification().apply(single, PassContext.quiet())))
        .isEqualTo("x = input[features] : f32[2, 3]\noutput d = x\n");
    assertThat(out.size()).isLessThan(20);
  }

  @Test
  void passesReturnTheirInputWhenNothingChanges() {
    Graph g = GraphParser.parse("""
        x = input[features] : f32[2, 3]
        e = exp(x) : f32[2, 3]
        s = sum(e) : f32[]
        output loss = s
        """);
    for (var pass : List.of(new DeadNodeElimination(), new CommonSubexpressionElimination(), new ConstantFolding(),
        new AlgebraicSimplification())) {
      assertThat(pass.apply(g, PassContext.quiet())).as(pass.name()).isSameAs(g);
    }
  }
}
