package dev.fusebox.samples;

import dev.fusebox.Compiler;
import dev.fusebox.CompileOptions;
import dev.fusebox.Target;
import dev.fusebox.builder.Activation;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.ir.Graph;
import dev.fusebox.optim.Optimizer;
import dev.fusebox.runtime.Program;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import org.knowm.xchart.XYChart;

/**
 * The universal approximation theorem at work: one hidden layer of sigmoid units fits the curve
 * {@code sin(2x) + 0.3x} on [−3, 3], and the fit improves as units are added (2, 4, 8, 16). Each
 * width is its own compiled program, trained full-batch with Adam on MSE. Prints the error per width
 * and draws the target and every fit in one PNG.
 *
 * <pre>mvn -B -q -pl samples exec:exec -Dsample=UniversalApproximation [-Dsample.arg=OUTPUT.png]</pre>
 */
public final class UniversalApproximation {
  static final int[] WIDTHS = {2, 4, 8, 16};
  static final int POINTS = 241; // x from −3 to 3 in steps of 0.025
  static final int STEPS = 4000;
  static final long SEED = 11;

  /** The error of each width's fit, in the order of {@link #WIDTHS}, and where the chart went. */
  public record Result(int[] widths, double[] mse, Path chart) {}

  private UniversalApproximation() {}

  public static void main(String[] args) throws IOException {
    run(Path.of(Args.first(args, "target/universal-approximation.png")), System.out);
  }

  static double target(double x) {
    return Math.sin(2 * x) + 0.3 * x;
  }

  /** {@code x [points, 1] → units sigmoids → 1}, all points in one batch. */
  public static Graph model(int units) {
    GraphBuilder g = GraphBuilder.create(SEED);
    Tensor x = g.input("x", POINTS, 1);
    Tensor y = g.targets("y", POINTS, 1);
    Tensor h = g.dense("layers.0", x, units, Activation.SIGMOID);
    Tensor out = g.dense("layers.1", h, 1, Activation.IDENTITY);
    return g.output("prediction", out).loss(g.mse(out, y)).build();
  }

  public static Result run(Path chartFile, PrintStream out) throws IOException {
    float[] xs = new float[POINTS];
    float[] ys = new float[POINTS];
    for (int i = 0; i < POINTS; i++) {
      xs[i] = (float) (-3 + 6.0 * i / (POINTS - 1));
      ys[i] = (float) target(xs[i]);
    }
    XYChart chart = Charts.lines("One hidden layer of sigmoids fitting sin(2x) + 0.3x", "x", "y");
    chart.addSeries("target", xs, ys).setLineWidth(4f);

    out.printf("fitting sin(2x) + 0.3x on [-3, 3] (%d points) with one hidden sigmoid layer, Adam lr 0.02, %d full-batch steps%n",
        POINTS, STEPS);
    double[] mse = new double[WIDTHS.length];
    for (int w = 0; w < WIDTHS.length; w++) {
      // Scalar kernels: Vector API code is slow until the JIT's C2 compiler has compiled it, which for a
      // new program takes about a thousand steps; these layers are too narrow to win that time back.
      Program program = Compiler.compile(model(WIDTHS[w]), Optimizer.adam(0.02), CompileOptions.defaults()).program(Target.scalar());
      program.setInput("x", xs);
      program.setInput("y", ys);
      for (int step = 0; step < STEPS; step++) program.step();
      program.forward();
      mse[w] = program.read("loss")[0];
      chart.addSeries(WIDTHS[w] + " units", xs, program.read("prediction"));
      out.printf(Locale.ROOT, "%2d hidden units: MSE %.6f%n", WIDTHS[w], mse[w]);
    }
    Charts.savePng(chart, chartFile);
    out.println("wrote " + chartFile.toAbsolutePath().normalize());
    return new Result(WIDTHS.clone(), mse, chartFile);
  }
}
