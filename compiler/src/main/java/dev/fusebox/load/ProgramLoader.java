package dev.fusebox.load;

import dev.fusebox.codegen.ProgramEmitter;
import dev.fusebox.runtime.GeneratedProgram;

/**
 * Compiles generated source into a class. A loaded class is immutable and shared; each call of
 * {@link #newProgram} makes a new program with its own buffers, so programs are safe to create and
 * run one per thread.
 */
public interface ProgramLoader {

  /** Compiles (or finds in the cache) the class of {@code source}. */
  Class<? extends GeneratedProgram> load(ProgramEmitter.Source source);

  /** A new program instance of the compiled source, with the source attached. */
  default GeneratedProgram newProgram(ProgramEmitter.Source source) {
    return newProgram(source, 1);
  }

  /** A new program instance whose large matmuls use {@code threads} threads (close it to stop them). */
  default GeneratedProgram newProgram(ProgramEmitter.Source source, int threads) {
    Class<? extends GeneratedProgram> type = load(source);
    try {
      return type.getConstructor(int.class).newInstance(threads).withSource(source.code());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("bug in code generation: cannot instantiate " + type.getName() + ": " + e, e);
    }
  }

  /** The compile error of generated code (a bug), with the offending lines and how to dump the source. */
  static IllegalStateException compileError(ProgramEmitter.Source source, String compiler, String message, int line) {
    StringBuilder b = new StringBuilder("bug in code generation: " + compiler + " rejected the generated class "
        + source.className() + ": " + message + "\n");
    String[] lines = source.code().split("\n");
    for (int i = Math.max(0, line - 4); i < Math.min(lines.length, line + 3); i++) {
      b.append(String.format("%s%5d | %s%n", i + 1 == line ? ">" : " ", i + 1, lines[i]));
    }
    b.append("rerun with -Dfusebox.debug=3 (or -Dfusebox.dump=DIR) to dump the whole source");
    return new IllegalStateException(b.toString());
  }
}
