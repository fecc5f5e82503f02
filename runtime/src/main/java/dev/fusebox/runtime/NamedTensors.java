package dev.fusebox.runtime;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * An insertion-ordered map from names to tensors: parameters, optimizer state, a parameter file's
 * contents. Mutable while it is being filled; {@link #copy()} gives an independent deep copy.
 */
public final class NamedTensors {
  private final LinkedHashMap<String, FloatTensor> tensors = new LinkedHashMap<>();

  /** An empty map. (Written out, as the implicit constructor it replaces cannot carry a comment.) */
  public NamedTensors() {}

  /**
   * Adds a tensor, replacing one of the same name (which keeps its place in the order).
   *
   * @param name its name
   * @param tensor the tensor, not copied
   * @return this map
   */
  public NamedTensors put(String name, FloatTensor tensor) {
    tensors.put(name, tensor);
    return this;
  }

  /**
   * {@return the tensor of that name, not copied, or null if there is none}
   *
   * @param name its name
   */
  public FloatTensor get(String name) {
    return tensors.get(name);
  }

  /**
   * {@return the tensor of that name, not copied}
   *
   * @param name its name
   * @throws IllegalArgumentException if there is none, listing the names there are
   */
  public FloatTensor require(String name) {
    FloatTensor t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException("no tensor named '" + name + "'; there are " + tensors.keySet());
    }
    return t;
  }

  /**
   * {@return whether there is a tensor of that name}
   *
   * @param name its name
   */
  public boolean contains(String name) {
    return tensors.containsKey(name);
  }

  /** {@return the names, in insertion order, as an unmodifiable view} */
  public Set<String> names() {
    return Collections.unmodifiableSet(tensors.keySet());
  }

  /** {@return the tensors by name, in insertion order, as an unmodifiable view} */
  public Map<String, FloatTensor> asMap() {
    return Collections.unmodifiableMap(tensors);
  }

  /** {@return the number of tensors} */
  public int size() {
    return tensors.size();
  }

  /** {@return a deep copy: new arrays, the same order} */
  public NamedTensors copy() {
    NamedTensors c = new NamedTensors();
    tensors.forEach((k, v) -> c.put(k, new FloatTensor(v.shape().clone(), v.data().clone())));
    return c;
  }

  /**
   * {@return the tensors whose names satisfy the filter, in order (shared, not copied)}
   *
   * @param keep true for the names to keep
   */
  public NamedTensors filter(Predicate<String> keep) {
    NamedTensors c = new NamedTensors();
    tensors.forEach((k, v) -> { if (keep.test(k)) c.put(k, v); });
    return c;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NamedTensors n && tensors.equals(n.tensors);
  }

  @Override
  public int hashCode() {
    return tensors.hashCode();
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("{");
    tensors.forEach((k, v) -> b.append(b.length() > 1 ? ", " : "").append(k).append(v.shapeString()));
    return b.append('}').toString();
  }
}
