package dev.fusebox.runtime.io;

import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.NamedTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * A separate JVM that writes model pairs, for the tests that kill a writer or run several at once:
 * {@code FILE FIRST COUNT SIZE} writes COUNT pairs, the i-th with every value FIRST + i.
 */
public final class PairWriterMain {
  private PairWriterMain() {}

  public static void main(String[] args) throws IOException {
    Path file = Path.of(args[0]);
    int first = Integer.parseInt(args[1]);
    int count = Integer.parseInt(args[2]);
    int size = Integer.parseInt(args[3]);
    for (int i = 0; i < count; i++) write(file, first + i, size);
  }

  /** The pair whose every parameter and state value is {@code value}. */
  static void write(Path file, int value, int size) throws IOException {
    ModelFiles.write(file, tensors("w", value, size), tensors("w.exp_avg", value, size), Map.of("value", Integer.toString(value)),
        Map.of("step", Integer.toString(value)));
  }

  static NamedTensors tensors(String name, int value, int size) {
    float[] data = new float[size];
    Arrays.fill(data, value);
    return new NamedTensors().put(name, new FloatTensor(new int[] {size}, data));
  }
}
