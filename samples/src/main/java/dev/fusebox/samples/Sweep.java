package dev.fusebox.samples;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Compiler.Compilation;
import dev.fusebox.Target;
import dev.fusebox.builder.Activation;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.ir.Graph;
import dev.fusebox.optim.Optimizer;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.train.Evaluator;
import dev.fusebox.runtime.train.Metrics;
import dev.fusebox.runtime.train.Schedule;
import dev.fusebox.runtime.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A hyper-parameter sweep as a batch job: every combination of learning rate and hidden width trains
 * its own digits classifier, all at once on a thread pool. A {@link Program} is not thread-safe, so
 * each configuration compiles its own; programs share nothing mutable, and every run is seeded, so
 * the results are the same bit for bit whether the configurations run together or one by one.
 *
 * <pre>mvn -B -q -pl samples exec:exec -Dsample=Sweep [-Dsample.arg=THREADS]</pre>
 */
public final class Sweep {
  static final double[] LEARNING_RATES = {3e-4, 1e-3, 3e-3};
  static final int[] WIDTHS = {32, 64};
  static final int BATCH = 32;
  static final int EPOCHS = 5;
  static final long SEED = 7;

  public record Config(double lr, int hidden) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "lr %.4f, %d hidden", lr, hidden);
    }
  }

  /** A configuration's validation scores and its trained parameters. */
  public record Outcome(Config config, Metrics validation, NamedTensors parameters) {}

  private Sweep() {}

  public static void main(String[] args) throws Exception {
    int threads = Integer.parseInt(Args.first(args, Integer.toString(Runtime.getRuntime().availableProcessors())));
    Dataset.Split split = SampleData.standardisedDigits(SEED);
    long start = System.nanoTime();
    List<Outcome> outcomes = runParallel(grid(), split, threads, Target.auto());
    System.out.printf(Locale.ROOT, "%d configurations of a 64-h-10 ReLU digits classifier, Adam, %d epochs each, on %d "
        + "threads in %.1f s%n", outcomes.size(), EPOCHS, threads, (System.nanoTime() - start) / 1e9);
    print(outcomes, System.out);
  }

  public static List<Config> grid() {
    List<Config> configs = new ArrayList<>();
    for (int hidden : WIDTHS) for (double lr : LEARNING_RATES) configs.add(new Config(lr, hidden));
    return configs;
  }

  static Graph model(int hidden) {
    GraphBuilder g = GraphBuilder.create(SEED);
    Tensor x = g.input("x", BATCH, 64);
    Tensor y = g.labels("y", BATCH, 10);
    Tensor h = g.dense("layers.0", x, hidden, Activation.RELU);
    Tensor logits = g.dense("layers.1", h, 10, Activation.IDENTITY);
    return g.output("prediction", logits).loss(g.softmaxCrossEntropy(logits, y)).build();
  }

  /** Trains one configuration from scratch: its own compiled program, a quiet trainer, a final score. */
  public static Outcome train(Config config, Dataset.Split data, Target target) {
    // The optimizer's lr is only the initial value of the program's lr input, and it is written into the
    // generated source; giving every configuration the same one and its own rate through a schedule
    // keeps the source identical across rates, so they share one compiled class and its JIT warm-up.
    Compilation compilation = Compiler.compile(model(config.hidden()), Optimizer.adam(1e-3), CompileOptions.defaults());
    Program program = compilation.program(target);
    try {
      Trainer.builder(program, data.train()).epochs(EPOCHS).seed(SEED).schedule(Schedule.constant(config.lr())).quiet()
          .build().fit();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // only checkpoints and logs write files, and this run has neither
    }
    Metrics validation = Evaluator.of(program).evaluate(data.valid());
    NamedTensors parameters = program.state().filter(program.parameterNames()::contains);
    return new Outcome(config, validation, parameters);
  }

  /** Every configuration on a pool of {@code threads}, results in the configurations' order. */
  public static List<Outcome> runParallel(List<Config> configs, Dataset.Split data, int threads, Target target)
      throws InterruptedException, ExecutionException {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Outcome>> futures = new ArrayList<>();
      for (Config c : configs) futures.add(pool.submit(() -> train(c, data, target)));
      List<Outcome> outcomes = new ArrayList<>();
      for (Future<Outcome> f : futures) outcomes.add(f.get());
      return outcomes;
    } finally {
      pool.shutdownNow();
    }
  }

  /** The same configurations one after another on the calling thread. */
  public static List<Outcome> runSequential(List<Config> configs, Dataset.Split data, Target target) {
    return configs.stream().map(c -> train(c, data, target)).toList();
  }

  static void print(List<Outcome> outcomes, PrintStream out) {
    for (Outcome o : outcomes) out.println(o.config() + ": " + o.validation().format("valid_"));
    Outcome best = outcomes.stream().max(Comparator.comparingDouble(o -> o.validation().accuracy().orElseThrow())).orElseThrow();
    out.println("best: " + best.config() + ", valid accuracy " + String.format(Locale.ROOT, "%.4f",
        best.validation().accuracy().orElseThrow()));
  }
}
