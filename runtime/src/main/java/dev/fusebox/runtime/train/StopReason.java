package dev.fusebox.runtime.train;

/** Why a training run ended. */
public enum StopReason {
  /** It ran all its epochs or steps. */
  COMPLETED,
  /** The validation loss stopped improving for the early-stopping patience. */
  EARLY_STOP,
  /** A step returned a NaN or infinite loss. */
  NON_FINITE_LOSS,
  /** A listener asked to stop. */
  LISTENER
}
