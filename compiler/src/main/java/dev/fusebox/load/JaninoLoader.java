package dev.fusebox.load;

import dev.fusebox.codegen.Hashes;
import dev.fusebox.codegen.ProgramEmitter;
import dev.fusebox.runtime.GeneratedProgram;
import java.io.IOException;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.codehaus.commons.compiler.CompileException;
import org.codehaus.commons.compiler.InternalCompilerException;
import org.codehaus.janino.SimpleCompiler;

/**
 * Compiles generated source in-process with Janino (a few milliseconds), each class in its own class
 * loader. Classes are cached by the source's SHA-256, so compiling the same graph again costs
 * nothing; the cache is bounded and safe to share between threads.
 */
public final class JaninoLoader implements ProgramLoader {
  private static final JaninoLoader SHARED = new JaninoLoader(64);

  private final int capacity;
  private final Map<String, Class<? extends GeneratedProgram>> cache;
  private volatile long lastCompileNanos;

  /**
   * A loader with its own cache; {@link #shared()} is the one to use unless the cache must be separate.
   *
   * @param capacity classes the cache holds; the least recently used is dropped beyond
   */
  public JaninoLoader(int capacity) {
    this.capacity = capacity;
    this.cache = new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Class<? extends GeneratedProgram>> eldest) {
        return size() > JaninoLoader.this.capacity;
      }
    };
  }

  /** {@return the loader shared by default (its cache holds 64 classes)} */
  public static JaninoLoader shared() {
    return SHARED;
  }

  /** {@return the wall time of the last compile that missed the cache, in nanoseconds; 0 before the first} */
  public long lastCompileNanos() {
    return lastCompileNanos;
  }

  @Override
  public Class<? extends GeneratedProgram> load(ProgramEmitter.Source source) {
    String key = Hashes.sha256(source.code());
    synchronized (cache) {
      Class<? extends GeneratedProgram> hit = cache.get(key);
      if (hit != null) return hit;
    }
    long start = System.nanoTime();
    SimpleCompiler compiler = new SimpleCompiler();
    compiler.setParentClassLoader(GeneratedProgram.class.getClassLoader());
    try {
      compiler.cook(source.qualifiedName() + ".java", new StringReader(source.code()));
    } catch (CompileException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNumber();
      throw ProgramLoader.compileError(source, "Janino", e.getMessage(), line);
    } catch (InternalCompilerException e) {
      Matcher m = Pattern.compile("Line (\\d+)").matcher(String.valueOf(e.getMessage()));
      int line = 0;
      while (m.find()) line = Integer.parseInt(m.group(1));
      Throwable root = e;
      while (root.getCause() != null) root = root.getCause();
      throw ProgramLoader.compileError(source, "Janino (internal error)", root.getMessage(), line);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    Class<? extends GeneratedProgram> type;
    try {
      type = compiler.getClassLoader().loadClass(source.qualifiedName()).asSubclass(GeneratedProgram.class);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("bug in code generation: " + source.qualifiedName() + " not found after compiling", e);
    }
    lastCompileNanos = System.nanoTime() - start;
    synchronized (cache) {
      cache.put(key, type);
    }
    return type;
  }
}
