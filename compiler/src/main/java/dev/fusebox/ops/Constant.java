package dev.fusebox.ops;

import dev.fusebox.ir.Buffer;
import dev.fusebox.ir.EvalContext;
import dev.fusebox.ir.Shape;
import java.util.Arrays;
import java.util.StringJoiner;

/** A constant tensor. Values are stored as doubles and rounded to float32 in float32 runs. */
public final class Constant implements SourceOp {
  private final Shape shape;
  private final double[] values;

  public Constant(Shape shape, double[] values) {
    if (values.length != shape.size()) {
      throw new IllegalArgumentException("constant of shape " + shape + " needs " + shape.size() + " values, got " + values.length);
    }
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        throw new IllegalArgumentException("constant value " + values[i] + " at index " + i + " is not finite");
      }
    }
    this.shape = shape;
    this.values = values.clone();
  }

  public static Constant scalar(double v) {
    return new Constant(Shape.scalar(), new double[] {v});
  }

  public double[] values() {
    return values.clone();
  }

  public double value(int i) {
    return values[i];
  }

  @Override
  public Shape shape() {
    return shape;
  }

  @Override
  public String name() {
    return "const";
  }

  @Override
  public String attributes() {
    StringJoiner j = new StringJoiner(",");
    for (int i = 0; i < Math.min(values.length, 6); i++) j.add(Arithmetic.fmt(values[i]));
    return values.length > 6 ? j + ",…" : j.toString();
  }

  @Override
  public void eval(Buffer[] in, Buffer out, EvalContext ctx) {
    for (int i = 0; i < values.length; i++) out.set(i, values[i]);
  }

  @Override
  public boolean isConstant() {
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Constant c && c.shape.equals(shape) && Arrays.equals(c.values, values);
  }

  @Override
  public int hashCode() {
    return 31 * shape.hashCode() + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "const" + shape + "[" + attributes() + "]";
  }
}
