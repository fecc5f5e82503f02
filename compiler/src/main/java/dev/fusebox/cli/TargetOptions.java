package dev.fusebox.cli;

import dev.fusebox.Compiler.Compilation;
import dev.fusebox.Target;
import dev.fusebox.runtime.Program;
import java.io.PrintStream;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --backend} and {@code --threads}: where a command's model runs, as a {@link Target}. The
 * commands that run a model mix these options in, so that they read, check and explain them alike.
 */
final class TargetOptions {
  @Spec(Spec.Target.MIXEE) CommandSpec command;

  @Option(names = "--backend", paramLabel = "NAME", defaultValue = "auto", converter = KindConverter.class,
      description = {"auto (default: vector, or scalar after a notice where", "the JVM lacks jdk.incubator.vector),",
          "vector (generated Vector API kernels), scalar", "(generated plain Java loops) or interpreter", "(the reference, op by op)."})
  Target.Kind backend;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
      description = {"Threads for the large matmuls of generated code", "(default: ${DEFAULT-VALUE}); results do not depend on it."})
  int threads;

  /** Fails, before any work is done, on a thread count below 1 or vector kernels this JVM cannot run. */
  void check() {
    if (threads < 1) throw new ParameterException(command.commandLine(), "--threads must be at least 1, not " + threads);
    if (backend == Target.Kind.VECTOR && !Target.vectorAvailable()) {
      throw new UserError("--backend vector needs the JDK's Vector API, which this JVM was started without: run java with "
          + "--add-modules=jdk.incubator.vector, or use --backend auto to fall back to scalar kernels");
    }
  }

  /** The target the options name. */
  Target target() {
    return new Target(backend, threads);
  }

  /** A new program for {@code compilation} on the target, with a note on {@code notices} when a thread count goes unused. */
  Program program(Compilation compilation, PrintStream notices) {
    check();
    noteUnusedThreads(notices);
    return compilation.program(target());
  }

  /** Says on {@code notices} when the thread count goes unused. */
  void noteUnusedThreads(PrintStream notices) {
    if (backend == Target.Kind.INTERPRETER && threads > 1) {
      notices.println("fusebox: note: the interpreter runs on one thread; --threads " + threads + " is not used");
    }
  }

  /** Reads {@code --backend} case-insensitively, with an error that lists the choices. */
  static final class KindConverter implements ITypeConverter<Target.Kind> {
    @Override
    public Target.Kind convert(String value) {
      try {
        return Target.parse(value).kind();
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException("unknown backend '" + value + "'; the backends are " + String.join(", ", Target.names()));
      }
    }
  }
}
