package dev.fusebox.runtime.train;

/**
 * One optimizer step, as a listener sees it.
 *
 * @param epoch the epoch, counting from 1
 * @param step the step, counting from 1 across epochs
 * @param batch the batch within the epoch, counting from 1
 * @param loss the batch loss the step returned, computed before the update
 * @param lr the learning rate the step ran at, or NaN if the program has no {@code lr} input
 * @param validRows how many rows of the batch were real data
 * @param nanos wall time of the step, including copying the batch into the program
 */
public record StepEvent(int epoch, long step, int batch, float loss, double lr, int validRows, long nanos) {}
