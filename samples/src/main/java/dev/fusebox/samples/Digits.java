package dev.fusebox.samples;

import dev.fusebox.Compiler;
import dev.fusebox.Compiler.Compilation;
import dev.fusebox.CompileOptions;
import dev.fusebox.Dumps;
import dev.fusebox.builder.Activation;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.codegen.Backend;
import dev.fusebox.codegen.ProgramEmitter;
import dev.fusebox.ir.Graph;
import dev.fusebox.optim.Adam;
import dev.fusebox.optim.Optimizer;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.data.Standardizer;
import dev.fusebox.runtime.io.SafeTensors;
import dev.fusebox.runtime.train.Evaluator;
import dev.fusebox.runtime.train.Trainer;
import dev.fusebox.runtime.train.TrainingResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The main job: trains a 64-128-64-10 ReLU network on scikit-learn's 8×8 digits with Adam, on
 * generated Vector API kernels, then reports the held-out accuracy and writes the model (safetensors,
 * PyTorch's names and shapes) and everything the compiler produced (graphs, fusion report, memory plan,
 * generated Java source).
 *
 * <pre>mvn -B -q -pl samples exec:exec [-Dsample.arg=OUTPUT_DIR]</pre>
 */
public final class Digits {
  static final int BATCH = 32;
  static final int EPOCHS = 20;
  static final long SEED = 7;

  /** What a run produced, for tests and for callers that train digits as one step of something bigger. */
  public record Result(double accuracy, double seconds, Path model, Path generated, Standardizer standardizer,
      NamedTensors parameters) {}

  private Digits() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(Args.first(args, "target/digits"));
    run(dir, System.out);
  }

  /** The forward graph: {@code x [batch, 64]} and labels {@code y [batch]} in, {@code prediction} logits and {@code loss} out. */
  public static Graph model(int batch) {
    GraphBuilder g = GraphBuilder.create(SEED);
    Tensor x = g.input("x", batch, 64);
    Tensor y = g.labels("y", batch, 10);
    Tensor h = g.dense("layers.0", x, 128, Activation.RELU);
    h = g.dense("layers.1", h, 64, Activation.RELU);
    Tensor logits = g.dense("layers.2", h, 10, Activation.IDENTITY);
    return g.output("prediction", logits).loss(g.softmaxCrossEntropy(logits, y)).build();
  }

  /** Trains, evaluates and writes everything under {@code dir}; per-epoch lines and results go to {@code out}. */
  public static Result run(Path dir, PrintStream out) throws IOException {
    long start = System.nanoTime();
    Dataset.Split split = SampleData.digits().split(0.2, SEED);
    // Statistics from the training rows only, so nothing about the held-out rows leaks into training.
    Standardizer standardizer = Standardizer.fit(split.train());
    Dataset train = standardizer.apply(split.train());
    Dataset test = standardizer.apply(split.valid());
    out.printf("digits: %d training rows, %d held out; 64-128-64-10 ReLU, Adam lr 0.001, batch %d, %d epochs%n",
        train.rows(), test.rows(), BATCH, EPOCHS);

    long compileStart = System.nanoTime();
    Compilation compilation = Compiler.compile(model(BATCH), Optimizer.adam(1e-3), CompileOptions.defaults());
    Program program = compilation.program(); // generated Vector API code, compiled in memory by Janino
    out.printf(Locale.ROOT, "compiled the training step into %d fused kernels in %.1f s%n", compilation.fused().kernels().size(),
        (System.nanoTime() - compileStart) / 1e9);

    // Held-out scores are printed after every epoch but choose nothing (no early stopping, the last
    // epoch's weights are kept), so the final accuracy is still a fair estimate.
    Trainer.Builder trainer = Trainer.builder(program, train).validation(test).epochs(EPOCHS).seed(SEED).batchSize(BATCH);
    // On standard output the trainer draws a progress bar when a terminal is attached; elsewhere, lines.
    if (out != System.out) trainer.output(out);
    TrainingResult result = trainer.build().fit();
    double accuracy = Evaluator.of(program).evaluate(test).accuracy().orElseThrow();
    double seconds = (System.nanoTime() - start) / 1e9;
    out.printf(Locale.ROOT, "held-out accuracy %.4f (%d of %d digits) after %d steps, %.1f s in all%n", accuracy,
        Math.round(accuracy * test.rows()), test.rows(), result.steps(), seconds);

    Files.createDirectories(dir);
    Path model = dir.resolve("digits.safetensors");
    // The parameters alone (no optimizer state), and the standardisation, which belongs to the model:
    // without it the weights see inputs on the wrong scale.
    SafeTensors.writeParameters(model, program, Map.of("mean", join(standardizer.mean()), "scale", join(standardizer.scale())));
    NamedTensors parameters = SafeTensors.read(model).tensors();
    Path generated = dir.resolve("generated");
    ProgramEmitter.Source source = compilation.source(Backend.VECTOR);
    Dumps.write(generated, compilation, source);
    out.println("wrote " + model.toAbsolutePath().normalize() + " (" + String.join(", ", parameters.names()) + ")");
    out.println("wrote " + generated.toAbsolutePath().normalize() + "/: the graphs, fusion-report.txt, memory-plan.txt and "
        + source.qualifiedName().replace('.', '/') + ".java");
    return new Result(accuracy, seconds, model, generated, standardizer, parameters);
  }

  private static String join(double[] values) {
    return Arrays.stream(values).mapToObj(v -> Double.toString(v)).collect(Collectors.joining(","));
  }
}
