package dev.fusebox.optim;

/**
 * An optimizer, expressed as graph nodes: for each parameter it adds its state variables and the
 * nodes computing the parameter's and the state's values after a step, and declares them as updates.
 * Being part of the graph, the update can be fused into the pass that finishes each gradient.
 * Every implementation follows PyTorch's defaults and update order (see each class), and like
 * {@code torch.optim} it only sees parameters a gradient reaches: a parameter the loss does not depend
 * on is left exactly as it is (no weight decay, no state), see {@link TrainingGraph}.
 */
public interface Optimizer {

  /** {@code sgd}, {@code adam}, {@code adamw}, {@code rmsprop} or {@code adagrad}. */
  String name();

  /** The initial learning rate (the {@code lr} input's value until a schedule changes it). */
  double lr();

  /** Adds state and updates for every parameter in {@code u}. */
  void addUpdates(Updates u);

  static void check(boolean ok, String message, double value) {
    if (!ok) throw new IllegalArgumentException(message + ": " + value);
  }
}
