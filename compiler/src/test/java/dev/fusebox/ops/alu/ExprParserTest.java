package dev.fusebox.ops.alu;

import static dev.fusebox.ops.alu.Expr.c;
import static dev.fusebox.ops.alu.Expr.x;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusebox.autodiff.Autodiff;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Node;
import dev.fusebox.ops.Activations;
import dev.fusebox.ops.Arithmetic;
import dev.fusebox.ops.Elementwise;
import dev.fusebox.runtime.init.Initializers;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ExprParser} reads back exactly what {@link Expr#toString()} prints, for every elementwise
 * body and gradient rule, and reports malformed text with its column.
 */
class ExprParserTest {

  static Stream<Arguments> elementwiseOps() {
    return Stream.of(
        Activations.sigmoid(), Activations.tanh(), Activations.hardSigmoid(0.25), Activations.hardSigmoid(0.2),
        Activations.hardSigmoid(1.0 / 6), Activations.hardTanh(), Activations.relu(), Activations.leakyRelu(0.01),
        Activations.leakyRelu(-0.3), Activations.elu(1), Activations.elu(0.5), Activations.softplus(),
        Activations.swish(1), Activations.swish(1.7), Activations.swishLearned(), Activations.gelu(),
        Activations.geluTanh(), Activations.prelu(),
        Arithmetic.add(), Arithmetic.sub(), Arithmetic.mul(), Arithmetic.div(), Arithmetic.neg(), Arithmetic.exp(),
        Arithmetic.log(), Arithmetic.sqrt(), Arithmetic.square(), Arithmetic.abs(), Arithmetic.affine(3, 0),
        Arithmetic.affine(-0.125, 1e-7), Arithmetic.affine(1e20, -2.5e-300))
        .map(op -> Arguments.of(op.toString(), op));
  }

  static void assertRoundTrips(Expr e) {
    Expr back = ExprParser.parse(e.toString());
    assertThat(back).as("parse(%s)", e).isEqualTo(e);
    assertThat(back.hashCode()).isEqualTo(e.hashCode());
    assertThat(back.toString()).isEqualTo(e.toString());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("elementwiseOps")
  void everyBodyAndGradientRuleRoundTrips(String name, Elementwise op) {
    assertRoundTrips(op.expr());
    for (Expr rule : op.vjps()) if (rule != null) assertRoundTrips(rule);
  }

  @Test
  void everyElementwiseNodeOfADifferentiatedNetworkRoundTrips() {
    // The derivative nodes autodiff creates have bodies renumbered over their own inputs.
    GraphBuilder g = GraphBuilder.create(1);
    Tensor x = g.input("x", 2, 4);
    Tensor h = g.sigmoid(g.tanh(g.softplus(g.gelu(g.geluTanh(x)))));
    h = g.elu(g.leakyRelu(g.hardTanh(g.hardSigmoid(g.relu(h), 0.2)), 0.1), 0.7);
    h = g.swish(g.swish(h, 2), g.parameter("beta", Initializers.constant(1), 4));
    h = g.prelu(h, g.parameter("alpha", Initializers.constant(0.25), 4));
    h = g.affine(g.abs(g.sqrt(g.exp(g.neg(g.log(g.square(h)))))), 0.5, 1);
    g.loss(g.sum(g.div(g.mul(h, h), g.sub(h, g.constant(-3)))));
    Graph graph = Autodiff.differentiate(g.build());
    List<Expr> bodies = new ArrayList<>();
    for (Node n : graph.nodes()) if (n.op() instanceof Elementwise e) bodies.add(e.expr());
    assertThat(bodies).hasSizeGreaterThan(40);
    bodies.forEach(ExprParserTest::assertRoundTrips);
  }

  @Test
  void readsThePrintedForm() {
    assertThat(ExprParser.parse("select(gt(x0, 0), x0, mul(x0, 0.01))"))
        .isEqualTo(Expr.select(x(0).gt(0), x(0), x(0).mul(0.01)));
    assertThat(ExprParser.parse("add( x12 ,sub(-1.5,1.0E-5) )")).isEqualTo(x(12).add(c(-1.5).sub(1e-5)));
    assertThat(ExprParser.parse("max(x0, -Infinity)")).isEqualTo(x(0).max(c(Double.NEGATIVE_INFINITY)));
    assertThat(ExprParser.parse("erf(Infinity)")).isEqualTo(c(Double.POSITIVE_INFINITY).erf());
    assertThat(ExprParser.parse("7")).isEqualTo(c(7));
  }

  @Test
  void constantsThatPrintAlikeCompareAlike() {
    assertThat(c(-0.0)).isEqualTo(c(0.0));
    assertThat(c(-0.0).toString()).isEqualTo("0");
    assertThat(c(1e15).toString()).isEqualTo("1.0E15");
    assertRoundTrips(c(Math.nextUp(1.0)));
    assertRoundTrips(c(Double.MIN_VALUE));
    assertRoundTrips(c(-Double.MAX_VALUE));
  }

  // ---- errors

  @ParameterizedTest(name = "''{0}''")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "\"\"             | 1  | expected an expression",
      "add(x0, )        | 9  | expected an expression",
      "add(x0, x1       | 11 | expected ')'",
      "add x0           | 5  | expected '('",
      "add(x0, x1) x2   | 13 | unexpected 'x2'",
      "add(x0, x1))     | 12 | unexpected ')'",
      "add(x0)          | 8  | add takes 2 arguments, got 1",
      "neg(x0, x1)      | 12 | neg takes 1 arguments, got 2",
  })
  void malformedTextIsReportedWithItsColumn(String text, int column, String what) {
    assertThatThrownBy(() -> ExprParser.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expression '" + text + "'")
        .hasMessageContaining("at column " + column + ": " + what);
  }

  @Test
  void unknownWordsAndBadNumbersAreNamed() {
    assertThatThrownBy(() -> ExprParser.parse("frob(x0)")).hasMessageContaining("unknown primitive 'frob'");
    assertThatThrownBy(() -> ExprParser.parse("add(x0, 1.2.3)")).hasMessageContaining("'1.2.3' is not a number");
  }

  @Test
  void errorsAboutAWordPointAtItsFirstColumn() {
    assertThatThrownBy(() -> ExprParser.parse("frob(x0)")).hasMessageContaining("at column 1: unknown primitive 'frob'");
    assertThatThrownBy(() -> ExprParser.parse("add(x0, 1.2.3)")).hasMessageContaining("at column 9: '1.2.3' is not a number");
  }

  @Test
  void everyMalformedTextIsReportedWithItsColumn() {
    for (String text : new String[] {"input()", "const()", "add(x0, x99999999999)"}) {
      assertThatThrownBy(() -> ExprParser.parse(text)).as(text)
          .hasMessageContaining("expression '" + text + "' at column");
    }
  }
}
