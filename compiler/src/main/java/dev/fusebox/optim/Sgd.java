package dev.fusebox.optim;

import static dev.fusebox.ops.alu.Expr.select;
import static dev.fusebox.ops.alu.Expr.x;

import dev.fusebox.ir.Node;
import dev.fusebox.ops.alu.Expr;
import java.util.Map;

/**
 * Stochastic gradient descent as {@code torch.optim.SGD}:
 *
 * <pre>
 * g ← ∇ + weight_decay·p
 * if momentum ≠ 0:  b ← g in the first step, else momentum·b + (1 − dampening)·g
 *                   g ← g + momentum·b if nesterov, else b
 * p ← p − lr·g
 * </pre>
 *
 * @param lr the learning rate, not negative (the {@code lr} input's value until a schedule sets it)
 * @param momentum the momentum factor, not negative; 0 for none
 * @param dampening dampening of the momentum
 * @param weightDecay the L2 penalty added to the gradient, not negative
 * @param nesterov whether to use Nesterov momentum (which needs a momentum and zero dampening)
 */
public record Sgd(double lr, double momentum, double dampening, double weightDecay, boolean nesterov) implements Optimizer {

  /**
   * SGD with these settings; {@link Optimizer#sgd} gives PyTorch's defaults.
   *
   * @param lr the learning rate, not negative (the {@code lr} input's value until a schedule sets it)
   * @param momentum the momentum factor, not negative; 0 for none
   * @param dampening dampening of the momentum
   * @param weightDecay the L2 penalty added to the gradient, not negative
   * @param nesterov whether to use Nesterov momentum (which needs a momentum and zero dampening)
   * @throws IllegalArgumentException naming the setting that is out of range, as PyTorch's messages do
   */
  public Sgd {
    Optimizer.check(lr >= 0, "Invalid learning rate", lr);
    Optimizer.check(momentum >= 0, "Invalid momentum value", momentum);
    Optimizer.check(weightDecay >= 0, "Invalid weight_decay value", weightDecay);
    if (nesterov && (momentum <= 0 || dampening != 0)) {
      throw new IllegalArgumentException("Nesterov momentum requires a momentum and zero dampening");
    }
  }

  /**
   * Sets the momentum factor.
   *
   * @param momentum not negative; 0 for none
   * @return a new optimizer; this one is unchanged
   * @throws IllegalArgumentException if {@code momentum} is negative, or 0 with Nesterov momentum on
   */
  public Sgd withMomentum(double momentum) {
    return new Sgd(lr, momentum, dampening, weightDecay, nesterov);
  }

  /**
   * Turns Nesterov momentum on or off; set a momentum first.
   *
   * @param nesterov whether to use it
   * @return a new optimizer; this one is unchanged
   * @throws IllegalArgumentException if {@code nesterov} is true and the momentum is 0 or the dampening is not
   */
  public Sgd withNesterov(boolean nesterov) {
    return new Sgd(lr, momentum, dampening, weightDecay, nesterov);
  }

  /**
   * Sets the dampening of the momentum.
   *
   * @param dampening the dampening, 0 for none
   * @return a new optimizer; this one is unchanged
   * @throws IllegalArgumentException if Nesterov momentum is on and {@code dampening} is not 0
   */
  public Sgd withDampening(double dampening) {
    return new Sgd(lr, momentum, dampening, weightDecay, nesterov);
  }

  /**
   * Sets the L2 penalty added to the gradient.
   *
   * @param weightDecay not negative
   * @return a new optimizer; this one is unchanged
   * @throws IllegalArgumentException if {@code weightDecay} is negative
   */
  public Sgd withWeightDecay(double weightDecay) {
    return new Sgd(lr, momentum, dampening, weightDecay, nesterov);
  }

  @Override
  public String name() {
    return "sgd";
  }

  @Override
  public void addUpdates(Updates u) {
    for (Map.Entry<Node, Node> e : u.gradients().entrySet()) {
      Node p = e.getKey();
      // x0 = p, x1 = ∇, then per case.
      Expr g = weightDecay == 0 ? x(1) : x(1).add(x(0).mul(weightDecay));
      if (momentum == 0) {
        u.set(p, u.compute(p.name() + ".next", "sgd_param", x(0).sub(x(2).mul(g)), p, e.getValue(), u.lr()));
        continue;
      }
      Node buf = u.state(p, "momentum_buffer", 0);
      // x2 = b, x3 = t. With no dampening, momentum·0 + g is exactly g, so the first step needs no test.
      Expr next = x(2).mul(momentum).add(dampening == 0 ? g : g.mul(1 - dampening));
      Expr b = dampening == 0 ? next : select(x(3).gt(1), next, g);
      Node bufNext = dampening == 0
          ? u.compute(buf.name() + ".next", "sgd_momentum", b, p, e.getValue(), buf)
          : u.compute(buf.name() + ".next", "sgd_momentum", b, p, e.getValue(), buf, u.step());
      u.set(buf, bufNext);
      // x2 = b', x3 = lr
      Expr d = nesterov ? g.add(x(2).mul(momentum)) : x(2);
      u.set(p, u.compute(p.name() + ".next", "sgd_param", x(0).sub(x(3).mul(d)), p, e.getValue(), bufNext, u.lr()));
    }
  }
}
