package dev.fusebox.cli;

import dev.fusebox.Compiler.Compilation;
import dev.fusebox.ir.Dot;
import dev.fusebox.ir.GraphPrinter;
import dev.fusebox.model.ModelSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code fusebox dump}: writes what the compiler makes of a spec, stage by stage, as text and Graphviz files. */
@Command(name = "dump", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
    description = {"Write what the compiler makes of a model into a directory.", "Files:",
        "  forward.txt, forward.dot    the forward graph",
        "  training.txt, training.dot  with backward pass and optimizer, before passes",
        "  fused.txt, fused.dot        after the passes, with its kernels",
        "  fusion-report.txt           kernels, and each fusion decision with its reason",
        "  memory-plan.txt             buffers after memory planning",
        "Draw a .dot file with Graphviz: dot -Tsvg fused.dot > fused.svg", ""})
final class DumpCommand implements Callable<Integer> {

  /** One file of a dump: its name, what it holds, and how to make it. */
  record DumpFile(String name, String what, Function<Compilation, String> content) {}

  /** Every file a dump writes, in order. */
  static final List<DumpFile> FILES = List.of(
      new DumpFile("forward.txt", "the forward graph", c -> GraphPrinter.print(c.forward())),
      new DumpFile("forward.dot", "the forward graph, Graphviz", c -> Dot.render(c.forward())),
      new DumpFile("training.txt", "the training graph before passes", c -> GraphPrinter.print(c.training())),
      new DumpFile("training.dot", "the training graph before passes, Graphviz", c -> Dot.render(c.training())),
      new DumpFile("fused.txt", "the graph after passes, with its kernels", c -> GraphPrinter.print(c.fused())),
      new DumpFile("fused.dot", "the graph after passes, kernels as clusters, Graphviz", c -> Dot.render(c.fused())),
      new DumpFile("fusion-report.txt", "kernels and every fusion decision with its reason", Compilation::fusionReport),
      new DumpFile("memory-plan.txt", "buffers after memory planning", c -> c.memory().report()));

  @ParentCommand Main main;

  @Parameters(index = "0", paramLabel = "SPEC.json", description = "The model to compile.")
  Path spec;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "The directory to write into (created if missing).")
  Path out;

  @Override
  public Integer call() throws IOException {
    ModelSpec model = Models.readSpec(spec, null);
    Compilation compilation = Models.compile(model);
    if (Files.exists(out) && !Files.isDirectory(out)) throw new UserError(out + ": is a file, not a directory");
    Files.createDirectories(out);
    for (DumpFile f : FILES) {
      String text = f.content().apply(compilation);
      Path file = out.resolve(f.name());
      Files.writeString(file, text, StandardCharsets.UTF_8);
      main.out.printf("wrote %-40s %s (%d lines)%n", file, f.what(), text.lines().count());
    }
    main.out.println(compilation.memory().summary());
    return Errors.OK;
  }
}
