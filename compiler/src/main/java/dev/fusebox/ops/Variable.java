package dev.fusebox.ops;

import dev.fusebox.ir.Buffer;
import dev.fusebox.ir.EvalContext;
import dev.fusebox.ir.Shape;
import dev.fusebox.runtime.SplitMix64;
import dev.fusebox.runtime.init.Initializer;

/**
 * A persistent value: a trainable parameter, or optimizer state (momentum buffers, step counts) that
 * is updated but not differentiated. Its node's name is the tensor's name in parameter files. Its
 * initial value is {@code init} drawn from a random stream seeded with {@code seed}, so the graph
 * alone determines it.
 */
public record Variable(boolean trainable, Shape shape, Initializer init, long seed) implements SourceOp {

  public static Variable parameter(Shape shape, Initializer init, long seed) {
    return new Variable(true, shape, init, seed);
  }

  public static Variable state(Shape shape, Initializer init) {
    return new Variable(false, shape, init, 0);
  }

  /** The initial values. */
  public float[] initialValues() {
    float[] v = new float[shape.size()];
    init.fill(v, shape.dims(), new SplitMix64(seed));
    return v;
  }

  @Override
  public String name() {
    return trainable ? "param" : "state";
  }

  @Override
  public String attributes() {
    return init.name();
  }

  @Override
  public void eval(Buffer[] in, Buffer out, EvalContext ctx) {
    // Holds its value between steps.
  }

  @Override
  public boolean isPure() {
    return false;
  }

  @Override
  public boolean isVariable() {
    return true;
  }

  @Override
  public boolean isTrainable() {
    return trainable;
  }
}
