package dev.fusebox.samples;

import dev.fusebox.autodiff.Autodiff;
import dev.fusebox.autodiff.GradientCheck;
import dev.fusebox.builder.Activation;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.interp.Interpreter;
import dev.fusebox.ir.Graph;
import java.util.SplittableRandom;

/**
 * Declares a small classifier, derives its backward graph, prints both, checks every gradient
 * against central differences, and evaluates the loss on a random batch.
 */
public final class Quickstart {
  private Quickstart() {}

  public static void main(String[] args) {
    GraphBuilder g = GraphBuilder.create(7);
    Tensor x = g.input("x", 8, 4);
    Tensor y = g.labels("y", 8, 3);
    Tensor h = g.dense("layers.0", x, 16, Activation.RELU);
    Tensor logits = g.dense("layers.1", h, 3, Activation.IDENTITY);
    Graph forward = g.output("prediction", logits).loss(g.softmaxCrossEntropy(logits, y)).build();

    Graph training = Autodiff.differentiate(forward);
    System.out.println("== forward and backward graph (" + training.size() + " nodes)");
    System.out.print(training);

    System.out.println("\n== gradient check against central differences");
    GradientCheck.Report report = GradientCheck.of(forward).seed(1).run();
    System.out.print(report);
    System.out.println(report.passed() ? "all gradients agree" : "GRADIENT CHECK FAILED");

    Interpreter program = Interpreter.create(training);
    float[] features = new float[8 * 4];
    SplittableRandom rng = new SplittableRandom(3);
    for (int i = 0; i < features.length; i++) features[i] = (float) rng.nextGaussian();
    program.setInput("x", features);
    program.setLabels("y", new int[] {0, 1, 2, 0, 1, 2, 0, 1});
    program.forward();
    System.out.printf("%n== loss on a random batch: %.6f (ln 3 = %.6f for an untrained 3-class model)%n",
        program.read("loss")[0], Math.log(3));
    if (!report.passed()) System.exit(1);
  }
}
