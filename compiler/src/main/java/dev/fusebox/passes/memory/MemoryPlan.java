package dev.fusebox.passes.memory;

import dev.fusebox.ir.Node;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Where every value of a scheduled graph lives during a step. Sources (inputs, variables, constants)
 * have their own storage; a value a kernel keeps to itself lives in registers; every other value (read
 * by another kernel, an output, or an update) is stored in one of {@link #buffers}, shared with values
 * whose lifetimes do not overlap, or written straight into the variable it updates ({@link #inPlace}).
 *
 * @param buffers scratch buffers: capacity in floats and the values stored in each, in schedule order
 * @param bufferOf stored value → index into buffers
 * @param inPlace update value → the variable whose storage it is written into
 * @param inRegisters computed values no buffer holds
 * @param unplannedBuffers without fusion or reuse, one buffer per computed node (as the interpreter has)
 * @param unplannedBytes their total size
 */
public record MemoryPlan(List<Slot> buffers, Map<Node, Integer> bufferOf, Map<Node, Node> inPlace, List<Node> inRegisters,
    int unplannedBuffers, long unplannedBytes) {

  /** One scratch buffer: its size and the values stored in it, in schedule order. */
  public record Slot(int capacity, List<Node> values) {}

  public MemoryPlan {
    buffers = List.copyOf(buffers);
    bufferOf = Collections.unmodifiableMap(bufferOf);
    inPlace = Collections.unmodifiableMap(inPlace);
    inRegisters = List.copyOf(inRegisters);
  }

  /** Bytes of scratch memory after planning. */
  public long plannedBytes() {
    return buffers.stream().mapToLong(s -> 4L * s.capacity()).sum();
  }

  /** One line: buffers and bytes before and after planning. */
  public String summary() {
    return String.format("memory: %d buffers (%s) before planning, %d buffers (%s) after; %d values in registers, "
        + "%d updates in place", unplannedBuffers, bytes(unplannedBytes), buffers.size(), bytes(plannedBytes()),
        inRegisters.size(), inPlace.size());
  }

  /** The summary, then every buffer with the values it holds, then the in-place updates. */
  public String report() {
    StringBuilder b = new StringBuilder(summary()).append('\n');
    for (int i = 0; i < buffers.size(); i++) {
      Slot s = buffers.get(i);
      b.append(String.format("buffer %d: %d floats: %s%n", i, s.capacity(),
          String.join(", ", s.values().stream().map(n -> n.name() + n.shape()).toList())));
    }
    inPlace.forEach((value, variable) -> b.append("in place: ").append(value.name()).append(" -> ").append(variable.name()).append('\n'));
    if (!inRegisters.isEmpty()) {
      b.append("in registers: ").append(String.join(", ", inRegisters.stream().map(Node::name).toList())).append('\n');
    }
    return b.toString();
  }

  static String bytes(long b) {
    return b < 10_000 ? b + " B" : b < 10_000_000 ? (b + 512) / 1024 + " KiB" : (b + (1 << 19)) / (1 << 20) + " MiB";
  }
}
