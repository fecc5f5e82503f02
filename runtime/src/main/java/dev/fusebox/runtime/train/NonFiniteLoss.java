package dev.fusebox.runtime.train;

/**
 * Where training diverged: the step whose loss was NaN or infinite, and the program's account of the
 * first node that held a non-finite value.
 *
 * @param epoch the epoch, counting from 1
 * @param step the step, counting from 1 across epochs
 * @param loss the loss the step returned
 * @param diagnostic {@link dev.fusebox.runtime.Program#firstNonFinite()} after the step, or null if
 *     the program found no non-finite node
 */
public record NonFiniteLoss(int epoch, long step, float loss, String diagnostic) {

  /** {@return one line saying where, for example {@code loss is NaN at epoch 3, step 412: add 'layers.0.z' (#5) ... produced NaN at [3, 17]}} */
  public String message() {
    return "loss is " + loss + " at epoch " + epoch + ", step " + step + ": "
        + (diagnostic != null ? diagnostic : "the program reports no non-finite node");
  }
}
