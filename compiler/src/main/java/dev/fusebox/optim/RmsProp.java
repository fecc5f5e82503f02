package dev.fusebox.optim;

import static dev.fusebox.ops.alu.Expr.x;

import dev.fusebox.ir.Node;
import dev.fusebox.ops.alu.Expr;
import java.util.Map;

/**
 * RMSprop as {@code torch.optim.RMSprop} (note PyTorch's default lr 0.01 and α 0.99):
 *
 * <pre>
 * g ← ∇ + weight_decay·p
 * s ← α·s + (1 − α)·g²
 * ḡ ← ḡ + (1 − α)(g − ḡ);  a ← √(s − ḡ²) + ε     if centered
 *                           a ← √s + ε             otherwise
 * b ← momentum·b + g/a;  p ← p − lr·b              if momentum &gt; 0 (b starts at 0)
 * p ← p − lr·g/a                                   otherwise
 * </pre>
 *
 * @param lr the learning rate, not negative (the {@code lr} input's value until a schedule sets it)
 * @param alpha the smoothing constant α, not negative
 * @param eps added to the denominator, not negative
 * @param weightDecay the L2 penalty added to the gradient, not negative
 * @param momentum the momentum factor, not negative; 0 for none
 * @param centered whether to normalise by the estimated variance of the gradient
 */
public record RmsProp(double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered)
    implements Optimizer {

  /**
   * RMSprop with these settings; {@link Optimizer#rmsProp} gives PyTorch's defaults.
   *
   * @param lr the learning rate, not negative (the {@code lr} input's value until a schedule sets it)
   * @param alpha the smoothing constant α, not negative
   * @param eps added to the denominator, not negative
   * @param weightDecay the L2 penalty added to the gradient, not negative
   * @param momentum the momentum factor, not negative; 0 for none
   * @param centered whether to normalise by the estimated variance of the gradient
   * @throws IllegalArgumentException naming the setting that is out of range, as PyTorch's messages do
   */
  public RmsProp {
    Optimizer.check(lr >= 0, "Invalid learning rate", lr);
    Optimizer.check(eps >= 0, "Invalid epsilon value", eps);
    Optimizer.check(alpha >= 0, "Invalid alpha value", alpha);
    Optimizer.check(momentum >= 0, "Invalid momentum value", momentum);
    Optimizer.check(weightDecay >= 0, "Invalid weight_decay value", weightDecay);
  }

  /**
   * Sets the smoothing constant.
   *
   * @param alpha not negative
   * @return a new optimizer; this one is unchanged
   * @throws IllegalArgumentException if {@code alpha} is negative
   */
  public RmsProp withAlpha(double alpha) {
    return new RmsProp(lr, alpha, eps, weightDecay, momentum, centered);
  }

  /**
   * Sets the denominator's epsilon.
   *
   * @param eps not negative
   * @return a new optimizer; this one is unchanged
   * @throws IllegalArgumentException if {@code eps} is negative
   */
  public RmsProp withEps(double eps) {
    return new RmsProp(lr, alpha, eps, weightDecay, momentum, centered);
  }

  /**
   * Sets the L2 penalty added to the gradient.
   *
   * @param weightDecay not negative
   * @return a new optimizer; this one is unchanged
   * @throws IllegalArgumentException if {@code weightDecay} is negative
   */
  public RmsProp withWeightDecay(double weightDecay) {
    return new RmsProp(lr, alpha, eps, weightDecay, momentum, centered);
  }

  /**
   * Sets the momentum factor.
   *
   * @param momentum not negative; 0 for none
   * @return a new optimizer; this one is unchanged
   * @throws IllegalArgumentException if {@code momentum} is negative
   */
  public RmsProp withMomentum(double momentum) {
    return new RmsProp(lr, alpha, eps, weightDecay, momentum, centered);
  }

  /**
   * Turns the centered form on or off.
   *
   * @param centered whether to use it
   * @return a new optimizer; this one is unchanged
   */
  public RmsProp withCentered(boolean centered) {
    return new RmsProp(lr, alpha, eps, weightDecay, momentum, centered);
  }

  @Override
  public String name() {
    return "rmsprop";
  }

  @Override
  public void addUpdates(Updates u) {
    for (Map.Entry<Node, Node> e : u.gradients().entrySet()) {
      Node p = e.getKey(), grad = e.getValue();
      Expr g = weightDecay == 0 ? x(1) : x(1).add(x(0).mul(weightDecay)); // x0 = p, x1 = ∇
      Node s = u.state(p, "square_avg", 0);
      Node sNext = u.compute(s.name() + ".next", "rmsprop_square_avg", x(2).mul(alpha).add(g.mul(g).mul(1 - alpha)), p, grad, s);
      u.set(s, sNext);
      Node avgInput = sNext;
      Expr avg = x(2).sqrt().add(eps); // over x2 = s'
      Node gAvgNext = null;
      if (centered) {
        Node gAvg = u.state(p, "grad_avg", 0);
        gAvgNext = u.compute(gAvg.name() + ".next", "rmsprop_grad_avg", x(2).add(g.sub(x(2)).mul(1 - alpha)), p, grad, gAvg);
        u.set(gAvg, gAvgNext);
        avg = x(2).sub(x(3).square()).sqrt().add(eps); // x2 = s', x3 = ḡ'
      }
      Node[] base = centered ? new Node[] {p, grad, avgInput, gAvgNext} : new Node[] {p, grad, avgInput};
      int lrIndex = base.length;
      if (momentum > 0) {
        Node b = u.state(p, "momentum_buffer", 0);
        Node[] in = append(base, b);
        Node bNext = u.compute(b.name() + ".next", "rmsprop_momentum", x(lrIndex).mul(momentum).add(g.div(avg)), in);
        u.set(b, bNext);
        u.set(p, u.compute(p.name() + ".next", "rmsprop_param", x(0).sub(x(2).mul(x(1))), p, bNext, u.lr()));
      } else {
        u.set(p, u.compute(p.name() + ".next", "rmsprop_param", x(0).sub(x(lrIndex).mul(g).div(avg)), append(base, u.lr())));
      }
    }
  }

  private static Node[] append(Node[] a, Node b) {
    Node[] out = java.util.Arrays.copyOf(a, a.length + 1);
    out[a.length] = b;
    return out;
  }
}
