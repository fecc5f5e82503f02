package dev.fusebox.cli;

import dev.fusebox.Compiler.Compilation;
import dev.fusebox.Dumps;
import dev.fusebox.codegen.Backend;
import dev.fusebox.model.ModelSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
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
        "  dev/fusebox/generated/Program_<hash>.java",
        "                              the generated program (compiles with javac",
        "                              against the runtime jar alone)",
        "Draw a .dot file with Graphviz: dot -Tsvg fused.dot > fused.svg", ""})
final class DumpCommand implements Callable<Integer> {

  @ParentCommand Main main;

  @Parameters(index = "0", paramLabel = "SPEC.json", description = "The model to compile.")
  Path spec;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "The directory to write into (created if missing).")
  Path out;

  @Option(names = "--backend", paramLabel = "NAME", defaultValue = "vector",
      description = {"The generated code to dump: vector (default) or scalar."})
  String backend;

  @Override
  public Integer call() throws IOException {
    Backend codegen;
    switch (backend.strip().toLowerCase(Locale.ROOT)) {
      case "vector" -> codegen = Backend.VECTOR;
      case "scalar" -> codegen = Backend.SCALAR;
      default -> throw new UserError("unknown backend '" + backend + "' for dump; the backends are vector, scalar");
    }
    ModelSpec model = Models.readSpec(spec, null);
    Compilation compilation = Models.compile(model);
    if (Files.exists(out) && !Files.isDirectory(out)) throw new UserError(out + ": is a file, not a directory");
    Map<String, String> files;
    try {
      files = Dumps.write(out, compilation, compilation.source(codegen));
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    for (Map.Entry<String, String> f : files.entrySet()) {
      main.out.printf("wrote %-40s %s (%d lines)%n", out.resolve(f.getKey()), Dumps.describe(f.getKey()), f.getValue().lines().count());
    }
    main.out.println(compilation.memory().summary());
    return Errors.OK;
  }
}
