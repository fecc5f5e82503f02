package dev.fusebox.runtime.train;

import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.InputKind;
import dev.fusebox.runtime.InputSpec;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The combining half of data-parallel training: it finishes the {@link ReductionTree} from the partial
 * sums the {@link GradientWorker}s hand on, gives the root (the global batch's gradient) to an update
 * program (the optimizer over whole-tensor inputs {@code <param>.grad}, as the compiler's data-parallel
 * split makes it) and steps it; the new parameters are then {@link #parameters()}, for every worker
 * to load. The flat layout of a gradient is the workers': the parameters' gradients in the order of
 * the parameter list, one after another.
 *
 * <p>Not thread-safe. {@link #apply} allocates nothing once its scratch has grown to the tree's depth.
 */
public final class GradientCombiner {
  private final Program update;
  private final String[] names;
  private final String[] inputs;
  private final int[] offsets;
  private final float[][] gradients;
  private final float[][] values;
  private final NamedTensors parameters = new NamedTensors();
  private final float[] sum;
  private float[][] scratch = new float[0][];

  /**
   * A combiner stepping {@code update}, which must have a gradient input {@code <name>.grad} for each of
   * {@code parameters}, of the parameter's shape.
   *
   * @param update the update program
   * @param parameters the parameters it updates, in the order of the flat gradient layout
   */
  public GradientCombiner(Program update, List<String> parameters) {
    this.update = Objects.requireNonNull(update, "update program");
    if (parameters.isEmpty()) throw new IllegalArgumentException("no parameters to update");
    int n = parameters.size();
    names = parameters.toArray(String[]::new);
    inputs = new String[n];
    offsets = new int[n];
    gradients = new float[n][];
    values = new float[n][];
    int at = 0;
    for (int p = 0; p < n; p++) {
      String name = names[p];
      String input = name + ".grad";
      inputs[p] = input;
      InputSpec in = update.inputs().stream().filter(i -> i.name().equals(input)).findFirst().orElseThrow(() ->
          new IllegalArgumentException("the update program has no gradient input '" + input + "'; inputs: " + update.inputs()));
      int[] shape = update.shape(name);
      if (in.kind() != InputKind.GRADIENT || !Arrays.equals(in.shape(), shape)) {
        throw new IllegalArgumentException("input " + in + " should be a gradient of shape " + Arrays.toString(shape) + ", as '"
            + name + "' is");
      }
      offsets[p] = at;
      at = Math.addExact(at, in.size());
      gradients[p] = new float[in.size()];
      values[p] = new float[in.size()];
      this.parameters.put(name, new FloatTensor(shape, values[p]));
    }
    sum = new float[at];
    refresh();
  }

  /** {@return the update program this combiner steps} */
  public Program program() {
    return update;
  }

  /** {@return floats in a flat gradient} */
  public int size() {
    return sum.length;
  }

  /**
   * One optimizer step from the partial sums of a global batch of {@code k} micro-batches: finishes
   * the tree in its order from what {@code partials} supplies (each worker's {@link ReductionTree#cover}
   * nodes), sets every {@code <param>.grad} input to its part of the root, steps the update program and
   * reads the new parameters into {@link #parameters()}.
   *
   * @param k the micro-batches of the global batch
   * @param partials the workers' partial sums
   */
  public void apply(int k, ReductionTree.Sums partials) {
    growScratch(ReductionTree.depth(k));
    ReductionTree.Sums.root(k, partials, sum, scratch);
    for (int p = 0; p < names.length; p++) {
      System.arraycopy(sum, offsets[p], gradients[p], 0, gradients[p].length);
      update.setInput(inputs[p], gradients[p]);
    }
    update.step();
    refresh();
  }

  /**
   * The update program's parameters, as of the last {@link #apply} or {@link #refresh}: arrays reused
   * by the next one, for the workers to load.
   *
   * @return the parameters by name, in the flat layout's order
   */
  public NamedTensors parameters() {
    return parameters;
  }

  /** The parameters' names, in the order of {@link #values()}; the array itself, not to be changed. */
  String[] names() {
    return names;
  }

  /** The parameters' values as of the last {@link #apply} or {@link #refresh}; the arrays themselves. */
  float[][] values() {
    return values;
  }

  /** Re-reads the update program's parameters into {@link #parameters()}: after they were loaded from elsewhere. */
  public void refresh() {
    for (int p = 0; p < names.length; p++) update.readInto(names[p], values[p], 0);
  }

  /** The gradient the last {@link #apply} summed, flat; overwritten by the next. */
  float[] sum() {
    return sum;
  }

  /** Where parameter {@code p}'s gradient starts in a flat gradient. */
  int offset(int p) {
    return offsets[p];
  }

  private void growScratch(int levels) {
    if (scratch.length >= levels) return;
    float[][] grown = Arrays.copyOf(scratch, levels);
    for (int i = scratch.length; i < levels; i++) grown[i] = new float[sum.length];
    scratch = grown;
  }
}
