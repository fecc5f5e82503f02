package dev.fusebox.cli;

import dev.fusebox.Compiler.Compilation;
import dev.fusebox.interp.Interpreter;
import dev.fusebox.runtime.Program;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;

/**
 * Where a compiled model runs: generated Vector API kernels (the default), generated plain Java
 * loops, or the reference interpreter (one thread). Generated code splits its large matmuls over
 * {@code --threads} threads; results do not depend on the count.
 */
final class Backends {
  private Backends() {}

  /** The backends {@code --backend} accepts. */
  enum Backend {
    INTERPRETER, VECTOR, SCALAR;

    String text() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The program that runs {@code compilation}'s fused training graph on {@code backend}. */
  static Program create(Backend backend, Compilation compilation, int threads, PrintStream notices) {
    if (backend == Backend.INTERPRETER) {
      if (threads > 1) notices.println("fusebox: note: the interpreter runs on one thread; --threads " + threads + " is not used");
      return Interpreter.create(compilation.fused(), Interpreter.Precision.FLOAT32);
    }
    return compilation.program(backend == Backend.VECTOR ? dev.fusebox.codegen.Backend.VECTOR : dev.fusebox.codegen.Backend.SCALAR, threads);
  }

  /** Reads {@code --backend} case-insensitively, with an error that lists the choices. */
  static final class Converter implements ITypeConverter<Backend> {
    @Override
    public Backend convert(String value) {
      for (Backend b : Backend.values()) {
        if (b.text().equalsIgnoreCase(value.strip())) return b;
      }
      throw new picocli.CommandLine.TypeConversionException("unknown backend '" + value + "'; the backends are "
          + String.join(", ", Arrays.stream(Backend.values()).map(Backend::text).toList()));
    }
  }
}
