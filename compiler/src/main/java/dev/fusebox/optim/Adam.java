package dev.fusebox.optim;

import static dev.fusebox.ops.alu.Expr.c;
import static dev.fusebox.ops.alu.Expr.x;

import dev.fusebox.ir.Node;
import dev.fusebox.ops.alu.Expr;
import java.util.Map;

/**
 * Adam as {@code torch.optim.Adam}, and AdamW ({@code decoupled}) as {@code torch.optim.AdamW}:
 *
 * <pre>
 * p ← p·(1 − lr·weight_decay)             AdamW only
 * g ← ∇ + weight_decay·p                   Adam only
 * m ← m + (1 − β₁)(g − m)                  (PyTorch's lerp)
 * v ← β₂·v + (1 − β₂)·g²
 * v̂ ← max(v̂, v) if amsgrad, else v
 * p ← p − lr/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε)
 * </pre>
 *
 * with m and v starting at 0 and t counting steps from 1. AdamW's default weight decay is 0.01.
 *
 * @param lr the learning rate, not negative (the {@code lr} input's value until a schedule sets it)
 * @param beta1 the decay of the first moment, in {@code [0, 1)}
 * @param beta2 the decay of the second moment, in {@code [0, 1)}
 * @param eps added to the denominator, not negative
 * @param weightDecay the weight decay, not negative: an L2 penalty on the gradient (Adam) or a shrink of the parameter (AdamW)
 * @param amsgrad whether to use the largest second moment so far (AMSGrad)
 * @param decoupled AdamW's decoupled weight decay rather than Adam's
 */
public record Adam(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad, boolean decoupled)
    implements Optimizer {

  /**
   * Adam or AdamW with these settings; {@link Optimizer#adam} and {@link Optimizer#adamW} give PyTorch's defaults.
   *
   * @param lr the learning rate, not negative (the {@code lr} input's value until a schedule sets it)
   * @param beta1 the decay of the first moment, in {@code [0, 1)}
   * @param beta2 the decay of the second moment, in {@code [0, 1)}
   * @param eps added to the denominator, not negative
   * @param weightDecay the weight decay, not negative: an L2 penalty on the gradient (Adam) or a shrink of the parameter (AdamW)
   * @param amsgrad whether to use the largest second moment so far (AMSGrad)
   * @param decoupled AdamW's decoupled weight decay rather than Adam's
   * @throws IllegalArgumentException naming the setting that is out of range, as PyTorch's messages do
   */
  public Adam {
    Optimizer.check(lr >= 0, "Invalid learning rate", lr);
    Optimizer.check(eps >= 0, "Invalid epsilon value", eps);
    Optimizer.check(beta1 >= 0 && beta1 < 1, "Invalid beta parameter at index 0", beta1);
    Optimizer.check(beta2 >= 0 && beta2 < 1, "Invalid beta parameter at index 1", beta2);
    Optimizer.check(weightDecay >= 0, "Invalid weight_decay value", weightDecay);
  }

  /**
   * Sets the moment decays.
   *
   * @param beta1 the first moment's, in {@code [0, 1)}
   * @param beta2 the second moment's, in {@code [0, 1)}
   * @return a new optimizer; this one is unchanged
   * @throws IllegalArgumentException if a beta is outside {@code [0, 1)}
   */
  public Adam withBetas(double beta1, double beta2) {
    return new Adam(lr, beta1, beta2, eps, weightDecay, amsgrad, decoupled);
  }

  /**
   * Sets the denominator's epsilon.
   *
   * @param eps not negative
   * @return a new optimizer; this one is unchanged
   * @throws IllegalArgumentException if {@code eps} is negative
   */
  public Adam withEps(double eps) {
    return new Adam(lr, beta1, beta2, eps, weightDecay, amsgrad, decoupled);
  }

  /**
   * Sets the weight decay (coupled for Adam, decoupled for AdamW).
   *
   * @param weightDecay not negative
   * @return a new optimizer; this one is unchanged
   * @throws IllegalArgumentException if {@code weightDecay} is negative
   */
  public Adam withWeightDecay(double weightDecay) {
    return new Adam(lr, beta1, beta2, eps, weightDecay, amsgrad, decoupled);
  }

  /**
   * Turns AMSGrad on or off.
   *
   * @param amsgrad whether to use it
   * @return a new optimizer; this one is unchanged
   */
  public Adam withAmsgrad(boolean amsgrad) {
    return new Adam(lr, beta1, beta2, eps, weightDecay, amsgrad, decoupled);
  }

  @Override
  public String name() {
    return decoupled ? "adamw" : "adam";
  }

  @Override
  public void addUpdates(Updates u) {
    // Bias corrections 1 − βᵗ = 1 − e^(t·ln β), once per step for all parameters.
    Node bc1 = u.scalar(name() + ".bias_correction1", c(1).sub(x(0).mul(Math.log(beta1)).exp()));
    Node bc2 = u.scalar(name() + ".bias_correction2", c(1).sub(x(0).mul(Math.log(beta2)).exp()));
    for (Map.Entry<Node, Node> e : u.gradients().entrySet()) {
      Node p = e.getKey(), grad = e.getValue();
      // x0 = p, x1 = ∇, x2 = the state being updated.
      Expr g = decoupled || weightDecay == 0 ? x(1) : x(1).add(x(0).mul(weightDecay));
      Node m = u.state(p, "exp_avg", 0), v = u.state(p, "exp_avg_sq", 0);
      Node mNext = u.compute(m.name() + ".next", name() + "_exp_avg", x(2).add(g.sub(x(2)).mul(1 - beta1)), p, grad, m);
      Node vNext = u.compute(v.name() + ".next", name() + "_exp_avg_sq", x(2).mul(beta2).add(g.mul(g).mul(1 - beta2)), p, grad, v);
      u.set(m, mNext);
      u.set(v, vNext);
      Node second = vNext;
      if (amsgrad) {
        Node vMax = u.state(p, "max_exp_avg_sq", 0);
        second = u.compute(vMax.name() + ".next", name() + "_max_exp_avg_sq", x(0).max(x(1)), vMax, vNext);
        u.set(vMax, second);
      }
      // x0 = p, x1 = m', x2 = v̂', x3 = lr, x4 = 1 − β₁ᵗ, x5 = 1 − β₂ᵗ
      Expr base = decoupled && weightDecay != 0 ? x(0).mul(c(1).sub(x(3).mul(weightDecay))) : x(0);
      Expr denom = x(2).sqrt().div(x(5).sqrt()).add(eps);
      Expr next = base.sub(x(3).div(x(4)).mul(x(1)).div(denom));
      u.set(p, u.compute(p.name() + ".next", name() + "_param", next, p, mNext, second, u.lr(), bc1, bc2));
    }
  }
}
