package dev.fusebox.samples;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.CsvData;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.io.SafeTensors;
import dev.fusebox.runtime.train.Evaluator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The embedding example, second program: loads the model {@link IrisTrain} saved and predicts the
 * species of the flowers in a CSV file of measurements. It shares nothing with the training program but
 * the network's definition ({@link IrisModel}) and the file.
 *
 * <pre>mvn -B -q -pl samples exec:exec -Dsample=IrisPredict [-Dsample.arg=MODEL.safetensors]</pre>
 *
 * Predicts the six flowers of the samples' {@code iris-new.csv}, training the model first if the file
 * is missing.
 */
public final class IrisPredict {
  static final String[] SPECIES = {"setosa", "versicolor", "virginica"};
  static final int BATCH = 32;

  private IrisPredict() {}

  public static void main(String[] args) throws IOException {
    Path model = Path.of(Args.first(args, "target/iris/iris.safetensors"));
    if (!Files.isRegularFile(model)) {
      System.out.println(model + " is missing; training it with IrisTrain first");
      IrisTrain.main(new String[] {model.toString()});
    }
    Path flowers = SampleData.copy("iris-new.csv", model.toAbsolutePath().getParent());
    FloatTensor probabilities = predict(model, flowers);
    print(probabilities, System.out);
  }

  /** The probability of each species for each row of {@code csv} (four measurement columns), {@code [rows, 3]}. */
  public static FloatTensor predict(Path model, Path csv) throws IOException {
    Dataset flowers = CsvData.readFeatures(csv);
    // Inference only: the forward kernels, no gradients or optimizer state; the parameters come from the file.
    try (Program program = Compiler.inference(IrisModel.inference(BATCH), CompileOptions.defaults()).program()) {
      program.load(SafeTensors.read(model).tensors());
      return Evaluator.of(program).predict(flowers);
    }
  }

  /** One line per flower: the most probable species and every species' probability. */
  static void print(FloatTensor probabilities, PrintStream out) {
    float[] p = probabilities.data();
    for (int row = 0; row < probabilities.shape()[0]; row++) {
      int best = BatchScoring.argmax(p, row * 3, 3);
      out.printf(Locale.ROOT, "flower %d: %-10s (setosa %.3f, versicolor %.3f, virginica %.3f)%n", row + 1, SPECIES[best],
          p[row * 3], p[row * 3 + 1], p[row * 3 + 2]);
    }
  }
}
