package dev.fusebox.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.data.CsvData;
import dev.fusebox.runtime.data.Dataset;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Docs that cannot rot: every fenced {@code java} block of the README compiles, with javac, against the
 * classes this build made. A block with a class in it is a compilation unit as it stands; any other is a
 * fragment: its imports stay imports, the rest becomes a method body. The embedding example also runs.
 */
class ReadmeSnippetsTest {
  @TempDir Path dir;

  /** A fenced block: where it starts in the README (1-based line of the fence) and its text. */
  record Snippet(int line, String code) {
    boolean isCompilationUnit() {
      return code.lines().anyMatch(l -> l.matches("^(public |final |abstract )*(class|record|interface|enum) \\w+.*"));
    }

    String className() {
      return "ReadmeSnippetAtLine" + line;
    }

    /** The source javac gets, in the file {@code className().java} unless it declares its own class. */
    String source() {
      if (isCompilationUnit()) return code;
      String imports = code.lines().filter(l -> l.startsWith("import ")).collect(Collectors.joining("\n"));
      String body = code.lines().filter(l -> !l.startsWith("import ")).map(l -> "    " + l).collect(Collectors.joining("\n"));
      return imports + "\n\nclass " + className() + " {\n  static void run() throws Exception {\n" + body + "\n  }\n}\n";
    }

    String fileName() {
      if (!isCompilationUnit()) return className() + ".java";
      String declared = code.lines()
          .filter(l -> l.matches("^(public |final |abstract )*(class|record|interface|enum) \\w+.*")).findFirst().orElseThrow()
          .replaceAll("^(public |final |abstract )*(class|record|interface|enum) (\\w+).*", "$3");
      return declared + ".java";
    }
  }

  static Path readme() {
    // Surefire runs each module's tests in that module's directory; the README is one level up.
    Path file = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("../README.md").normalize();
    assertThat(file).as("the project's README").isRegularFile();
    return file;
  }

  static List<Snippet> javaSnippets() throws IOException {
    List<String> lines = Files.readAllLines(readme(), StandardCharsets.UTF_8);
    List<Snippet> snippets = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (!lines.get(i).strip().equals("```java")) continue;
      int start = i;
      StringBuilder code = new StringBuilder();
      for (i++; i < lines.size() && !lines.get(i).strip().equals("```"); i++) code.append(lines.get(i)).append('\n');
      assertThat(i).as("the java block at README line %d is closed", start + 1).isLessThan(lines.size());
      snippets.add(new Snippet(start + 1, code.toString()));
    }
    return snippets;
  }

  /** Compiles the snippets into {@code out}; returns javac's errors, each naming the README line it comes from. */
  static List<String> compile(List<Snippet> snippets, Path out) throws IOException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertThat(javac).as("a JDK's compiler (tests need a JDK, not a JRE)").isNotNull();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    List<String> errors = new ArrayList<>();
    for (Snippet s : snippets) {
      Path src = Files.createDirectories(out.resolve("src-" + s.line())).resolve(s.fileName());
      Files.writeString(src, s.source(), StandardCharsets.UTF_8);
      // Surefire may run tests from a manifest-only jar; its own property has the real class path.
      String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      List<String> options = List.of("--release", "17", "-proc:none", "-Xlint:all,-options", "-classpath", classpath, "-d",
          Files.createDirectories(out.resolve("classes")).toString());
      try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
        javac.getTask(null, files, diagnostics, options, null, files.getJavaFileObjects(src.toFile())).call();
      }
      for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
        if (d.getKind() == Diagnostic.Kind.ERROR || d.getKind() == Diagnostic.Kind.WARNING
            || d.getKind() == Diagnostic.Kind.MANDATORY_WARNING) {
          errors.add("README java block at line " + s.line() + ": " + d.getKind() + " " + d.getMessage(Locale.ROOT)
              + " in: " + lineOf(s.source(), d.getLineNumber()));
        }
      }
      diagnostics = new DiagnosticCollector<>();
    }
    return errors;
  }

  private static String lineOf(String source, long line) {
    List<String> lines = source.lines().toList();
    return line >= 1 && line <= lines.size() ? lines.get((int) line - 1).strip() : "?";
  }

  @Test
  void everyJavaBlockOfTheReadmeCompiles() throws IOException {
    List<Snippet> snippets = javaSnippets();
    assertThat(snippets).as("java blocks in the README").hasSizeGreaterThanOrEqualTo(2);
    assertThat(compile(snippets, dir)).isEmpty();
  }

  @Test
  void noBlockImportsTheCompilerPackageWithAWildcard() throws IOException {
    // On JDK 17 to 20, java.lang.Compiler makes Compiler ambiguous next to "import dev.fusebox.*;".
    for (Snippet s : javaSnippets()) assertThat(s.code()).as("block at line %d", s.line()).doesNotContain("import dev.fusebox.*;");
  }

  @Test
  void theCompilerCatchesAnImportTheQuickStartLacks() throws IOException {
    // The check has teeth: drop one import from a block and javac names what is missing.
    Snippet quickStart = javaSnippets().stream().filter(s -> !s.isCompilationUnit()).findFirst().orElseThrow();
    Snippet broken = new Snippet(quickStart.line(), quickStart.code().replace("import dev.fusebox.builder.Tensor;\n", ""));
    assertThat(broken.code()).isNotEqualTo(quickStart.code());
    assertThat(compile(List.of(broken), dir)).anyMatch(e -> e.contains("cannot find symbol") && e.contains("Tensor"));
  }

  @Test
  void theEmbeddingExampleTrainsSavesLoadsAndPredicts() throws Exception {
    Snippet embedding = javaSnippets().stream().filter(s -> s.code().contains("static FloatTensor predict(")).findFirst()
        .orElseThrow(() -> new AssertionError("the README has no embedding example with a predict method"));
    Path classes = dir.resolve("classes");
    assertThat(compile(List.of(embedding), dir)).isEmpty();
    Path train = SampleData.copy("iris-train.csv", dir);
    Path valid = SampleData.copy("iris-valid.csv", dir);
    Path flowers = dir.resolve("flowers.csv");
    Files.write(flowers, Files.readAllLines(valid).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList());
    Path model = dir.resolve("iris.safetensors");

    String name = embedding.fileName().replace(".java", "");
    PrintStream stdout = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    FloatTensor probabilities;
    try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
      Class<?> example = loader.loadClass(name);
      Method trainMethod = example.getDeclaredMethod("train", Path.class, Path.class);
      Method predictMethod = example.getDeclaredMethod("predict", Path.class, Path.class);
      trainMethod.setAccessible(true);
      predictMethod.setAccessible(true);
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8)); // the trainer's epoch lines
      try {
        trainMethod.invoke(null, train, model);
      } finally {
        System.setOut(stdout);
      }
      probabilities = (FloatTensor) predictMethod.invoke(null, model, flowers);
    }
    Dataset truth = CsvData.readClasses(valid, "species", 3);
    int correct = 0;
    for (int r = 0; r < truth.rows(); r++) {
      if (BatchScoring.argmax(probabilities.data(), r * 3, 3) == truth.label(r)) correct++;
    }
    assertThat((double) correct / truth.rows()).as(printed.toString(StandardCharsets.UTF_8)).isGreaterThanOrEqualTo(0.9);
  }
}
