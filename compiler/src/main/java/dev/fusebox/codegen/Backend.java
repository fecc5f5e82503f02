package dev.fusebox.codegen;

/**
 * How the code generator writes kernels: with the JDK Vector API, or as plain Java loops (the portable
 * fallback). Where a program runs, and what happens without the Vector API, is for the compiler's
 * {@code Target} to say.
 */
public enum Backend {
  /** Kernels on {@code jdk.incubator.vector}; running them needs {@code --add-modules=jdk.incubator.vector}. */
  VECTOR,
  /** Plain Java loops, which run on any JVM. */
  SCALAR
}
