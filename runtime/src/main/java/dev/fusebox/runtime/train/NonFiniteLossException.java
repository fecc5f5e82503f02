package dev.fusebox.runtime.train;

/**
 * Thrown by {@link Trainer#fit()} when a step's loss is not finite and the trainer was built to fail
 * on it; carries both where it happened and everything the run did before.
 */
public final class NonFiniteLossException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Where the loss diverged (not serialized, as the message says it). */
  private final transient NonFiniteLoss details;
  /** The run up to the failure (not serialized). */
  private final transient TrainingResult result;

  /**
   * An exception whose message is {@link NonFiniteLoss#message() details.message()}.
   *
   * @param details where the loss diverged
   * @param result the run up to and including the failing step
   */
  public NonFiniteLossException(NonFiniteLoss details, TrainingResult result) {
    super(details.message());
    this.details = details;
    this.result = result;
  }

  /** {@return where the loss diverged} */
  public NonFiniteLoss details() {
    return details;
  }

  /** {@return the run up to the failure: the epochs completed before it, and the steps including the failing one} */
  public TrainingResult result() {
    return result;
  }
}
