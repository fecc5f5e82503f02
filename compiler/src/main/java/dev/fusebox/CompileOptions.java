package dev.fusebox;

import dev.fusebox.codegen.Backend;
import dev.fusebox.diag.Debug;
import dev.fusebox.load.JaninoLoader;
import dev.fusebox.load.ProgramLoader;
import java.util.Set;
import java.util.TreeSet;

/**
 * Options for {@link Compiler}. Immutable; start from {@link #defaults()}.
 *
 * @param disabledPasses passes to skip, by name (also {@code -Dfusebox.passes.disable=...})
 * @param clipGradNorm clip gradients to this global L2 norm; 0 for none
 * @param verify verify the graph around every pass (also at {@code fusebox.debug >= 1})
 * @param debug debug level (0-3; default from {@code fusebox.debug})
 * @param backend vector kernels or plain Java loops (default vector)
 * @param loader what compiles the generated source (default the shared Janino loader)
 * @param threads threads large matmuls use (default 1; results are the same for any count)
 */
public record CompileOptions(Set<String> disabledPasses, double clipGradNorm, boolean verify, int debug, Backend backend,
    ProgramLoader loader, int threads) {

  public CompileOptions {
    disabledPasses = Set.copyOf(disabledPasses);
    if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
  }

  public static CompileOptions defaults() {
    return new CompileOptions(Set.of(), 0, false, Debug.level(), Backend.VECTOR, JaninoLoader.shared(), 1);
  }

  public CompileOptions withoutPasses(String... names) {
    Set<String> d = new TreeSet<>(disabledPasses);
    d.addAll(Set.of(names));
    return new CompileOptions(d, clipGradNorm, verify, debug, backend, loader, threads);
  }

  public CompileOptions withClipGradNorm(double maxNorm) {
    return new CompileOptions(disabledPasses, maxNorm, verify, debug, backend, loader, threads);
  }

  public CompileOptions withVerify(boolean verify) {
    return new CompileOptions(disabledPasses, clipGradNorm, verify, debug, backend, loader, threads);
  }

  public CompileOptions withDebug(int level) {
    return new CompileOptions(disabledPasses, clipGradNorm, verify, level, backend, loader, threads);
  }

  public CompileOptions withBackend(Backend backend) {
    return new CompileOptions(disabledPasses, clipGradNorm, verify, debug, backend, loader, threads);
  }

  public CompileOptions withLoader(ProgramLoader loader) {
    return new CompileOptions(disabledPasses, clipGradNorm, verify, debug, backend, loader, threads);
  }

  public CompileOptions withThreads(int threads) {
    return new CompileOptions(disabledPasses, clipGradNorm, verify, debug, backend, loader, threads);
  }
}
