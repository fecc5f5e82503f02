package dev.fusebox.runtime;

/** What an input holds; trainers use it to route a data set's columns to the right input. */
public enum InputKind {
  /** Float features, one row per example. */
  FEATURES,
  /** Float regression targets, one row per example. */
  TARGETS,
  /** One-hot class targets as floats, one row per example. */
  ONE_HOT,
  /** Integer class labels, one per example. */
  LABELS,
  /** A scalar set between steps, such as the learning rate. */
  SCALAR,
  /** A whole tensor set between steps, such as a gradient summed over micro-batches: no row is an example. */
  GRADIENT
}
