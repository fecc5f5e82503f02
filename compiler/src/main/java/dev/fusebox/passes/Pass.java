package dev.fusebox.passes;

import dev.fusebox.ir.Graph;

/**
 * A pure function from graph to graph. A pass returns its input instance when it changes nothing, so
 * "changed" is plain reference inequality, and must be idempotent: applying it to its own output
 * changes nothing.
 */
public interface Pass {

  /** Short snake_case name, as used by {@code fusebox.passes.disable} and in debug output. */
  String name();

  Graph apply(Graph graph, PassContext context);
}
