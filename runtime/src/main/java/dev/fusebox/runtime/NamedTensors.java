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

  public NamedTensors put(String name, FloatTensor tensor) {
    tensors.put(name, tensor);
    return this;
  }

  public FloatTensor get(String name) {
    return tensors.get(name);
  }

  /** The tensor of that name, or an exception that lists the names there are. */
  public FloatTensor require(String name) {
    FloatTensor t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException("no tensor named '" + name + "'; there are " + tensors.keySet());
    }
    return t;
  }

  public boolean contains(String name) {
    return tensors.containsKey(name);
  }

  public Set<String> names() {
    return Collections.unmodifiableSet(tensors.keySet());
  }

  public Map<String, FloatTensor> asMap() {
    return Collections.unmodifiableMap(tensors);
  }

  public int size() {
    return tensors.size();
  }

  /** A deep copy. */
  public NamedTensors copy() {
    NamedTensors c = new NamedTensors();
    tensors.forEach((k, v) -> c.put(k, new FloatTensor(v.shape().clone(), v.data().clone())));
    return c;
  }

  /** The tensors whose names satisfy the filter, in order (shared, not copied). */
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
