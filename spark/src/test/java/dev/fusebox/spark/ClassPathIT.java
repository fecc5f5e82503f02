package dev.fusebox.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar a Spark job ships, fusebox-spark-VERSION-all.jar, on a class path where Spark's own jars come
 * first, as spark-submit puts them: Spark 4.2.0's Janino 3.1.9 and Jackson 2.21 ahead of everything in
 * the jar. Each run is a new JVM running {@code fusebox-spark predict} on local[2]. One shows why
 * Fusebox's dependencies are relocated in that jar: without the relocation Spark's Janino compiles
 * Fusebox's generated code, and rejects it. Also: an executor without the Vector API, which falls back
 * with one warning in the driver's log or, for an explicit vector target, fails naming the flag; and the
 * {@code fusebox-spark} launcher, scoring a CSV table into Parquet.
 */
class ClassPathIT {
  static final Path DATA = Path.of("../compiler/src/test/resources/dev/fusebox/cli");
  @TempDir static Path dir;
  static Path model;
  static List<String> expected;
  /** Spark's jars as a Spark 4.2.0 installation has them: what this test's class path holds of Spark, with Spark's Janino. */
  static List<String> spark;
  /** Fusebox as a plain dependency: its own jars and those of its dependencies, unrelocated. */
  static List<String> fusebox;

  @BeforeAll
  static void setUp() throws IOException {
    model = dir.resolve("iris.safetensors");
    fusebox("train", DATA.resolve("iris.json").toString(), "--data", DATA.resolve("iris-train.csv").toString(), "--label",
        "species", "--standardize", "--epochs", "20", "--out", model.toString());
    Path out = dir.resolve("expected.csv");
    fusebox("predict", "--model", model.toString(), "--data", DATA.resolve("iris.csv").toString(), "--out", out.toString());
    expected = Files.readAllLines(out);

    spark = new ArrayList<>();
    fusebox = new ArrayList<>();
    try (Stream<Path> jars = Files.list(Path.of(System.getProperty("fusebox.spark.sparkJanino")))) {
      jars.map(Path::toString).sorted().forEach(spark::add);
    }
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String name = Path.of(entry).getFileName().toString();
      if (entry.contains("/junit/") || entry.contains("/opentest4j/") || entry.contains("/apiguardian/") || entry.contains("/assertj/")
          || entry.contains("/byte-buddy/") || entry.contains("test-classes") || entry.contains("surefire") || entry.contains("failsafe")) {
        continue;
      }
      boolean ours = entry.contains("/dev/fusebox/") || entry.contains("/target/classes") || name.startsWith("fusebox-")
          || name.startsWith("janino-") || name.startsWith("commons-compiler-") || name.startsWith("javapoet-")
          || name.startsWith("picocli-") || name.startsWith("commons-csv-");
      (ours ? fusebox : spark).add(entry);
    }
    assertThat(spark).anyMatch(e -> e.contains("spark-core_2.13-4.2.0.jar")).anyMatch(e -> e.contains("janino-3.1.9.jar"))
        .anyMatch(e -> e.contains("jackson-databind-2.21")).noneMatch(e -> e.contains("janino-3.1.12"));
    assertThat(fusebox).anyMatch(e -> e.contains("janino-3.1.12.jar"));
  }

  static void fusebox(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.commandLine(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8)).execute(args);
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
  }

  record Run(int code, String out, String err) {}

  /** {@code fusebox-spark ARGS} in a new JVM with this class path and, if {@code vector}, the Vector API. */
  static Run fuseboxSpark(List<String> classPath, boolean vector, String... args) throws Exception {
    return jvm(classPath, vector, "dev.fusebox.spark.cli.Main", args);
  }

  /** {@code MAIN ARGS} in a new JVM with this class path and, if {@code vector}, the Vector API. */
  static Run jvm(List<String> classPath, boolean vector, String main, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String option : System.getProperty("fusebox.spark.testJvmOptions").trim().split("\\s+")) {
      if (vector || !option.equals("--add-modules=jdk.incubator.vector")) command.add(option);
    }
    command.add("-Xmx1g");
    command.add("-cp");
    command.add(String.join(File.pathSeparator, classPath));
    command.add(main);
    command.addAll(Arrays.asList(args));
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(main + " " + String.join(" ", args) + " did not finish in 3 minutes");
    }
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  static List<String> shipped() {
    List<String> cp = new ArrayList<>(spark);
    cp.add(System.getProperty("fusebox.spark.allJar"));
    return cp;
  }

  static String[] predict(String... more) {
    List<String> args = new ArrayList<>(List.of("predict", "--model", model.toString(), "--data", DATA.resolve("iris.csv").toString(),
        "--master", "local[2]"));
    args.addAll(Arrays.asList(more));
    return args.toArray(new String[0]);
  }

  @Test
  void theJarHoldsFuseboxAloneWithItsDependenciesRelocated() throws IOException {
    try (JarFile jar = new JarFile(System.getProperty("fusebox.spark.allJar"))) {
      List<String> classes = jar.stream().map(e -> e.getName()).filter(n -> n.endsWith(".class")).toList();
      assertThat(classes).allMatch(n -> n.startsWith("dev/fusebox/") || n.startsWith("META-INF/versions/"));
      assertThat(classes).contains("dev/fusebox/spark/FuseboxModel.class", "dev/fusebox/Compiler.class",
          "dev/fusebox/runtime/Program.class", "dev/fusebox/spark/shaded/janino/SimpleCompiler.class",
          "dev/fusebox/spark/shaded/jackson/databind/ObjectMapper.class", "dev/fusebox/spark/shaded/commons/csv/CSVParser.class");
      assertThat(classes).noneMatch(n -> n.startsWith("org/apache/spark/") || n.startsWith("scala/") || n.startsWith("org/slf4j/"));
    }
  }

  @Test
  void withSparksJarsFirstTheShippedJarScoresAsFuseboxPredictDoes() throws Exception {
    Path out = dir.resolve("shipped.csv");
    Run r = fuseboxSpark(shipped(), true, predict("--out", out.toString()));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("wrote " + out + ": 150 predictions\n");
    List<String> lines = new ArrayList<>();
    try (Stream<Path> parts = Files.list(out)) {
      for (Path p : parts.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList()) {
        List<String> part = Files.readAllLines(p);
        lines.addAll(lines.isEmpty() ? part : part.subList(1, part.size()));
      }
    }
    assertThat(lines).isEqualTo(expected);
    assertThat(r.err()).doesNotContain("Vector API");
  }

  @Test
  void anExecutorWithoutTheVectorApiRunsScalarKernelsAfterOneWarningInTheDriversLog() throws Exception {
    Run r = fuseboxSpark(shipped(), false, predict("--block", "8"));
    assertThat(r.code()).as(r.err()).isZero();
    List<String> warnings = r.err().lines().filter(l -> l.contains("was started without the JDK's Vector API")).toList();
    assertThat(warnings).as(r.err()).singleElement().asString().contains("WARN").contains("executor driver")
        .contains("--add-modules=jdk.incubator.vector").contains("spark.executor.extraJavaOptions");
    // Scalar kernels predict the same classes.
    List<String> classes = r.out().lines().map(l -> l.split(",")[0]).toList();
    assertThat(classes).isEqualTo(expected.stream().map(l -> l.split(",")[0]).toList());
  }

  @Test
  void anExplicitVectorBackendWithoutTheVectorApiIsAnErrorNamingTheFlag() throws Exception {
    Run r = fuseboxSpark(shipped(), false, predict("--backend", "vector"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().lines().filter(l -> l.startsWith("fusebox-spark: error: ")).toList()).singleElement().asString()
        .contains("--add-modules=jdk.incubator.vector").contains("spark.executor.extraJavaOptions");
  }

  @Test
  void theLauncherScoresACsvTableIntoParquetOnALocalMaster() throws Exception {
    Path out = dir.resolve("launched.parquet");
    List<String> command = new ArrayList<>(List.of("../fusebox-spark"));
    command.addAll(Arrays.asList(predict("--out", out.toString())));
    Path err = Files.createTempFile(dir, "launcher", ".txt");
    Process p = new ProcessBuilder(command).redirectErrorStream(false).redirectError(err.toFile()).start();
    String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(err)).isZero();
    assertThat(stdout).isEqualTo("wrote " + out + ": 150 predictions\n");
    SparkSession spark = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate();
    try {
      List<String> lines = new ArrayList<>();
      for (Row r : spark.read().parquet(out.toString()).collectAsList()) {
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < r.length(); c++) b.append(c == 0 ? "" : ",").append(r.get(c));
        lines.add(b.toString());
      }
      assertThat(lines).isEqualTo(expected.subList(1, expected.size()));
    } finally {
      spark.stop();
    }
  }

  @Test
  void withoutRelocationSparksJaninoRejectsFuseboxsGeneratedCode() throws Exception {
    // Fusebox unrelocated behind Spark's jars: the class path a job gets from a plain dependency. The plain fusebox
    // command shows what goes wrong without starting Spark, which would only add its start-up time.
    List<String> cp = new ArrayList<>(spark);
    cp.addAll(fusebox);
    Run r = jvm(cp, true, "dev.fusebox.cli.Main", "predict", "--model", model.toString(), "--data",
        DATA.resolve("iris.csv").toString());
    assertThat(r.code()).as(r.err()).isNotZero();
    assertThat(r.err()).contains("Janino rejected the generated class");
    // The same class path with Fusebox's Janino first scores: the difference is Janino's version alone.
    List<String> ours = new ArrayList<>(fusebox);
    ours.addAll(spark);
    Run fine = jvm(ours, true, "dev.fusebox.cli.Main", "predict", "--model", model.toString(), "--data",
        DATA.resolve("iris.csv").toString());
    assertThat(fine.code()).as(fine.err()).isZero();
    assertThat(fine.out().lines().toList()).isEqualTo(expected);
  }
}
