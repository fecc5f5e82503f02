package dev.fusebox.spark;

import dev.fusebox.codegen.Hashes;
import dev.fusebox.codegen.ProgramEmitter;
import dev.fusebox.load.JaninoLoader;
import dev.fusebox.load.ProgramLoader;
import dev.fusebox.runtime.GeneratedProgram;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The compiled classes of one executor JVM, keyed by the SHA-256 of their generated source: the first
 * task that needs a class compiles it, and tasks that ask for it meanwhile, on other threads, wait for
 * that compile instead of starting their own, so each source is compiled once per JVM however many task
 * threads start at once. Every task then makes its own program from the shared class (a program is not
 * thread-safe). A failed compile is not kept, so a later task tries again and sees the error itself.
 *
 * <p>This is the one piece of state an executor keeps between tasks; it lives as long as the JVM, since
 * that is what makes the second and later tasks of a job cheap. Classes are small (a few per model).
 */
public final class OnceLoader implements ProgramLoader {
  private static final OnceLoader EXECUTOR = new OnceLoader();

  private final ConcurrentMap<String, CompletableFuture<Class<? extends GeneratedProgram>>> classes = new ConcurrentHashMap<>();
  // Janino itself, without a cache: this loader is the cache.
  private final JaninoLoader janino = new JaninoLoader(0);
  private final AtomicInteger compiles = new AtomicInteger();

  OnceLoader() {}

  /** The loader of this JVM, which every task of a Fusebox stage compiles through. */
  public static OnceLoader executor() {
    return EXECUTOR;
  }

  @Override
  public Class<? extends GeneratedProgram> load(ProgramEmitter.Source source) {
    String key = Hashes.sha256(source.code());
    CompletableFuture<Class<? extends GeneratedProgram>> mine = new CompletableFuture<>();
    CompletableFuture<Class<? extends GeneratedProgram>> existing = classes.putIfAbsent(key, mine);
    if (existing != null) {
      try {
        return existing.join();
      } catch (CompletionException e) {
        throw unwrap(e);
      }
    }
    try {
      Class<? extends GeneratedProgram> type = janino.load(source);
      compiles.incrementAndGet();
      mine.complete(type);
      return type;
    } catch (RuntimeException | Error e) {
      classes.remove(key, mine);
      mine.completeExceptionally(e);
      throw e;
    }
  }

  /** How many sources this loader has compiled (not found): one per distinct program, however many tasks ran. */
  public int compiles() {
    return compiles.get();
  }

  /** How many compiled classes it holds. */
  public int size() {
    return classes.size();
  }

  private static RuntimeException unwrap(CompletionException e) {
    Throwable cause = e.getCause();
    if (cause instanceof RuntimeException r) return r;
    if (cause instanceof Error err) throw err;
    return e;
  }
}
