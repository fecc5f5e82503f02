package dev.fusebox.runtime.data;

/** How to read a data file's label column. */
public enum LabelKind {
  /** Integer class labels {@code 0..k-1}, for classification. */
  CLASS,
  /** A float target value, for regression. */
  TARGET
}
