package dev.fusebox;

import dev.fusebox.codegen.Backend;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Where a compiled program runs: generated kernels on the JDK's Vector API, generated plain Java
 * loops, or the reference interpreter; and how many threads the large matmuls of generated code are
 * split over (the results are bitwise the same for any count; the interpreter runs on one thread
 * whatever the count). {@link Compiler.Compilation#program(Target)} makes a program for a target.
 *
 * <p>{@link #auto()}, the default, runs vector kernels where the JVM was started with
 * {@code --add-modules=jdk.incubator.vector} and scalar kernels, after a one-line notice naming that
 * flag, where it was not. {@link #vector()} is an explicit request: without the module it is an error.
 *
 * @param kind what runs the program
 * @param threads threads for the large matmuls of generated code, at least 1
 */
public record Target(Kind kind, int threads) {

  /** What runs a program. */
  public enum Kind {
    /** Vector kernels if the Vector API is available, else scalar ones. */
    AUTO,
    /** Generated kernels on the JDK's incubating Vector API. */
    VECTOR,
    /** Generated plain Java loops. */
    SCALAR,
    /** The reference interpreter, op by op. */
    INTERPRETER;

    /** {@return the lower-case name, as the command line's {@code --backend} takes it} */
    public String text() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * A target.
   *
   * @param kind what runs the program
   * @param threads threads for the large matmuls of generated code, at least 1
   * @throws IllegalArgumentException if {@code kind} is null or {@code threads} is less than 1
   */
  public Target {
    if (kind == null) throw new IllegalArgumentException("a target needs a kind: " + names());
    if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
  }

  /** {@return vector kernels where the Vector API is available, else scalar ones after a notice; one thread} */
  public static Target auto() {
    return new Target(Kind.AUTO, 1);
  }

  /** {@return generated Vector API kernels (an error without {@code --add-modules=jdk.incubator.vector}); one thread} */
  public static Target vector() {
    return new Target(Kind.VECTOR, 1);
  }

  /** {@return generated plain Java loops; one thread} */
  public static Target scalar() {
    return new Target(Kind.SCALAR, 1);
  }

  /** {@return the reference interpreter, which runs on one thread} */
  public static Target interpreter() {
    return new Target(Kind.INTERPRETER, 1);
  }

  /**
   * {@return this target with its large matmuls on {@code threads} threads}
   *
   * @param threads at least 1
   * @throws IllegalArgumentException if {@code threads} is less than 1
   */
  public Target withThreads(int threads) {
    return new Target(kind, threads);
  }

  /**
   * {@return the target of that name, on one thread}
   *
   * @param name {@code auto}, {@code vector}, {@code scalar} or {@code interpreter}, in any case
   * @throws IllegalArgumentException naming the targets there are if the name is none of them
   */
  public static Target parse(String name) {
    for (Kind k : Kind.values()) if (k.text().equalsIgnoreCase(name.strip())) return new Target(k, 1);
    throw new IllegalArgumentException("unknown target '" + name + "'; the targets are " + String.join(", ", names()));
  }

  /** {@return the names {@link #parse} takes, in order} */
  public static List<String> names() {
    return Arrays.stream(Kind.values()).map(Kind::text).toList();
  }

  /** {@return whether {@code jdk.incubator.vector} is in the boot layer, so that vector kernels can run} */
  public static boolean vectorAvailable() {
    return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  }

  /**
   * This target made concrete: {@link Kind#AUTO} becomes VECTOR where the Vector API is available and
   * SCALAR, after a one-line {@code notice} naming the flag, where it is not. An explicit VECTOR without
   * the Vector API is an {@link IllegalStateException} naming the flag.
   *
   * @param notice where the notice goes ({@code System.err::println})
   * @return VECTOR, SCALAR or INTERPRETER, with this target's threads
   * @throws IllegalStateException if this target is VECTOR and the JVM lacks the Vector API
   */
  public Target resolve(Consumer<String> notice) {
    boolean available = vectorAvailable();
    if (kind == Kind.VECTOR && !available) {
      throw new IllegalStateException("vector kernels need the JDK's Vector API, which this JVM was started without: run java "
          + "with --add-modules=jdk.incubator.vector, or ask for the auto target to fall back to scalar kernels");
    }
    if (kind != Kind.AUTO) return this;
    if (!available) {
      notice.accept("fusebox: jdk.incubator.vector is not available, using the scalar backend; "
          + "run java with --add-modules=jdk.incubator.vector for vector kernels");
    }
    return new Target(available ? Kind.VECTOR : Kind.SCALAR, threads);
  }

  /** The code generator's switch for a concrete generated target. */
  Backend backend() {
    switch (kind) {
      case VECTOR: return Backend.VECTOR;
      case SCALAR: return Backend.SCALAR;
      default: throw new IllegalStateException("target " + this + " has no generated code; resolve it first");
    }
  }

  /** {@code vector}, or {@code vector on 2 threads}. */
  @Override
  public String toString() {
    return kind.text() + (threads == 1 ? "" : " on " + threads + " threads");
  }
}
