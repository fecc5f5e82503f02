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
 */
public record Sgd(double lr, double momentum, double dampening, double weightDecay, boolean nesterov) implements Optimizer {

  public Sgd {
    Optimizer.check(lr >= 0, "Invalid learning rate", lr);
    Optimizer.check(momentum >= 0, "Invalid momentum value", momentum);
    Optimizer.check(weightDecay >= 0, "Invalid weight_decay value", weightDecay);
    if (nesterov && (momentum <= 0 || dampening != 0)) {
      throw new IllegalArgumentException("Nesterov momentum requires a momentum and zero dampening");
    }
  }

  public Sgd withMomentum(double momentum) {
    return new Sgd(lr, momentum, dampening, weightDecay, nesterov);
  }

  public Sgd withNesterov(boolean nesterov) {
    return new Sgd(lr, momentum, dampening, weightDecay, nesterov);
  }

  public Sgd withDampening(double dampening) {
    return new Sgd(lr, momentum, dampening, weightDecay, nesterov);
  }

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
