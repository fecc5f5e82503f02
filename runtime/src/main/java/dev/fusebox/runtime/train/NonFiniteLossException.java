package dev.fusebox.runtime.train;

/**
 * Thrown by {@link Trainer#fit()} when a step's loss is not finite and the trainer was built to fail
 * on it; carries both where it happened and everything the run did before.
 */
public final class NonFiniteLossException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient NonFiniteLoss details;
  private final transient TrainingResult result;

  public NonFiniteLossException(NonFiniteLoss details, TrainingResult result) {
    super(details.message());
    this.details = details;
    this.result = result;
  }

  public NonFiniteLoss details() {
    return details;
  }

  /** The run up to the failure: the epochs completed before it, and the steps including the failing one. */
  public TrainingResult result() {
    return result;
  }
}
