package dev.fusebox.samples;

import dev.fusebox.Compiler;
import dev.fusebox.CompileOptions;
import dev.fusebox.Target;
import dev.fusebox.builder.Activation;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.ir.Graph;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.init.Initializers;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.knowm.xchart.XYChart;

/**
 * Why deep sigmoid networks were hard to train: the gradient shrinks on its way back through every
 * sigmoid, whose slope is at most 1/4, so the first layers of a deep net barely learn. A ReLU passes
 * the gradient through unchanged where it is active. Two networks of {@link #DEPTH} hidden layers of
 * {@link #WIDTH} units, identical but for the activation (same He-uniform weights, same batch), and
 * the gradient norm of every layer's weights before any training.
 *
 * <p>The sigmoid net's first layer gets a gradient some 10⁵ times smaller than its last; across seeds
 * that factor stays between 10⁻⁴ and 10⁻⁶. The ReLU net's first-to-last ratio drifts at random with
 * the initial weights, between about 0.05 and 3 for seeds 1 to 6, but does not shrink layer by layer.
 *
 * <p>Compiling with a null optimizer gives a program that computes every parameter's gradient as an
 * output ({@code layers.0.weight.grad}, ...) and updates nothing: one {@code step()} fills them.
 *
 * <pre>mvn -B -q -pl samples exec:exec -Dsample=VanishingGradient [-Dsample.arg=OUTPUT.png]</pre>
 */
public final class VanishingGradient {
  static final int DEPTH = 10;
  static final int WIDTH = 16;
  static final int BATCH = 256;
  static final long SEED = 3;

  /** The Frobenius norm of each hidden layer's weight gradient, first layer first. */
  public record Result(double[] sigmoid, double[] relu, Path chart) {}

  private VanishingGradient() {}

  public static void main(String[] args) throws IOException {
    run(Path.of(Args.first(args, "target/vanishing-gradient.png")), System.out);
  }

  /** {@code DEPTH} dense layers of {@code WIDTH} units with the given activation, then one linear output; MSE. */
  public static Graph model(Activation activation) {
    GraphBuilder g = GraphBuilder.create(SEED);
    Tensor h = g.input("x", BATCH, WIDTH);
    Tensor y = g.targets("y", BATCH, 1);
    for (int i = 0; i < DEPTH; i++) {
      h = g.dense("layers." + i, h, WIDTH, activation, Initializers.heUniform(), Initializers.zeros());
    }
    Tensor out = g.dense("layers." + DEPTH, h, 1, Activation.IDENTITY);
    return g.output("prediction", out).loss(g.mse(out, y)).build();
  }

  public static Result run(Path chartFile, PrintStream out) throws IOException {
    // One batch of standard normal inputs and targets, the same for both networks.
    SplittableRandom random = new SplittableRandom(SEED);
    float[] x = new float[BATCH * WIDTH];
    float[] y = new float[BATCH];
    for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
    for (int i = 0; i < y.length; i++) y[i] = (float) random.nextGaussian();

    double[] sigmoid = gradientNorms(Activation.SIGMOID, x, y);
    double[] relu = gradientNorms(Activation.RELU, x, y);
    out.printf("gradient norm of each layer's weights, %d hidden layers of %d units, one batch of %d, before training%n",
        DEPTH, WIDTH, BATCH);
    out.println("layer      sigmoid         relu");
    for (int i = 0; i < DEPTH; i++) out.printf(Locale.ROOT, "%5d  %11.3e  %11.3e%n", i + 1, sigmoid[i], relu[i]);
    out.printf(Locale.ROOT, "first/last layer: sigmoid %.1e, relu %.2f%n", sigmoid[0] / sigmoid[DEPTH - 1],
        relu[0] / relu[DEPTH - 1]);

    XYChart chart = Charts.lines("Gradient norm per layer before training (" + DEPTH + " × " + WIDTH + ")",
        "layer (1 = nearest the input)", "‖∂loss/∂W‖ (log scale)");
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setMarkerSize(8);
    double[] layers = new double[DEPTH];
    for (int i = 0; i < DEPTH; i++) layers[i] = i + 1;
    chart.addSeries("sigmoid", layers, sigmoid);
    chart.addSeries("relu", layers, relu);
    Charts.savePng(chart, chartFile);
    out.println("wrote " + chartFile.toAbsolutePath().normalize());
    return new Result(sigmoid, relu, chartFile);
  }

  /** One forward and backward pass; the norm of {@code layers.i.weight.grad} for every hidden layer i. */
  static double[] gradientNorms(Activation activation, float[] x, float[] y) {
    // A single step gains nothing from generated code, so the compiled graph runs on the interpreter.
    Program program = Compiler.compile(model(activation), null, CompileOptions.defaults()).program(Target.interpreter());
    program.setInput("x", x);
    program.setInput("y", y);
    program.step(); // with no optimizer, a step computes the loss and the gradients and changes nothing
    double[] norms = new double[DEPTH];
    for (int i = 0; i < DEPTH; i++) {
      double sum = 0;
      for (float g : program.read("layers." + i + ".weight.grad")) sum += (double) g * g;
      norms[i] = Math.sqrt(sum);
    }
    return norms;
  }
}
