package dev.fusebox.optim;

/**
 * An optimizer, expressed as graph nodes: for each parameter it adds its state variables and the
 * nodes computing the parameter's and the state's values after a step, and declares them as updates.
 * Being part of the graph, the update can be fused into the pass that finishes each gradient.
 * Every implementation follows PyTorch's defaults and update order (see each class), and like
 * {@code torch.optim} it only sees parameters a gradient reaches: a parameter the loss does not depend
 * on is left exactly as it is (no weight decay, no state), see {@link TrainingGraph}.
 *
 * <p>Create one with the factory of its name, which has PyTorch's defaults, and change a default with
 * the record's {@code with...} methods: {@code Optimizer.sgd(0.1).withMomentum(0.9).withNesterov(true)},
 * {@code Optimizer.adamW(1e-3).withWeightDecay(0.05)}.
 */
public interface Optimizer {

  /**
   * SGD as {@code torch.optim.SGD}: no momentum, dampening or weight decay.
   *
   * @param lr the learning rate, not negative
   * @return the optimizer
   * @throws IllegalArgumentException if {@code lr} is negative
   */
  static Sgd sgd(double lr) {
    return new Sgd(lr, 0, 0, 0, false);
  }

  /**
   * Adam as {@code torch.optim.Adam}: betas (0.9, 0.999), eps 1e-8, no weight decay, no AMSGrad.
   *
   * @param lr the learning rate, not negative
   * @return the optimizer
   * @throws IllegalArgumentException if {@code lr} is negative
   */
  static Adam adam(double lr) {
    return new Adam(lr, 0.9, 0.999, 1e-8, 0, false, false);
  }

  /**
   * AdamW as {@code torch.optim.AdamW}: betas (0.9, 0.999), eps 1e-8, weight decay 0.01, no AMSGrad.
   *
   * @param lr the learning rate, not negative
   * @return the optimizer
   * @throws IllegalArgumentException if {@code lr} is negative
   */
  static Adam adamW(double lr) {
    return new Adam(lr, 0.9, 0.999, 1e-8, 0.01, false, true);
  }

  /**
   * RMSprop as {@code torch.optim.RMSprop}: α 0.99, eps 1e-8, no weight decay, no momentum, not centered.
   *
   * @param lr the learning rate, not negative
   * @return the optimizer (PyTorch's default is 0.01)
   * @throws IllegalArgumentException if {@code lr} is negative
   */
  static RmsProp rmsProp(double lr) {
    return new RmsProp(lr, 0.99, 1e-8, 0, 0, false);
  }

  /**
   * Adagrad as {@code torch.optim.Adagrad}: no lr decay or weight decay, initial accumulator 0, eps 1e-10.
   *
   * @param lr the learning rate, not negative
   * @return the optimizer (PyTorch's default is 0.01)
   * @throws IllegalArgumentException if {@code lr} is negative
   */
  static Adagrad adagrad(double lr) {
    return new Adagrad(lr, 0, 0, 0, 1e-10);
  }

  /** {@return the optimizer's name in spec files: {@code sgd}, {@code adam}, {@code adamw}, {@code rmsprop} or {@code adagrad}} */
  String name();

  /** {@return the initial learning rate (the {@code lr} input's value until a schedule changes it)} */
  double lr();

  /**
   * Adds state and updates for every parameter in {@code u}; {@link TrainingGraph} calls it.
   *
   * @param u the graph under construction, the gradients, the learning rate and the step
   */
  void addUpdates(Updates u);

  /**
   * The implementations' check of a setting (public only because interface methods are).
   *
   * @param ok whether the setting is valid
   * @param message what is wrong, without the value
   * @param value the setting
   * @throws IllegalArgumentException {@code message: value} unless {@code ok}
   */
  static void check(boolean ok, String message, double value) {
    if (!ok) throw new IllegalArgumentException(message + ": " + value);
  }
}
