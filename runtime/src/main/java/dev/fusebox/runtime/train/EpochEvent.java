package dev.fusebox.runtime.train;

/**
 * A finished epoch, as a listener sees it.
 *
 * @param stats the epoch's losses and metrics
 * @param epochs how many epochs the run plans in all
 * @param best whether this epoch is the best so far (lowest validation loss, or training loss
 *     without validation data); never for an epoch cut short
 */
public record EpochEvent(EpochStats stats, int epochs, boolean best) {}
