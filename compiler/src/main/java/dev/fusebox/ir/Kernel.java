package dev.fusebox.ir;

import java.util.List;
import java.util.Locale;

/**
 * A fusion group: nodes computed together by one kernel, in one pass over their data, keeping
 * intermediate values in registers. Members are listed in graph order. A kernel is convex: no path
 * leaves it and comes back, so it can run as one step of the schedule.
 */
public record Kernel(Kind kind, List<Node> nodes) {

  /** What shape of kernel code generation emits for a group, by its main ("hero") op. */
  public enum Kind {
    /** A matmul with an elementwise epilogue: bias, activation, also updates of the result. */
    DENSE,
    /** The backward of a dense layer: activation derivative as prologue, bias gradient, dX and dW, updates. */
    DENSE_BACKWARD,
    /** A loss with its gradient. */
    LOSS,
    /** Elementwise ops over one iteration space, in one loop. */
    ELEMENTWISE,
    /** Any other single op. */
    SINGLE;

    public String text() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public Kernel {
    nodes = List.copyOf(nodes);
    if (nodes.isEmpty()) throw new IllegalArgumentException("a kernel needs at least one node");
  }

  /** The last node in graph order. */
  public Node last() {
    return nodes.get(nodes.size() - 1);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(kind.text()).append(':');
    for (int i = 0; i < nodes.size(); i++) b.append(i == 0 ? " " : ", ").append(nodes.get(i).name());
    return b.toString();
  }
}
