package dev.fusebox.builder;

import java.util.List;
import java.util.Optional;

/**
 * Finds the user's call site of a builder method: the first stack frame outside the builder classes
 * (their lambdas and nested classes included). The walk is lazy and stops at that frame, so it costs
 * about a microsecond per node. Set {@code -Dfusebox.callsites=false} to skip it entirely.
 */
final class CallSites {
  private static final boolean ENABLED = !"false".equals(System.getProperty("fusebox.callsites"));
  private static final List<String> BUILDER_CLASSES = List.of(
      GraphBuilder.class.getName(), Tensor.class.getName(), CallSites.class.getName(), Activation.class.getName());
  private static final StackWalker WALKER = StackWalker.getInstance();

  private CallSites() {}

  private static boolean isBuilder(String className) {
    for (String b : BUILDER_CLASSES) {
      if (className.startsWith(b) && (className.length() == b.length() || "$".indexOf(className.charAt(b.length())) == 0)) return true;
    }
    return false;
  }

  static String capture() {
    if (!ENABLED) return "";
    Optional<StackWalker.StackFrame> frame = WALKER.walk(frames -> frames
        .filter(f -> !isBuilder(f.getClassName()))
        .findFirst());
    return frame.map(f -> (f.getFileName() == null ? f.getClassName() : f.getFileName()) + ":" + f.getLineNumber()).orElse("");
  }
}
