package dev.fusebox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.stream.Stream;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DumpAndHelpTest {
  @TempDir Path dir;

  @Test
  void dumpWritesEveryStageOfTheCompilation() throws IOException {
    Path spec = Cli.resource("iris.json", dir);
    Path out = dir.resolve("dump");
    Cli.Result r = Cli.run("dump", spec, "--out", out);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();

    List<String> names = List.of("forward.txt", "forward.dot", "training.txt", "training.dot", "fused.txt", "fused.dot",
        "fusion-report.txt", "memory-plan.txt");
    try (var files = Files.list(out)) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrderElementsOf(
          Stream.concat(names.stream(), Stream.of("dev")).toList());
    }
    try (var java = Files.walk(out.resolve("dev"))) {
      Path source = java.filter(f -> f.toString().endsWith(".java")).findFirst().orElseThrow();
      assertThat(Files.readString(source)).contains("extends GeneratedProgram").contains("FloatVector");
      assertThat(r.outLines()).anyMatch(l -> l.startsWith("wrote " + source + " ") && l.contains("the generated program"));
    }
    for (String name : names) {
      String text = Files.readString(out.resolve(name));
      assertThat(text).as(name).isNotBlank();
      if (name.endsWith(".dot")) assertThat(text).as(name).startsWith("digraph fusebox {").endsWith("}\n");
      assertThat(r.outLines()).anyMatch(l -> l.startsWith("wrote " + out.resolve(name) + " "));
    }
    assertThat(Files.readString(out.resolve("forward.txt"))).contains("output loss = ").doesNotContain("exp_avg");
    assertThat(Files.readString(out.resolve("training.txt"))).contains("update layers.0.weight <- ").doesNotContain("kernel ");
    assertThat(Files.readAllLines(out.resolve("fused.txt"))).filteredOn(l -> l.startsWith("kernel dense: ")).hasSize(2);
    assertThat(Files.readString(out.resolve("fused.dot"))).contains("subgraph cluster_k0");
    assertThat(Files.readString(out.resolve("fusion-report.txt"))).contains("kernel 0 dense: matmul(layers.0.xw; ");
    String plan = Files.readString(out.resolve("memory-plan.txt"));
    assertThat(plan).startsWith("memory: ").contains("buffer 0: ");
    assertThat(r.outLines()).hasSize(names.size() + 2).last().isEqualTo(plan.lines().findFirst().orElseThrow());
  }

  @Test
  void dumpIntoAFileIsAnError() {
    Path spec = Cli.resource("iris.json", dir);
    Path file = Cli.write(dir.resolve("notes.txt"), "notes");
    Cli.Result r = Cli.run("dump", spec, "--out", file);
    assertThat(r.exitCode()).isEqualTo(Errors.USER);
    assertThat(r.error()).isEqualTo("fusebox: error: " + file + ": is a file, not a directory");
    assertThat(file).hasContent("notes");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "         | train, predict, export, dump, bench, --debug, --version, --help",
    "train    | SPEC.json, --data=FILE.csv, --label=COLUMN, --valid=FILE.csv, --init=FILE.safetensors, --out=FILE.safetensors, "
        + "--epochs=N, --steps=N, --no-shuffle, --log=FILE.csv, --backend=NAME, --threads=N, --seed=N, --debug, --help, "
        + "model.safetensors",
    "predict  | SPEC.json, --model=FILE.safetensors, --data=FILE.csv, --label=COLUMN, --out=FILE.csv, --backend=NAME, --threads=N, "
        + "--debug, --help",
    "export   | SPEC.json, --model=FILE.safetensors, --out=FILE.onnx, --debug, --help, probabilities, opset 17",
    "dump     | SPEC.json, --out=DIR, --debug, --help, fused.txt, memory-plan.txt",
    "bench    | SPEC.json, --warmup-ms=MS, --blocks=N, --block-ms=MS, --seed=N, --debug, --help"})
  void helpListsEveryOption(String command, String options) {
    Cli.Result r = command == null ? Cli.run("--help") : Cli.run(command, "--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).startsWith("Usage: fusebox" + (command == null ? "" : " " + command));
    for (String option : options.split(",\\s*")) assertThat(r.out()).contains(option);
  }

  @Test
  void theTopLevelHelpSumsUpEveryCommandInAWholeSentence() {
    Cli.Result r = Cli.run("--help");
    List<String> lines = r.outLines();
    int start = lines.indexOf("Commands:");
    assertThat(start).as(r.out()).isPositive();
    // An entry is "  name  summary", continued on lines indented further; the list ends at a blank line.
    Map<String, String> summaries = new LinkedHashMap<>();
    String current = null;
    for (String line : lines.subList(start + 1, lines.size())) {
      if (line.isBlank()) break;
      Matcher m = Pattern.compile("^  (\\w+)\\s+(.*)$").matcher(line);
      if (m.matches()) {
        current = m.group(1);
        summaries.put(current, m.group(2).strip());
      } else {
        summaries.merge(current, line.strip(), (a, b) -> a + " " + b);
      }
    }
    Set<String> commands = Main.commandLine(System.out, System.err).getSubcommands().keySet();
    assertThat(summaries.keySet()).containsExactlyElementsOf(commands);
    summaries.forEach((command, summary) -> assertThat(summary).as(command).endsWith("."));
  }

  @Test
  void versionNamesTheRelease() {
    Cli.Result r = Cli.run("--version");
    assertThat(r.exitCode()).isZero();
    assertThat(r.outLines().get(0)).matches("fusebox \\d+\\.\\d+\\.\\d+.*");
    assertThat(Cli.run("train", "--version").outLines().get(0)).isEqualTo(r.outLines().get(0));
  }
}
