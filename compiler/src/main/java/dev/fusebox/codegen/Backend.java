package dev.fusebox.codegen;

import java.util.function.Consumer;

/** How kernels are written: with the JDK Vector API, or as plain Java loops (the portable fallback). */
public enum Backend {
  VECTOR,
  SCALAR;

  /** Whether {@code jdk.incubator.vector} is in the boot layer, so that vector code can run. */
  public static boolean vectorAvailable() {
    return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  }

  /**
   * The backend to use: {@code requested}, except that VECTOR falls back to SCALAR, with a one-line
   * notice naming the fix, when the Vector API module is not available. Never a crash.
   */
  public static Backend resolve(Backend requested, Consumer<String> notice) {
    if (requested == VECTOR && !vectorAvailable()) {
      notice.accept("fusebox: jdk.incubator.vector is not available, using the scalar backend; "
          + "run java with --add-modules=jdk.incubator.vector for vector kernels");
      return SCALAR;
    }
    return requested;
  }
}
