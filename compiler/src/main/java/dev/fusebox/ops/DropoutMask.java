package dev.fusebox.ops;

import dev.fusebox.ir.Buffer;
import dev.fusebox.ir.EvalContext;
import dev.fusebox.ir.Lowering;
import dev.fusebox.ir.Shape;
import dev.fusebox.runtime.Seeds;

/**
 * Inverted-dropout mask: in a training step each element is 0 with probability p and 1/(1−p)
 * otherwise; in inference it is all ones. Dropout of x is {@code x ⊙ mask}, so the gradient uses the
 * same mask as the forward pass. Element i of step s is drawn from {@link Seeds#uniform}(seed, s, i):
 * the same in every executor and thread count.
 */
public record DropoutMask(Shape shape, double p, long seed) implements SourceOp {

  public DropoutMask {
    if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
  }

  @Override
  public String name() {
    return "dropout_mask";
  }

  @Override
  public String attributes() {
    return "p=" + Arithmetic.fmt(p) + ",seed=" + seed;
  }

  @Override
  public void eval(Buffer[] in, Buffer out, EvalContext ctx) {
    if (!ctx.training()) {
      out.fill(1);
      return;
    }
    double keep = 1 / (1 - p);
    for (int i = 0; i < out.size(); i++) out.set(i, Seeds.uniform(seed, ctx.step(), i) < p ? 0 : keep);
  }

  @Override
  public boolean isPure() {
    return false;
  }

  @Override
  public void lower(Lowering l) {
    String out = l.output();
    l.begin("if ($L)", l.training());
    l.begin("for (int i = 0; i < $L; i++)", shape.size());
    l.statement("$L[i] = $T.uniform($LL, $L, i) < $L ? 0f : $Lf", out, Seeds.class, seed, l.step(), p, (float) (1 / (1 - p)));
    l.end();
    l.end();
    l.begin("else");
    l.statement("java.util.Arrays.fill($L, 0, $L, 1f)", out, shape.size());
    l.end();
  }
}
