package dev.fusebox.runtime;

import java.util.Arrays;
import java.util.Locale;

/**
 * Name, shape and kind of a program input. For {@link InputKind#LABELS} the shape is {@code [batch]}
 * and {@code classes} is the number of classes; otherwise {@code classes} is 0.
 *
 * @param name the name {@link Program#setInput} and {@link Program#setLabels} take
 * @param shape its dimensions, {@code [batch, n]} for rows of data, {@code [1]} for a scalar
 * @param kind what it holds
 * @param classes the class count of a labels input, else 0
 */
public record InputSpec(String name, int[] shape, InputKind kind, int classes) {

  /**
   * An input spec; the shape is copied.
   *
   * @param name the name {@link Program#setInput} and {@link Program#setLabels} take
   * @param shape its dimensions, {@code [batch, n]} for rows of data, {@code [1]} for a scalar
   * @param kind what it holds
   * @param classes the class count of a labels input, else 0
   */
  public InputSpec {
    shape = shape.clone();
  }

  /** {@return a copy of the input's dimensions} */
  @Override
  public int[] shape() {
    return shape.clone();
  }

  /** {@return the number of values (for labels, the number of rows)} */
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
