package dev.fusebox;

import dev.fusebox.diag.Debug;
import dev.fusebox.load.JaninoLoader;
import dev.fusebox.load.ProgramLoader;
import java.util.Set;
import java.util.TreeSet;

/**
 * Options for {@link Compiler}: how a graph is compiled. Where its program runs is the
 * {@link Target} given to {@link Compiler.Compilation#program(Target)}. Immutable; start from
 * {@link #defaults()}.
 *
 * @param disabledPasses passes to skip, by name (the defaults take {@code -Dfusebox.passes.disable=...})
 * @param clipGradNorm clip gradients to this global L2 norm; 0 for none
 * @param verify verify the graph around every pass (also at {@code fusebox.debug >= 1})
 * @param debug debug level (0-3; default from {@code fusebox.debug})
 * @param loader what compiles the generated source (default the shared Janino loader)
 */
public record CompileOptions(Set<String> disabledPasses, double clipGradNorm, boolean verify, int debug, ProgramLoader loader) {

  public CompileOptions {
    disabledPasses = Set.copyOf(disabledPasses);
  }

  public static CompileOptions defaults() {
    return new CompileOptions(Debug.disabledPasses(), 0, false, Debug.level(), JaninoLoader.shared());
  }

  public CompileOptions withoutPasses(String... names) {
    Set<String> d = new TreeSet<>(disabledPasses);
    d.addAll(Set.of(names));
    return new CompileOptions(d, clipGradNorm, verify, debug, loader);
  }

  public CompileOptions withClipGradNorm(double maxNorm) {
    return new CompileOptions(disabledPasses, maxNorm, verify, debug, loader);
  }

  public CompileOptions withVerify(boolean verify) {
    return new CompileOptions(disabledPasses, clipGradNorm, verify, debug, loader);
  }

  public CompileOptions withDebug(int level) {
    return new CompileOptions(disabledPasses, clipGradNorm, verify, level, loader);
  }

  public CompileOptions withLoader(ProgramLoader loader) {
    return new CompileOptions(disabledPasses, clipGradNorm, verify, debug, loader);
  }
}
