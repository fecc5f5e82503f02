package dev.fusebox.interp;

import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Node;
import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.NamedTensors;
import java.util.Arrays;
import java.util.List;

/**
 * Validates tensors to be loaded into a program before anything is copied, so that a bad file leaves
 * the program untouched: every name must be a variable, every shape must match, every value finite.
 */
public final class StateCheck {
  private StateCheck() {}

  public static void check(Graph graph, NamedTensors values) {
    for (String name : values.names()) {
      Node node = graph.find(name);
      if (node == null || !node.op().isVariable()) {
        List<String> known = graph.nodes().stream().filter(n -> n.op().isVariable()).map(Node::name).toList();
        throw new IllegalArgumentException("tensor '" + name + "' is not a parameter or state of this program; it has " + known);
      }
      FloatTensor t = values.get(name);
      if (!Arrays.equals(t.shape(), node.shape().dims())) {
        throw new IllegalArgumentException("tensor '" + name + "' has shape " + Arrays.toString(t.shape())
            + ", the program's has " + node.shape());
      }
      float[] d = t.data();
      for (int i = 0; i < d.length; i++) {
        if (!Float.isFinite(d[i])) {
          throw new IllegalArgumentException("tensor '" + name + "' holds " + d[i] + " at index " + i);
        }
      }
    }
  }
}
