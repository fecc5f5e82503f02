package dev.fusebox.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Target;
import dev.fusebox.model.ModelMetadata;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.model.Predictions;
import dev.fusebox.model.Predictor;
import dev.fusebox.model.SavedModel;
import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Standardizer;
import dev.fusebox.runtime.io.SafeTensors;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A standardised model served two ways that share nothing but the file: Fusebox's {@code Predictor} and
 * ONNX Runtime on the export with the standardisation as its own nodes. Both take raw features and give
 * the same probabilities and classes.
 */
class OnnxRuntimePredictorTest {
  @TempDir Path dir;

  @Test
  void thePredictorAndOnnxRuntimeAgreeOnRawFeatures() throws Exception {
    ModelSpec spec = ModelSpec.parse("""
        {"input": 4, "layers": [{"units": 24, "activation": "gelu"}, {"units": 3}], "loss": "softmax_cross_entropy",
         "optimizer": {"type": "sgd", "lr": 0.1}, "batch": 16, "seed": 5}""", "served.json");
    Standardizer standardizer = Standardizer.of(new double[] {5.8, 3.0, 3.7, 1.2}, new double[] {0.8, 0.4, 1.7, 0.75});
    Path file = dir.resolve("served.safetensors");
    try (Program program = Compiler.compile(spec.forward(), spec.optimizer(), CompileOptions.defaults()).program(Target.interpreter())) {
      SavedModel.save(file, program, ModelMetadata.of(spec, List.of("a", "b", "c", "d"), Optional.empty(), Optional.of(standardizer)),
          null);
    }
    int rows = 37;
    SplittableRandom random = new SplittableRandom(9);
    float[] x = new float[rows * 4];
    for (int i = 0; i < x.length; i++) x[i] = (float) (standardizer.mean()[i % 4] + 2 * random.nextGaussian());

    byte[] onnx = OnnxExport.of(spec.forward(), SafeTensors.read(file).tensors()).withStandardization("x", standardizer).export().bytes();
    Map<String, OnnxRuntimeSession.Output> out;
    try (OnnxRuntimeSession session = new OnnxRuntimeSession(onnx, true)) {
      out = session.run(Map.of("x", new FloatTensor(new int[] {rows, 4}, x)));
    }
    try (Predictor predictor = Predictor.load(file)) {
      Predictions p = predictor.predict(x, 0, rows);
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < 3; c++) {
          assertThat((double) p.probability(r, c)).as("row %d class %d", r, c).isCloseTo(out.get("probabilities").get(r * 3 + c),
              within(1e-5));
        }
        assertThat((double) p.predictedClass(r)).as("row %d", r).isEqualTo(out.get("class").get(r));
      }
    }
  }
}
