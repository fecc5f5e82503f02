package dev.fusebox.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A fusion group: the stages one kernel runs, in order, each a pass over its data (see {@link Stage}).
 * The kind names the group's shape for reports and generated method names; the stages are what code
 * generation and memory planning read.
 */
public record Kernel(Kind kind, List<Stage> stages) {

  /** What a kernel is for, by its main ("hero") op. */
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
    stages = List.copyOf(stages);
    if (stages.isEmpty()) throw new IllegalArgumentException("a kernel needs at least one stage");
  }

  /** A kernel of one stage. */
  public static Kernel of(Kind kind, Stage stage) {
    return new Kernel(kind, List.of(stage));
  }

  /** Every node the kernel computes, stage by stage. */
  public List<Node> nodes() {
    List<Node> all = new ArrayList<>();
    for (Stage s : stages) all.addAll(s.nodes());
    return all;
  }

  /** {@code dense: matmul(xw; z, a)}: the kernel as the plan prints it (and the text IR reads it back). */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(kind.text()).append(':');
    for (Stage s : stages) b.append(' ').append(s.text());
    return b.toString();
  }
}
