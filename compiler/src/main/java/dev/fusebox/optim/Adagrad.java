package dev.fusebox.optim;

import static dev.fusebox.ops.alu.Expr.c;
import static dev.fusebox.ops.alu.Expr.x;

import dev.fusebox.ir.Node;
import dev.fusebox.ops.alu.Expr;
import java.util.Map;

/**
 * Adagrad as {@code torch.optim.Adagrad} (PyTorch's default lr 0.01, ε 1e-10):
 *
 * <pre>
 * g ← ∇ + weight_decay·p
 * η ← lr / (1 + (t − 1)·lr_decay)
 * s ← s + g²                                 (s starts at initial_accumulator_value)
 * p ← p − η·g / (√s + ε)
 * </pre>
 *
 * @param lr the learning rate, not negative (the {@code lr} input's value until a schedule sets it)
 * @param lrDecay the learning-rate decay per step, not negative
 * @param weightDecay the L2 penalty added to the gradient, not negative
 * @param initialAccumulator the starting value of the sum of squared gradients, not negative
 * @param eps added to the denominator, not negative
 */
public record Adagrad(double lr, double lrDecay, double weightDecay, double initialAccumulator, double eps) implements Optimizer {

  /**
   * Adagrad with these settings; {@link Optimizer#adagrad} gives PyTorch's defaults.
   *
   * @param lr the learning rate, not negative (the {@code lr} input's value until a schedule sets it)
   * @param lrDecay the learning-rate decay per step, not negative
   * @param weightDecay the L2 penalty added to the gradient, not negative
   * @param initialAccumulator the starting value of the sum of squared gradients, not negative
   * @param eps added to the denominator, not negative
   * @throws IllegalArgumentException naming the setting that is out of range, as PyTorch's messages do
   */
  public Adagrad {
    Optimizer.check(lr >= 0, "Invalid learning rate", lr);
    Optimizer.check(lrDecay >= 0, "Invalid lr_decay value", lrDecay);
    Optimizer.check(weightDecay >= 0, "Invalid weight_decay value", weightDecay);
    Optimizer.check(initialAccumulator >= 0, "Invalid initial_accumulator_value value", initialAccumulator);
    Optimizer.check(eps >= 0, "Invalid epsilon value", eps);
  }

  /**
   * Sets the learning-rate decay.
   *
   * @param lrDecay not negative
   * @return a new optimizer; this one is unchanged
   * @throws IllegalArgumentException if {@code lrDecay} is negative
   */
  public Adagrad withLrDecay(double lrDecay) {
    return new Adagrad(lr, lrDecay, weightDecay, initialAccumulator, eps);
  }

  /**
   * Sets the L2 penalty added to the gradient.
   *
   * @param weightDecay not negative
   * @return a new optimizer; this one is unchanged
   * @throws IllegalArgumentException if {@code weightDecay} is negative
   */
  public Adagrad withWeightDecay(double weightDecay) {
    return new Adagrad(lr, lrDecay, weightDecay, initialAccumulator, eps);
  }

  /**
   * Sets the starting value of the sum of squared gradients.
   *
   * @param value not negative
   * @return a new optimizer; this one is unchanged
   * @throws IllegalArgumentException if {@code value} is negative
   */
  public Adagrad withInitialAccumulator(double value) {
    return new Adagrad(lr, lrDecay, weightDecay, value, eps);
  }

  /**
   * Sets the denominator's epsilon.
   *
   * @param eps not negative
   * @return a new optimizer; this one is unchanged
   * @throws IllegalArgumentException if {@code eps} is negative
   */
  public Adagrad withEps(double eps) {
    return new Adagrad(lr, lrDecay, weightDecay, initialAccumulator, eps);
  }

  @Override
  public String name() {
    return "adagrad";
  }

  @Override
  public void addUpdates(Updates u) {
    Node decay = u.scalar("adagrad.lr_decay_factor", c(1).add(x(0).sub(1).mul(lrDecay))); // over x0 = t
    for (Map.Entry<Node, Node> e : u.gradients().entrySet()) {
      Node p = e.getKey(), grad = e.getValue();
      Expr g = weightDecay == 0 ? x(1) : x(1).add(x(0).mul(weightDecay)); // x0 = p, x1 = ∇
      Node s = u.state(p, "sum", initialAccumulator);
      Node sNext = u.compute(s.name() + ".next", "adagrad_sum", x(2).add(g.mul(g)), p, grad, s);
      u.set(s, sNext);
      // x2 = s', x3 = lr, x4 = 1 + (t − 1)·lr_decay
      Expr next = x(0).sub(x(3).div(x(4)).mul(g).div(x(2).sqrt().add(eps)));
      u.set(p, u.compute(p.name() + ".next", "adagrad_param", next, p, grad, sNext, u.lr(), decay));
    }
  }
}
