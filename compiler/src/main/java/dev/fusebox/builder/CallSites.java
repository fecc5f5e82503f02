package dev.fusebox.builder;

import java.util.Optional;

/**
 * Finds the user's call site of a builder method: the first stack frame outside this package. The
 * walk is lazy and stops at that frame, so it costs about a microsecond per node. Set
 * {@code -Dfusebox.callsites=false} to skip it entirely.
 */
final class CallSites {
  private static final boolean ENABLED = !"false".equals(System.getProperty("fusebox.callsites"));
  private static final String PACKAGE = CallSites.class.getPackageName() + ".";
  private static final StackWalker WALKER = StackWalker.getInstance();

  private CallSites() {}

  static String capture() {
    if (!ENABLED) return "";
    Optional<StackWalker.StackFrame> frame = WALKER.walk(frames -> frames
        .filter(f -> !f.getClassName().startsWith(PACKAGE))
        .findFirst());
    return frame.map(f -> (f.getFileName() == null ? f.getClassName() : f.getFileName()) + ":" + f.getLineNumber()).orElse("");
  }
}
