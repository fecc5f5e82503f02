package dev.fusebox.cli;

import dev.fusebox.Compiler.Compilation;
import dev.fusebox.Target;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.InputSpec;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code fusebox bench}: times the training step of a spec's model, compiled and interpreted, in one
 * process. Inputs are one batch of seeded random data, set once: a timed step copies no data. Each
 * program warms up until its per-step time settles, then runs timed blocks, each starting again from
 * the initial parameters; the figure is the median over the blocks. For careful numbers use the JMH
 * suite (see BENCHMARKS.md): this is the quick look.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
    description = {"Time a training step, compiled and interpreted.",
        "Times a training step of the model SPEC.json describes on",
        "generated vector kernels and on the reference interpreter, with",
        "one batch of random data; prints the median time per step of each",
        "and how many times faster the compiled step is.", ""},
    footerHeading = "%nExit codes:%n",
    footer = {"  0  timed", "  1  usage or input error", "  3  internal error"})
final class BenchCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec command;

  @Parameters(index = "0", paramLabel = "SPEC.json", description = "The model's spec (JSON).")
  Path spec;

  @Option(names = "--warmup-ms", paramLabel = "MS", defaultValue = "2000",
      description = {"Warm up each program at least this long, then", "until its step time settles (default: ${DEFAULT-VALUE})."})
  long warmupMs;

  @Option(names = "--blocks", paramLabel = "N", defaultValue = "7",
      description = "Timed blocks per program (default: ${DEFAULT-VALUE}).")
  int blocks;

  @Option(names = "--block-ms", paramLabel = "MS", defaultValue = "300",
      description = {"Length of a timed block; at least one step", "(default: ${DEFAULT-VALUE})."})
  long blockMs;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
      description = "Seed of the random batch (default: ${DEFAULT-VALUE}).")
  long seed;

  /** A program's timing: per-step times of the blocks, in nanoseconds, sorted. */
  record Timing(double[] blockNanos, long steps) {
    double median() {
      int n = blockNanos.length;
      return n % 2 == 1 ? blockNanos[n / 2] : (blockNanos[n / 2 - 1] + blockNanos[n / 2]) / 2;
    }
  }

  @Override
  public Integer call() throws IOException {
    positive("--warmup-ms", warmupMs, 0);
    positive("--blocks", blocks, 1);
    positive("--block-ms", blockMs, 1);
    ModelSpec model = Models.readSpec(spec, null);
    Compilation compilation = Models.compile(model);
    Target compiled = Target.auto().resolve(main.err::println);
    Program fast = compilation.program(compiled);
    Program reference = compilation.program(Target.interpreter());

    PrintStream out = main.out;
    out.println(header(model));
    Timing f = time(fast);
    out.println(line(compiled.kind().text(), f));
    Timing r = time(reference);
    out.println(line(Target.Kind.INTERPRETER.text(), r));
    out.println(String.format(Locale.ROOT, "%-12s %s  (interpreter time / %s time)", "ratio", times(r.median() / f.median()),
        compiled.kind().text()));
    return Errors.OK;
  }

  private void positive(String option, long value, long least) {
    if (value < least) throw new ParameterException(command.commandLine(), option + " must be at least " + least + ", not " + value);
  }

  /** {@code bench mnist.json (784-256-128-10, sgd), batch 128: median of 7 blocks of ~300 ms ...}. */
  private String header(ModelSpec model) {
    String widths = model.input() + "-" + model.layers().stream().map(l -> Integer.toString(l.units())).collect(Collectors.joining("-"));
    return "bench " + Models.name(spec) + " (" + widths + ", " + model.optimizer().name() + "), batch " + model.batch()
        + ": median of " + blocks + " blocks of ~" + blockMs + " ms after at least " + warmupMs + " ms of warm-up, one thread";
  }

  private static String line(String name, Timing t) {
    double[] us = Arrays.stream(t.blockNanos()).map(x -> x / 1e3).toArray();
    return String.format(Locale.ROOT, "%-12s %s us/step  (blocks %s .. %s us, %,d steps)", name, fixed(t.median() / 1e3), fixed(us[0]),
        fixed(us[us.length - 1]), t.steps());
  }

  /** Three significant digits at least, never scientific notation. */
  static String fixed(double x) {
    if (x >= 100) return String.format(Locale.ROOT, "%,.0f", x);
    if (x >= 10) return String.format(Locale.ROOT, "%.1f", x);
    if (x >= 1) return String.format(Locale.ROOT, "%.2f", x);
    return String.format(Locale.ROOT, "%.3f", x);
  }

  static String times(double ratio) {
    return String.format(Locale.ROOT, ratio >= 10 ? "%.1fx" : "%.2fx", ratio);
  }

  /** Warm-up until the step time settles, then the timed blocks. */
  private Timing time(Program program) {
    fill(program, seed);
    NamedTensors initial = program.state();
    long blockNanos = blockMs * 1_000_000L;
    long warmupEnd = System.nanoTime() + warmupMs * 1_000_000L;
    long giveUp = System.nanoTime() + Math.max(warmupMs * 10, 1) * 1_000_000L;
    double previous = Double.NaN;
    double perStep;
    while (true) {
      perStep = block(program, 0, blockNanos);
      boolean settled = Math.abs(perStep / previous - 1) < 0.05;
      long now = System.nanoTime();
      if (now >= giveUp || now >= warmupEnd && settled) break;
      previous = perStep;
    }
    long steps = Math.max(1, (long) (blockNanos / perStep));
    double[] times = new double[blocks];
    long total = 0;
    for (int b = 0; b < blocks; b++) {
      program.load(initial);
      times[b] = block(program, steps, 0);
      total += steps;
    }
    program.load(initial);
    Arrays.sort(times);
    return new Timing(times, total);
  }

  /** Runs {@code steps} steps, or if that is 0 steps until {@code nanos} have passed; returns nanoseconds per step. */
  private static double block(Program program, long steps, long nanos) {
    long start = System.nanoTime();
    long done = 0;
    if (steps > 0) {
      for (; done < steps; done++) program.step();
    } else {
      do {
        program.step();
        done++;
      } while (System.nanoTime() - start < nanos);
    }
    long elapsed = System.nanoTime() - start;
    return (double) elapsed / done;
  }

  /** One batch of seeded random data: standard normal features, uniform class labels, 0/1 targets. */
  static void fill(Program program, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (InputSpec in : program.inputs()) {
      switch (in.kind()) {
        case FEATURES -> {
          float[] v = new float[in.size()];
          for (int i = 0; i < v.length; i++) v[i] = (float) (Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble()));
          program.setInput(in.name(), v);
        }
        case TARGETS -> {
          float[] v = new float[in.size()];
          for (int i = 0; i < v.length; i++) v[i] = random.nextInt(2);
          program.setInput(in.name(), v);
        }
        case ONE_HOT -> {
          int[] shape = in.shape();
          int classes = shape[shape.length - 1];
          float[] v = new float[in.size()];
          for (int row = 0; row < v.length / classes; row++) v[row * classes + random.nextInt(classes)] = 1;
          program.setInput(in.name(), v);
        }
        case LABELS -> {
          int[] v = new int[in.size()];
          for (int i = 0; i < v.length; i++) v[i] = random.nextInt(in.classes());
          program.setLabels(in.name(), v);
        }
        default -> { } // scalars such as lr keep the value the graph gave them
      }
    }
  }
}
