package dev.fusebox;

import dev.fusebox.codegen.ProgramEmitter;
import dev.fusebox.ir.Dot;
import dev.fusebox.ir.GraphPrinter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes what a compilation produced, for people to read and for ahead-of-time builds: the graphs
 * (text and DOT) before and after the passes, the fusion report, the memory plan and the generated
 * Java source ({@code <package path>/<class>.java}, compilable with javac against the runtime jar).
 */
public final class Dumps {
  private Dumps() {}

  /** What a dump file holds, for people: {@code forward.txt} → "the forward graph". */
  public static String describe(String file) {
    switch (file) {
      case "forward.txt": return "the forward graph";
      case "forward.dot": return "the forward graph, Graphviz";
      case "training.txt": return "the training graph before passes";
      case "training.dot": return "the training graph before passes, Graphviz";
      case "fused.txt": return "the graph after passes, with its kernels";
      case "fused.dot": return "the graph after passes, kernels as clusters, Graphviz";
      case "fusion-report.txt": return "kernels and every fusion decision with its reason";
      case "memory-plan.txt": return "buffers after memory planning";
      default: return file.endsWith(".java") ? "the generated program" : "";
    }
  }

  /** The files of a dump, by relative path, in the order they are written. */
  public static Map<String, String> files(Compiler.Compilation c, ProgramEmitter.Source source) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("forward.txt", GraphPrinter.print(c.forward()));
    f.put("forward.dot", Dot.render(c.forward()));
    f.put("training.txt", GraphPrinter.print(c.training()));
    f.put("training.dot", Dot.render(c.training()));
    f.put("fused.txt", GraphPrinter.print(c.fused()));
    f.put("fused.dot", Dot.render(c.fused()));
    f.put("fusion-report.txt", c.fusionReport());
    f.put("memory-plan.txt", c.memory().report());
    if (source != null) f.put(source.qualifiedName().replace('.', '/') + ".java", source.code());
    return f;
  }

  /** Writes the files under {@code dir}, each to a temporary name then renamed; returns what it wrote. */
  public static Map<String, String> write(Path dir, Compiler.Compilation c, ProgramEmitter.Source source) {
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
