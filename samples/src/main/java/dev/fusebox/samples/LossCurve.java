package dev.fusebox.samples;

import dev.fusebox.Compiler;
import dev.fusebox.CompileOptions;
import dev.fusebox.builder.Activation;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.ir.Graph;
import dev.fusebox.optim.Optimizer;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.train.Schedule;
import dev.fusebox.runtime.train.StepEvent;
import dev.fusebox.runtime.train.Trainer;
import dev.fusebox.runtime.train.TrainingListener;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.XYChart;

/**
 * A loss curve: a {@link TrainingListener} records the loss of every optimizer step of a digits run
 * (SGD with momentum under a cosine learning-rate schedule), and the curve, with its moving average,
 * is drawn to a PNG. The listener sees every step as it happens, so the same hook could stream the
 * losses to a dashboard or stop the run.
 *
 * <pre>mvn -B -q -pl samples exec:exec -Dsample=LossCurve [-Dsample.arg=OUTPUT.png]</pre>
 */
public final class LossCurve {
  static final int BATCH = 32;
  static final int EPOCHS = 10;
  static final int WINDOW = 25; // steps in the moving average
  static final long SEED = 7;

  /** The loss of every step, in order, and the chart. */
  public record Result(float[] losses, Path chart) {}

  private LossCurve() {}

  public static void main(String[] args) throws IOException {
    run(Path.of(Args.first(args, "target/loss-curve.png")), System.out);
  }

  static Graph model() {
    GraphBuilder g = GraphBuilder.create(SEED);
    Tensor x = g.input("x", BATCH, 64);
    Tensor y = g.labels("y", BATCH, 10);
    Tensor h = g.dense("layers.0", x, 32, Activation.TANH);
    Tensor logits = g.dense("layers.1", h, 10, Activation.IDENTITY);
    return g.output("prediction", logits).loss(g.softmaxCrossEntropy(logits, y)).build();
  }

  public static Result run(Path chartFile, PrintStream out) throws IOException {
    Dataset.Split data = SampleData.standardisedDigits(SEED);
    Program program = Compiler.compile(model(), Optimizer.sgd(0.05).withMomentum(0.9), CompileOptions.defaults()).program();
    List<Float> losses = new ArrayList<>();
    TrainingListener recorder = new TrainingListener() {
      @Override
      public Decision onStep(StepEvent step) {
        losses.add(step.loss());
        return Decision.CONTINUE;
      }
    };
    out.printf("digits, 64-32-10 tanh, SGD lr 0.05 with momentum 0.9, cosine schedule, %d epochs%n", EPOCHS);
    Trainer.Builder trainer = Trainer.builder(program, data.train()).validation(data.valid()).epochs(EPOCHS).seed(SEED)
        .schedule(Schedule.cosine(0.05, EPOCHS, 0)).listener(recorder);
    if (out != System.out) trainer.output(out); // on a terminal's standard output, the trainer draws a progress bar
    trainer.build().fit();

    float[] loss = new float[losses.size()];
    double[] steps = new double[loss.length];
    double[] average = new double[loss.length];
    double sum = 0;
    for (int i = 0; i < loss.length; i++) {
      loss[i] = losses.get(i);
      steps[i] = i + 1;
      sum += loss[i] - (i >= WINDOW ? loss[i - WINDOW] : 0);
      average[i] = sum / Math.min(i + 1, WINDOW);
    }
    XYChart chart = Charts.lines("Training loss per step (digits, SGD + momentum, cosine schedule)", "step",
        "batch loss (log scale)");
    chart.getStyler().setYAxisLogarithmic(true);
    chart.addSeries("batch loss", steps, toDoubles(loss)).setLineWidth(1f);
    chart.addSeries("mean of the last " + WINDOW + " steps", steps, average).setLineWidth(3f);
    Charts.savePng(chart, chartFile);
    out.printf(Locale.ROOT, "%d steps: loss %.4f at the first, mean %.4f over the last %d%n", loss.length, loss[0],
        average[loss.length - 1], WINDOW);
    out.println("wrote " + chartFile.toAbsolutePath().normalize());
    return new Result(loss, chartFile);
  }

  private static double[] toDoubles(float[] values) {
    double[] d = new double[values.length];
    for (int i = 0; i < values.length; i++) d[i] = values[i];
    return d;
  }
}
