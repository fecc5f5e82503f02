package dev.fusebox.codegen;

/**
 * How the code generator writes kernels: with the JDK Vector API, or as plain Java loops (the portable
 * fallback). Where a program runs, and what happens without the Vector API, is {@link dev.fusebox.Target}'s
 * to say.
 */
public enum Backend {
  VECTOR,
  SCALAR
}
