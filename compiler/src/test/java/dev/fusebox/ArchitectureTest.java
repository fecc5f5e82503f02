package dev.fusebox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Imports follow the pipeline: a package uses only packages of a lower layer in the table of
 * ARCHITECTURE.md's "Package directions", which this test reads, so that the directions are written
 * down once. Every import and every fully qualified name in code (not in comments or strings) counts.
 */
class ArchitectureTest {
  static final Path ROOT = Path.of("..");
  static final String BASE = "dev.fusebox";
  static final List<String> MODULES = List.of("runtime", "compiler", "samples", "bench", "spark", "spark-samples");

  /** A use of a Fusebox package in code: {@code dev.fusebox.x.y.Type}. */
  static final Pattern USE = Pattern.compile("\\bdev\\.fusebox((?:\\.[a-z]\\w*)*)\\.[A-Z]");
  static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);

  /** Package → layer, from the table in ARCHITECTURE.md. */
  static Map<String, Integer> layers() throws IOException {
    Path doc = ROOT.resolve("ARCHITECTURE.md");
    assertThat(doc).as("ARCHITECTURE.md at the repository root").exists();
    String text = Files.readString(doc, StandardCharsets.UTF_8);
    int section = text.indexOf("\n## Package directions");
    assertThat(section).as("ARCHITECTURE.md has a section '## Package directions'").isPositive();
    int end = text.indexOf("\n## ", section + 1);
    Map<String, Integer> layers = new TreeMap<>();
    Matcher row = Pattern.compile("^\\| (\\d+) \\| ([^|]+) \\|", Pattern.MULTILINE).matcher(text.substring(section, end < 0 ? text.length() : end));
    while (row.find()) {
      Matcher name = Pattern.compile("`([\\w.]+)`").matcher(row.group(2));
      while (name.find()) {
        String pkg = name.group(1).equals(BASE) ? BASE : BASE + "." + name.group(1);
        assertThat(layers.put(pkg, Integer.parseInt(row.group(1)))).as("%s placed twice", pkg).isNull();
      }
    }
    assertThat(layers).as("layers in ARCHITECTURE.md").containsKeys(BASE, BASE + ".ir", BASE + ".runtime");
    return layers;
  }

  /** The main source files of every module. */
  static List<Path> sources() throws IOException {
    List<Path> files = new ArrayList<>();
    for (String module : MODULES) {
      Path main = ROOT.resolve(module).resolve("src/main/java");
      assertThat(main).as("sources of module %s", module).isDirectory();
      try (Stream<Path> walk = Files.walk(main)) {
        walk.filter(p -> p.toString().endsWith(".java")).sorted().forEach(files::add);
      }
    }
    return files;
  }

  /** The package of a source file and the Fusebox packages its code uses, itself left out. */
  static Map.Entry<String, TreeSet<String>> uses(String source) {
    Matcher p = PACKAGE.matcher(source);
    String pkg = p.find() ? p.group(1) : "";
    TreeSet<String> used = new TreeSet<>();
    Matcher m = USE.matcher(code(source));
    while (m.find()) {
      String target = BASE + m.group(1);
      if (!target.equals(pkg)) used.add(target);
    }
    return Map.entry(pkg, used);
  }

  /** The source without comments, string and character literals (text blocks included). */
  static String code(String s) {
    StringBuilder out = new StringBuilder(s.length());
    int i = 0;
    while (i < s.length()) {
      if (s.startsWith("//", i)) {
        while (i < s.length() && s.charAt(i) != '\n') i++;
      } else if (s.startsWith("/*", i)) {
        int close = s.indexOf("*/", i + 2);
        i = close < 0 ? s.length() : close + 2;
        out.append(' ');
      } else if (s.startsWith("\"\"\"", i)) {
        int close = s.indexOf("\"\"\"", i + 3);
        i = close < 0 ? s.length() : close + 3;
        out.append("\"\"");
      } else if (s.charAt(i) == '"' || s.charAt(i) == '\'') {
        char quote = s.charAt(i++);
        while (i < s.length() && s.charAt(i) != quote && s.charAt(i) != '\n') i += s.charAt(i) == '\\' ? 2 : 1;
        i++;
        out.append(quote).append(quote);
      } else {
        out.append(s.charAt(i++));
      }
    }
    return out.toString();
  }

  /** "a uses b" for every use that is not of a lower layer; unplaced packages are reported too. */
  static List<String> violations(Map<String, Integer> layers, Map<String, TreeSet<String>> uses) {
    List<String> out = new ArrayList<>();
    uses.forEach((pkg, used) -> {
      Integer mine = layers.get(pkg);
      if (mine == null) {
        out.add(pkg + " is not placed in ARCHITECTURE.md's package directions");
        return;
      }
      for (String u : used) {
        Integer theirs = layers.get(u);
        if (theirs == null) out.add(pkg + " uses " + u + ", which is not placed in ARCHITECTURE.md's package directions");
        else if (theirs >= mine) out.add(pkg + " (layer " + mine + ") uses " + u + " (layer " + theirs + ")");
      }
    });
    return out;
  }

  @Test
  void noPackageUsesOneAboveOrBesideIt() throws IOException {
    Map<String, TreeSet<String>> uses = new TreeMap<>();
    for (Path f : sources()) {
      Map.Entry<String, TreeSet<String>> u = uses(Files.readString(f, StandardCharsets.UTF_8));
      uses.computeIfAbsent(u.getKey(), k -> new TreeSet<>()).addAll(u.getValue());
    }
    assertThat(uses).as("packages found").containsKeys(BASE, BASE + ".ir", BASE + ".runtime", BASE + ".codegen");
    assertThat(violations(layers(), uses)).as("imports against the pipeline's direction").isEmpty();
  }

  @Test
  void theCheckSeesImportsAndQualifiedNamesButNotComments() throws IOException {
    Map<String, Integer> layers = layers();
    String ir = """
        package dev.fusebox.ir;

        import dev.fusebox.passes.Pass;
        import static dev.fusebox.ops.Arithmetic.add;

        /** See {@link dev.fusebox.codegen.ProgramEmitter}. */
        class Bad {
          String s = "dev.fusebox.cli.Main";
          Object o = dev.fusebox.runtime.FMath.class; // dev.fusebox.load.JaninoLoader
        }
        """;
    Map.Entry<String, TreeSet<String>> u = uses(ir);
    assertThat(u.getKey()).isEqualTo("dev.fusebox.ir");
    assertThat(u.getValue()).containsExactly("dev.fusebox.ops", "dev.fusebox.passes", "dev.fusebox.runtime");
    assertThat(violations(layers, Map.of(u.getKey(), u.getValue()))).containsExactly(
        "dev.fusebox.ir (layer 3) uses dev.fusebox.ops (layer 5)", "dev.fusebox.ir (layer 3) uses dev.fusebox.passes (layer 6)");
    assertThat(violations(layers, Map.of("dev.fusebox.runtime", new TreeSet<>(List.of("dev.fusebox")))))
        .containsExactly("dev.fusebox.runtime (layer 0) uses dev.fusebox (layer 10)");
    assertThat(violations(layers, Map.of("dev.fusebox.ops", new TreeSet<>(List.of("dev.fusebox.codegen"))))).hasSize(1);
    assertThat(violations(layers, Map.of("dev.fusebox.newthing", new TreeSet<String>()))).containsExactly(
        "dev.fusebox.newthing is not placed in ARCHITECTURE.md's package directions");
  }
}
