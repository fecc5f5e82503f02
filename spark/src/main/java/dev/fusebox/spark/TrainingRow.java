package dev.fusebox.spark;

import java.io.Serializable;

/**
 * One row of training data as it travels to the worker that uses it in an epoch: its position in the
 * epoch's order (which decides its global batch and micro-batch), its features (standardised if asked)
 * and its label, a class index or a target.
 */
record TrainingRow(int position, float[] features, float label) implements Serializable {
  private static final long serialVersionUID = 1L;
}
