package dev.fusebox.samples;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.optim.Optimizer;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.CsvData;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.io.SafeTensors;
import dev.fusebox.runtime.train.Trainer;
import dev.fusebox.runtime.train.TrainingResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * The embedding example, first program: trains {@link IrisModel} on a CSV file and saves the model (its
 * parameters alone) to a safetensors file, which {@link IrisPredict}, a program of its own, loads.
 *
 * <pre>mvn -B -q -pl samples exec:exec -Dsample=IrisTrain [-Dsample.arg=MODEL.safetensors]</pre>
 *
 * Trains on the iris measurements shipped with the samples (120 flowers; 30 more are held out for
 * validation) and writes {@code target/iris/iris.safetensors} unless given another path.
 */
public final class IrisTrain {
  static final int BATCH = 16;
  static final int EPOCHS = 60;

  private IrisTrain() {}

  public static void main(String[] args) throws IOException {
    Path model = Path.of(Args.first(args, "target/iris/iris.safetensors"));
    Path data = SampleData.copy("iris-train.csv", model.toAbsolutePath().getParent());
    Path valid = SampleData.copy("iris-valid.csv", model.toAbsolutePath().getParent());
    train(data, valid, model, System.out);
  }

  /** Trains on {@code data}, reports each epoch's scores on {@code valid}, and writes the parameters to {@code model}. */
  public static TrainingResult train(Path data, Path valid, Path model, PrintStream out) throws IOException {
    Dataset train = CsvData.readClasses(data, IrisModel.LABEL, IrisModel.CLASSES);
    Dataset validation = CsvData.readClasses(valid, IrisModel.LABEL, IrisModel.CLASSES);
    try (Program program = Compiler.compile(IrisModel.training(BATCH), Optimizer.adam(0.01), CompileOptions.defaults()).program()) {
      TrainingResult result = Trainer.builder(program, train).validation(validation).epochs(EPOCHS).seed(1).output(out).build()
          .fit();
      SafeTensors.writeParameters(model, program, Map.of("trained_on", data.getFileName().toString()));
      out.println("wrote " + model + " (" + String.join(", ", program.parameterNames()) + ")");
      return result;
    }
  }
}
