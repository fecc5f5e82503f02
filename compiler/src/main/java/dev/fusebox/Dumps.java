package dev.fusebox;

import dev.fusebox.codegen.ProgramEmitter;
import dev.fusebox.ir.Dot;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.GraphPrinter;
import dev.fusebox.passes.memory.MemoryPlan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes what a compilation produced, for people to read and for ahead-of-time builds: the graphs
 * (text and DOT) before and after the passes, the fusion report, the memory plan and the generated
 * Java source ({@code <package path>/<class>.java}, compilable with javac against the runtime jar).
 * It reads a compilation through {@link Stages}, which {@code Compiler.Compilation} implements, so
 * that the compiler can dump what it compiles without the two depending on each other.
 */
public final class Dumps {
  private Dumps() {}

  /** What a dump shows of a compilation, stage by stage. */
  public interface Stages {
    /** {@return the forward graph, as given} */
    Graph forward();

    /** {@return the training graph before the passes} */
    Graph training();

    /** {@return the graph after the passes, with its kernels} */
    Graph fused();

    /** {@return the fused graph's memory plan} */
    MemoryPlan memory();

    /** {@return the kernels and every fusion decision with its reason, as text} */
    String fusionReport();
  }

  /** One file of a dump besides the generated source: its name, what it holds, and how to make it. */
  private record Part(String name, String what, Function<Stages, String> content) {}

  /** The graph and report files of a dump, in the order they are written. */
  private static final List<Part> PARTS = List.of(
      new Part("forward.txt", "the forward graph", c -> GraphPrinter.print(c.forward())),
      new Part("forward.dot", "the forward graph, Graphviz", c -> Dot.render(c.forward())),
      new Part("training.txt", "the training graph before passes", c -> GraphPrinter.print(c.training())),
      new Part("training.dot", "the training graph before passes, Graphviz", c -> Dot.render(c.training())),
      new Part("fused.txt", "the graph after passes, with its kernels", c -> GraphPrinter.print(c.fused())),
      new Part("fused.dot", "the graph after passes, kernels as clusters, Graphviz", c -> Dot.render(c.fused())),
      new Part("fusion-report.txt", "kernels and every fusion decision with its reason", Stages::fusionReport),
      new Part("memory-plan.txt", "buffers after memory planning", c -> c.memory().report()));

  /**
   * {@return what a dump file holds, for people: {@code forward.txt} → "the forward graph"; empty for a
   * name a dump does not write}
   *
   * @param file a file name of a dump
   */
  public static String describe(String file) {
    for (Part p : PARTS) if (p.name().equals(file)) return p.what();
    return file.endsWith(".java") ? "the generated program" : "";
  }

  /**
   * {@return the files of a dump: their contents by relative path, in the order they are written}
   *
   * @param c the compilation
   * @param source its generated source, or null to leave the program out
   */
  public static Map<String, String> files(Stages c, ProgramEmitter.Source source) {
    Map<String, String> f = new LinkedHashMap<>();
    for (Part p : PARTS) f.put(p.name(), p.content().apply(c));
    if (source != null) f.put(source.qualifiedName().replace('.', '/') + ".java", source.code());
    return f;
  }

  /**
   * Writes the files under {@code dir}, each to a temporary name then renamed.
   *
   * @param dir the directory, created if missing
   * @param c the compilation
   * @param source its generated source, or null to leave the program out
   * @return what it wrote, as {@link #files} gives it
   * @throws java.io.UncheckedIOException naming the directory if a file cannot be written
   */
  public static Map<String, String> write(Path dir, Stages c, ProgramEmitter.Source source) {
    Map<String, String> files = files(c, source);
    try {
      for (Map.Entry<String, String> e : files.entrySet()) {
        Path target = dir.resolve(e.getKey());
        Files.createDirectories(target.getParent() == null ? dir : target.getParent());
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(tmp, e.getValue(), StandardCharsets.UTF_8);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the dump to " + dir + ": " + e.getMessage(), e);
    }
    return files;
  }
}
