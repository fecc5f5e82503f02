package dev.fusebox.samples;

import dev.fusebox.Compiler;
import dev.fusebox.CompileOptions;
import dev.fusebox.builder.Activation;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.ir.Graph;
import dev.fusebox.optim.Adam;
import dev.fusebox.optim.Optimizer;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.data.IdxData;
import dev.fusebox.runtime.train.Evaluator;
import dev.fusebox.runtime.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Fashion-MNIST (70,000 28×28 grey images of clothing, 10 classes, MIT licence), read from its IDX
 * files: a 784-128-10 ReLU network trained for {@link #EPOCHS} epochs, then scored on the 10,000 test
 * images. Not part of the tests or CI, which must not depend on a 30 MB download. On Debian:
 *
 * <pre>
 * apt-get install dataset-fashion-mnist      # files in /usr/share/datasets/fashion-mnist/
 * mvn -B -q -pl samples exec:exec -Dsample=FashionMnist [-Dsample.arg=DIRECTORY]
 * </pre>
 */
public final class FashionMnist {
  static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
  static final int BATCH = 64;
  static final int EPOCHS = 3;
  static final long SEED = 7;

  private FashionMnist() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(Args.first(args, DEFAULT_DIR.toString()));
    try {
      run(dir);
    } catch (MissingDataException e) {
      System.err.println(e.getMessage());
      System.exit(2);
    }
  }

  /** The data is not where it was looked for; the message says where it looked and how to get it. */
  public static final class MissingDataException extends IOException {
    MissingDataException(String message) {
      super(message);
    }
  }

  public static Graph model() {
    GraphBuilder g = GraphBuilder.create(SEED);
    Tensor x = g.input("x", BATCH, 28 * 28);
    Tensor y = g.labels("y", BATCH, 10);
    Tensor h = g.dense("layers.0", x, 128, Activation.RELU);
    Tensor logits = g.dense("layers.1", h, 10, Activation.IDENTITY);
    return g.output("prediction", logits).loss(g.softmaxCrossEntropy(logits, y)).build();
  }

  /** Trains and returns the test accuracy. */
  public static double run(Path dir) throws IOException {
    // Pixels scaled to 0..1: inputs of the order of the weights' initialisation, without a standardizer.
    Dataset train = IdxData.read(file(dir, "train-images-idx3-ubyte"), file(dir, "train-labels-idx1-ubyte"), 1 / 255f);
    Dataset test = IdxData.read(file(dir, "t10k-images-idx3-ubyte"), file(dir, "t10k-labels-idx1-ubyte"), 1 / 255f);
    System.out.printf("Fashion-MNIST from %s: %d training images, %d test images; 784-128-10 ReLU, Adam, batch %d%n",
        dir, train.rows(), test.rows(), BATCH);
    Program program = Compiler.compile(model(), Optimizer.adam(1e-3), CompileOptions.defaults()).program();
    Trainer.builder(program, train).epochs(EPOCHS).seed(SEED).build().fit();
    double accuracy = Evaluator.of(program).evaluate(test).accuracy().orElseThrow();
    System.out.printf(Locale.ROOT, "test accuracy %.4f on %d images%n", accuracy, test.rows());
    return accuracy;
  }

  /** The file, compressed as Debian ships it or uncompressed as some other copies are. */
  static Path file(Path dir, String name) throws MissingDataException {
    for (Path candidate : new Path[] {dir.resolve(name + ".gz"), dir.resolve(name)}) {
      if (Files.isRegularFile(candidate)) return candidate;
    }
    throw new MissingDataException("Fashion-MNIST: no " + name + "(.gz) in " + dir.toAbsolutePath() + ". On Debian, "
        + "'apt-get install dataset-fashion-mnist' puts the four IDX files in " + DEFAULT_DIR + "; elsewhere, give the "
        + "directory holding them: mvn -B -q -pl samples exec:exec -Dsample=FashionMnist -Dsample.arg=DIRECTORY");
  }
}
