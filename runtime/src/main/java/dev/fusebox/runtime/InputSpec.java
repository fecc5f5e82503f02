package dev.fusebox.runtime;

import java.util.Arrays;
import java.util.Locale;

/**
 * Name, shape and kind of a program input. For {@link InputKind#LABELS} the shape is {@code [batch]}
 * and {@code classes} is the number of classes; otherwise {@code classes} is 0.
 */
public record InputSpec(String name, int[] shape, InputKind kind, int classes) {

  public InputSpec {
    shape = shape.clone();
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  /** Number of values (for labels, number of rows). */
  public int size() {
    int n = 1;
    for (int d : shape) n *= d;
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InputSpec s && name.equals(s.name) && Arrays.equals(shape, s.shape)
        && kind == s.kind && classes == s.classes;
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape) + " " + kind.name().toLowerCase(Locale.ROOT)
        + (kind == InputKind.LABELS ? " (" + classes + " classes)" : "");
  }
}
