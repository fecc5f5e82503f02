package dev.fusebox.load;

import dev.fusebox.codegen.ProgramEmitter;
import dev.fusebox.runtime.GeneratedProgram;

/**
 * Compiles generated source into a class. A loaded class is immutable and shared; each call of
 * {@link #newProgram} makes a new program with its own buffers, so programs are safe to create and
 * run one per thread.
 */
public interface ProgramLoader {

  /**
   * {@return the class of {@code source}, compiled or found in the cache}
   *
   * @param source generated source, as {@code Compilation.source} gives it
   * @throws IllegalStateException (a bug in code generation) if the compiler rejects the source
   */
  Class<? extends GeneratedProgram> load(ProgramEmitter.Source source);

  /**
   * {@return a new program instance of the compiled source, with the source attached; one thread}
   *
   * @param source generated source
   * @throws IllegalStateException (a bug in code generation) if the source cannot be compiled or instantiated
   */
  default GeneratedProgram newProgram(ProgramEmitter.Source source) {
    return newProgram(source, 1);
  }

  /**
   * {@return a new program instance whose large matmuls use {@code threads} threads (close it to stop them)}
   *
   * @param source generated source
   * @param threads 1 or more
   * @throws IllegalStateException (a bug in code generation) if the source cannot be compiled or instantiated
   */
  default GeneratedProgram newProgram(ProgramEmitter.Source source, int threads) {
    Class<? extends GeneratedProgram> type = load(source);
    try {
      return type.getConstructor(int.class).newInstance(threads).withSource(source.code());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("bug in code generation: cannot instantiate " + type.getName() + ": " + e, e);
    }
  }

  /**
   * {@return the compile error of generated code (a bug), with the offending lines and how to dump the source}
   *
   * @param source the source the compiler rejected
   * @param compiler the compiler's name, for the message
   * @param message the compiler's message
   * @param line the 1-based line it names, or 0 if none
   */
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
