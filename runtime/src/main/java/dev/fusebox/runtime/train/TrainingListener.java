package dev.fusebox.runtime.train;

/**
 * Hears about each optimizer step and each finished epoch, and may stop training by returning
 * {@link Decision#STOP}. Both methods do nothing by default, so a listener overrides what it needs.
 *
 * <p>A stop requested from {@link #onStep} ends the epoch after that step; the shortened epoch is still
 * validated, checkpointed and reported, but does not count as the best epoch or towards early stopping
 * (a run resumed from its checkpoint finishes it and counts it then). A listener that throws aborts
 * training with its exception, after the step log is flushed.
 */
public interface TrainingListener {

  /** Whether training goes on. */
  enum Decision {
    /** Go on training. */
    CONTINUE,
    /** End the epoch after this step, or the run after this epoch. */
    STOP
  }

  /**
   * Called after every optimizer step whose loss is finite.
   *
   * @param event the step
   * @return whether to go on; {@link Decision#STOP} ends the epoch after this step
   */
  default Decision onStep(StepEvent event) {
    return Decision.CONTINUE;
  }

  /**
   * Called after every epoch, once it is validated and checkpointed.
   *
   * @param event the epoch
   * @return whether to go on; {@link Decision#STOP} ends the run
   */
  default Decision onEpoch(EpochEvent event) {
    return Decision.CONTINUE;
  }
}
