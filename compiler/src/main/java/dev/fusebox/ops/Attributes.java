package dev.fusebox.ops;

import dev.fusebox.ir.Shape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An op's attributes as the text IR writes them after its name ({@code gamma=0.01}, {@code transA,transB},
 * {@code labels,classes=3}), with the shape of the node they were printed on: what a
 * {@link Catalogue} entry rebuilds its op from. A key without {@code =} holds "".
 */
public final class Attributes {
  private final String text;
  private final Map<String, String> values;
  private final Shape shape;

  /** {@code text} as printed, {@code values} its keys in order, {@code shape} the node's. */
  public Attributes(String text, Map<String, String> values, Shape shape) {
    this.text = text;
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    this.shape = shape;
  }

  /** The attributes as printed, for ops whose attributes are one value (an initialiser, a constant's values). */
  public String text() {
    return text;
  }

  /** The shape of the node the op computes. */
  public Shape shape() {
    return shape;
  }

  public boolean has(String key) {
    return values.containsKey(key);
  }

  /** The first key, for attributes that start with a bare word ({@code labels,classes=3}). */
  public String first() {
    return values.isEmpty() ? "" : values.keySet().iterator().next();
  }

  public String text(String key) {
    String v = values.get(key);
    if (v == null) throw new IllegalArgumentException("missing attribute '" + key + "'");
    return v;
  }

  public double number(String key) {
    String v = text(key);
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("attribute '" + key + "': '" + v + "' is not a number");
    }
  }

  public double number(String key, double fallback) {
    return has(key) ? number(key) : fallback;
  }

  public int integer(String key) {
    double v = number(key);
    if (v != (int) v) throw new IllegalArgumentException("attribute '" + key + "': '" + text(key) + "' is not an integer");
    return (int) v;
  }

  public long longInteger(String key) {
    String v = text(key);
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("attribute '" + key + "': '" + v + "' is not an integer");
    }
  }

  /** A shape attribute such as {@code to=[2, 3]}. */
  public Shape shape(String key) {
    return Shape.parse(text(key));
  }
}
