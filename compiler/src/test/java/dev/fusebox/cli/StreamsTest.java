package dev.fusebox.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data and models that are not plain files: {@code --data -} reads standard input, named pipes (what
 * {@code <(zcat big.csv.gz)} gives) work for {@code --data} and for {@code --model}, and gzip is
 * recognised by its content. Each trains or predicts exactly what the plain file does.
 */
class StreamsTest {
  @TempDir Path dir;
  Path spec;
  Path iris;

  @BeforeEach
  void files() {
    spec = Cli.resource("iris.json", dir);
    iris = Cli.resource("iris.csv", dir);
  }

  @Test
  void standardInputIsData() throws IOException {
    Path plain = dir.resolve("plain.safetensors");
    Path piped = dir.resolve("piped.safetensors");
    assertThat(train(iris, plain).exitCode()).isZero();
    Cli.Result r = Cli.runWithInput(Files.readString(iris), "train", spec, "--data", "-", "--label", "species", "--steps", 12,
        "--out", piped);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.outLines().get(0)).contains(" on standard input: 150 rows");
    assertThat(Files.readAllBytes(piped)).isEqualTo(Files.readAllBytes(plain));
    Cli.Result p = Cli.runWithInput(Files.readString(iris), "predict", "--model", plain, "--data", "-", "--label", "species");
    assertThat(p.exitCode()).as(p.err()).isZero();
    assertThat(p.out()).isEqualTo(Cli.run("predict", "--model", plain, "--data", iris, "--label", "species").out());
  }

  @Test
  void namedPipesAndGzipByContentAreData() throws Exception {
    Path plain = dir.resolve("plain.safetensors");
    assertThat(train(iris, plain).exitCode()).isZero();
    Path fifo = fifo("data.csv");
    feed(fifo, gzip(Files.readAllBytes(iris))); // compressed, whatever the name says
    Path piped = dir.resolve("piped.safetensors");
    Cli.Result r = train(fifo, piped);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(Files.readAllBytes(piped)).isEqualTo(Files.readAllBytes(plain));
  }

  @Test
  void aNamedPipeIsAModelToPredictWith() throws Exception {
    Path plain = dir.resolve("plain.safetensors");
    assertThat(train(iris, plain).exitCode()).isZero();
    Path fifo = fifo("model.safetensors");
    feed(fifo, Files.readAllBytes(plain));
    Cli.Result r = Cli.run("predict", "--model", fifo, "--data", iris);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo(Cli.run("predict", "--model", plain, "--data", iris).out());
  }

  private Cli.Result train(Path data, Path out) {
    return Cli.run("train", spec, "--data", data, "--label", "species", "--steps", 12, "--out", out);
  }

  private Path fifo(String name) throws Exception {
    Path fifo = dir.resolve(name);
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assumeTrue(mkfifo.waitFor() == 0, "mkfifo is not available");
    return fifo;
  }

  /** Writes the bytes into the pipe from another thread, as the process on its other end would. */
  private static void feed(Path fifo, byte[] bytes) {
    Thread writer = new Thread(() -> {
      try {
        Files.write(fifo, bytes);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    writer.setDaemon(true);
    writer.start();
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream z = new GZIPOutputStream(out)) {
      z.write(bytes);
    }
    return out.toByteArray();
  }
}
