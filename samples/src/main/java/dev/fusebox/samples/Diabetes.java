package dev.fusebox.samples;

import dev.fusebox.Compiler;
import dev.fusebox.CompileOptions;
import dev.fusebox.builder.Activation;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.ir.Graph;
import dev.fusebox.optim.Adam;
import dev.fusebox.optim.Optimizer;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.data.Standardizer;
import dev.fusebox.runtime.train.EpochEvent;
import dev.fusebox.runtime.train.Evaluator;
import dev.fusebox.runtime.train.Trainer;
import dev.fusebox.runtime.train.TrainingListener;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Regression on scikit-learn's diabetes data: ten measurements of 442 patients against a score of
 * disease progression a year later. A small MLP and a linear model, trained alike, are judged by their
 * RMSE on held-out patients, next to the baseline every regression model must beat: always predicting
 * the training patients' mean. Both beat it clearly; the MLP does no better than the linear model:
 * this data is nearly linear and small enough that extra capacity mostly fits noise.
 *
 * <pre>mvn -B -q -pl samples exec:exec -Dsample=Diabetes</pre>
 */
public final class Diabetes {
  static final int BATCH = 32;
  static final int EPOCHS = 100;
  static final long SEED = 3;

  public record Result(double rmse, double linearRmse, double baselineRmse) {}

  private Diabetes() {}

  public static void main(String[] args) throws IOException {
    run(System.out);
  }

  /**
   * 10 → {@code hidden} ReLU → 1 (or 10 → 1, linear, when {@code hidden} is 0), then {@code ŷ = mean + std · out} with the training targets' statistics, so that
   * the layers learn a standardised target (values near 0 and 1, which their initialisation suits)
   * while predictions, loss and RMSE are in the data's own units.
   */
  public static Graph model(int hidden, double targetMean, double targetStd) {
    GraphBuilder g = GraphBuilder.create(SEED);
    Tensor x = g.input("x", BATCH, 10);
    Tensor y = g.targets("y", BATCH, 1);
    Tensor h = hidden == 0 ? x : g.dense("layers.0", x, hidden, Activation.RELU);
    Tensor out = g.affine(g.dense(hidden == 0 ? "layers.0" : "layers.1", h, 1, Activation.IDENTITY), targetStd, targetMean);
    return g.output("prediction", out).loss(g.mse(out, y)).build();
  }

  public static Result run(PrintStream out) throws IOException {
    Dataset.Split split = SampleData.diabetes().split(0.2, SEED);
    Standardizer standardizer = Standardizer.fit(split.train());
    Dataset train = standardizer.apply(split.train());
    Dataset test = standardizer.apply(split.valid());
    float[] targets = train.targets();
    double mean = 0;
    for (float t : targets) mean += t;
    mean /= targets.length;
    double variance = 0;
    for (float t : targets) variance += (t - mean) * (t - mean);
    double std = Math.sqrt(variance / targets.length);

    double baseline = 0;
    for (int r = 0; r < test.rows(); r++) baseline += Math.pow(test.target(r, 0) - mean, 2);
    baseline = Math.sqrt(baseline / test.rows());
    out.printf(Locale.ROOT, "diabetes: %d training patients, %d held out; target mean %.1f, std %.1f%n", train.rows(),
        test.rows(), mean, std);

    out.println("10-8-1 ReLU network, Adam lr 0.01, batch 32, " + EPOCHS + " epochs:");
    double rmse = fit(model(8, mean, std), train, test, out);
    out.println("linear model, trained the same way:");
    double linear = fit(model(0, mean, std), train, test, out);
    out.printf(Locale.ROOT, "held-out RMSE: MLP %.2f, linear %.2f, predicting the training mean %.2f (MLP %.0f%% lower)%n",
        rmse, linear, baseline, 100 * (1 - rmse / baseline));
    return new Result(rmse, linear, baseline);
  }

  /** Trains the model and returns its RMSE on {@code test}, printing every twentieth epoch. */
  static double fit(Graph model, Dataset train, Dataset test, PrintStream out) throws IOException {
    Program program = Compiler.compile(model, Optimizer.adam(0.01), CompileOptions.defaults()).program();
    TrainingListener everyTwentyEpochs = new TrainingListener() {
      @Override
      public Decision onEpoch(EpochEvent e) {
        if (e.stats().epoch() % 20 == 0) out.println("  " + e.stats().format(e.epochs()));
        return Decision.CONTINUE;
      }
    };
    // Quiet: a hundred epoch lines would bury the result; the listener prints every twentieth. The held-out
    // scores are only shown, never used to choose anything, so the final RMSE stays a fair estimate.
    Trainer.builder(program, train).validation(test).epochs(EPOCHS).seed(SEED).listener(everyTwentyEpochs).quiet()
        .build().fit();
    return Evaluator.of(program).evaluate(test).rmse().orElseThrow();
  }
}
