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

  /**
   * Options; the pass names are copied.
   *
   * @param disabledPasses passes to skip, by name (the defaults take {@code -Dfusebox.passes.disable=...})
   * @param clipGradNorm clip gradients to this global L2 norm; 0 for none
   * @param verify verify the graph around every pass (also at {@code fusebox.debug >= 1})
   * @param debug debug level (0-3; default from {@code fusebox.debug})
   * @param loader what compiles the generated source (default the shared Janino loader)
   */
  public CompileOptions {
    disabledPasses = Set.copyOf(disabledPasses);
  }

  /**
   * {@return the defaults: the passes {@code -Dfusebox.passes.disable} names are skipped, no gradient
   * clipping, verification off, the debug level of {@code -Dfusebox.debug}, the shared Janino loader}
   *
   * @throws IllegalArgumentException if {@code fusebox.debug} is set to something other than a number
   */
  public static CompileOptions defaults() {
    return new CompileOptions(Debug.disabledPasses(), 0, false, Debug.level(), JaninoLoader.shared());
  }

  /**
   * Skips passes, besides those already skipped; {@link Compiler#compile} checks that each is a pass.
   *
   * @param names pass names, as {@code fusebox.passes.disable} takes them ({@code kernel_fusion}, {@code cse})
   * @return new options; these are unchanged
   */
  public CompileOptions withoutPasses(String... names) {
    Set<String> d = new TreeSet<>(disabledPasses);
    d.addAll(Set.of(names));
    return new CompileOptions(d, clipGradNorm, verify, debug, loader);
  }

  /**
   * Scales the gradients down, when their global L2 norm exceeds {@code maxNorm}, to that norm before the
   * optimizer's update, as PyTorch's {@code clip_grad_norm_}; {@link Compiler#compile} checks the value.
   *
   * @param maxNorm the largest norm, finite and not negative; 0 for no clipping
   * @return new options; these are unchanged
   */
  public CompileOptions withClipGradNorm(double maxNorm) {
    return new CompileOptions(disabledPasses, maxNorm, verify, debug, loader);
  }

  /**
   * Verifies the graph around every pass, naming a pass that breaks an invariant; for debugging passes.
   *
   * @param verify true to verify
   * @return new options; these are unchanged
   */
  public CompileOptions withVerify(boolean verify) {
    return new CompileOptions(disabledPasses, clipGradNorm, verify, debug, loader);
  }

  /**
   * Sets how much the compiler prints to standard error (see the README's {@code fusebox.debug}).
   *
   * @param level 0 (nothing) to 3 (also dump every program)
   * @return new options; these are unchanged
   */
  public CompileOptions withDebug(int level) {
    return new CompileOptions(disabledPasses, clipGradNorm, verify, level, loader);
  }

  /**
   * Sets what compiles generated source into program classes.
   *
   * @param loader a loader, such as {@code JaninoLoader.shared()} (the default) or a {@code JavacLoader}
   * @return new options; these are unchanged
   */
  public CompileOptions withLoader(ProgramLoader loader) {
    return new CompileOptions(disabledPasses, clipGradNorm, verify, debug, loader);
  }
}
