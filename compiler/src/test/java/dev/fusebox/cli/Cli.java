package dev.fusebox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Runs the {@code fusebox} command in-process, capturing what it prints, and provides the test files. */
final class Cli {
  private Cli() {}

  /** What a run printed and returned. */
  record Result(int exitCode, String out, String err) {
    List<String> outLines() {
      return out.lines().toList();
    }

    List<String> errLines() {
      return err.lines().toList();
    }

    /** The one line a failed run prints on standard error. */
    String error() {
      assertThat(errLines()).as("standard error of a failed run: exactly one line").hasSize(1);
      return errLines().get(0);
    }

    /** The last line of standard output that starts with {@code prefix}. */
    String line(String prefix) {
      List<String> matches = outLines().stream().filter(l -> l.startsWith(prefix)).toList();
      assertThat(matches).as("lines starting with '%s' in:%n%s", prefix, out).isNotEmpty();
      return matches.get(matches.size() - 1);
    }
  }

  static Result run(Object... args) {
    return runWithInput("", args);
  }

  /** Runs the command with {@code stdin} as its standard input ({@code --data -}). */
  static Result runWithInput(String stdin, Object... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] strings = new String[args.length];
    for (int i = 0; i < args.length; i++) strings[i] = args[i].toString();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = Main.commandLine(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), o, e).execute(strings);
    }
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Copies a test resource of this package into {@code dir}. */
  static Path resource(String name, Path dir) {
    try (InputStream in = Cli.class.getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException("no test resource " + name);
      Path file = dir.resolve(name);
      Files.copy(in, file);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path write(Path file, String text) {
    try {
      return Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The {@code loss} column of a step log, after checking its header. */
  static List<Double> losses(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log);
    assertThat(lines.get(0)).isEqualTo("epoch,step,loss,ms");
    return lines.stream().skip(1).map(l -> Double.parseDouble(l.split(",")[2])).toList();
  }
}
