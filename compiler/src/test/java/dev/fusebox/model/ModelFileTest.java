package dev.fusebox.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Target;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.data.Standardizer;
import dev.fusebox.runtime.io.ModelFiles;
import dev.fusebox.runtime.io.ParameterFileException;
import dev.fusebox.runtime.io.SafeTensors;
import dev.fusebox.runtime.train.Evaluator;
import dev.fusebox.runtime.train.Trainer;
import dev.fusebox.runtime.train.TrainingResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A model file says what it is: its spec written out whole reads back to the same spec, its metadata
 * reads back to the same value, and {@link SavedModel} loads it into a program that predicts what the
 * program that was saved predicts, picking input columns by name and standardising as recorded.
 */
class ModelFileTest {
  static final String IRIS = """
      {"input": 4, "layers": [{"units": 8, "activation": "tanh"}, {"units": 3}], "loss": "softmax_cross_entropy",
       "optimizer": {"type": "adam", "lr": 0.05}, "batch": 8, "epochs": 2, "seed": 3}""";
  static final List<String> COLUMNS = List.of("a", "b", "c", "d");

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {
      IRIS,
      """
      {"input": 3, "layers": [{"units": 4, "activation": "leaky_relu(0.2)", "dropout": 0.5}, {"units": 5, "activation": "maxout(3)"},
       {"units": 1}], "loss": "binary_cross_entropy",
       "optimizer": {"type": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": true, "weight_decay": 1e-4},
       "init": "he_normal", "bias_init": "constant(0.1)", "l2": 0.01, "clip_grad_norm": 1.5,
       "schedule": {"type": "step", "step_size": 3, "gamma": 0.25, "warmup_steps": 7}}""",
      """
      {"input": 2, "layers": [{"units": 4, "activation": "prelu"}, {"units": 3, "activation": "swish(learned)"}, {"units": 2}],
       "loss": "mse", "optimizer": {"type": "rmsprop", "centered": true, "momentum": 0.5}, "seed": -9,
       "init": "normal(0,0.01)", "schedule": {"type": "cosine", "t_max": 10, "eta_min": 0.001}}""",
      """
      {"input": 2, "layers": [{"units": 2, "activation": "elu(0.7)"}], "loss": "half_mse",
       "optimizer": {"type": "adagrad", "lr_decay": 0.01, "initial_accumulator_value": 0.1},
       "schedule": {"type": "exponential", "gamma": 0.9}}""",
      """
      {"input": 2, "layers": [{"units": 2, "activation": "hard_sigmoid(0.2)"}], "loss": "mse",
       "optimizer": {"type": "adamw", "lr": 3e-4, "betas": [0.8, 0.95], "eps": 1e-6, "amsgrad": true}}""",
  })
  void aSpecWrittenOutReadsBackTheSame(String json) {
    ModelSpec spec = ModelSpec.parse(json, "s.json");
    ModelSpec again = ModelSpec.parse(spec.toJson(), "again.json");
    assertThat(again.toJson()).isEqualTo(spec.toJson());
    assertThat(List.of(again.input(), again.layers(), again.loss(), again.optimizer(), again.batch(), again.epochs(), again.seed(),
        again.init(), again.biasInit(), again.l2(), again.clipGradNorm(), again.scheduleSpec())).isEqualTo(List.of(spec.input(),
        spec.layers(), spec.loss(), spec.optimizer(), spec.batch(), spec.epochs(), spec.seed(), spec.init(), spec.biasInit(),
        spec.l2(), spec.clipGradNorm(), spec.scheduleSpec()));
    assertThat(again.predictionDifferences(spec)).isEmpty();
    // Every key is written out, defaults included.
    assertThat(again.toJson()).contains("\"batch\":", "\"init\":", "\"clip_grad_norm\":", "\"schedule\":{\"type\":");
  }

  @Test
  void differencesNameTheKeysThatChangeWhatAModelComputes() {
    ModelSpec spec = ModelSpec.parse(IRIS, "s.json");
    ModelSpec other = ModelSpec.parse(IRIS.replace("tanh", "relu").replace("\"lr\": 0.05", "\"lr\": 0.5")
        .replace("\"units\": 8", "\"units\": 9"), "t.json");
    assertThat(other.predictionDifferences(spec)).containsExactly(new ModelSpec.Difference("layers[0].units", "9", "8"),
        new ModelSpec.Difference("layers[0].activation", "relu", "tanh"));
    assertThatThrownBy(() -> other.requireAgreement(other.predictionDifferences(spec), "m.safetensors"))
        .isInstanceOf(SpecException.class)
        .hasMessage("t.json: layers[0].units is 9, but m.safetensors was trained with 8 (and 1 more: layers[0].activation)");
    ModelSpec regression = ModelSpec.parse(IRIS.replace("softmax_cross_entropy", "mse"), "r.json");
    assertThat(regression.predictionDifferences(spec)).extracting(ModelSpec.Difference::key).containsExactly("loss");
    assertThat(regression.parameterDifferences(spec)).isEmpty();
  }

  @Test
  void metadataReadsBackAndIsStringsAlone() throws IOException {
    ModelSpec spec = ModelSpec.parse(IRIS, "iris.json");
    Standardizer standardizer = Standardizer.of(new double[] {1, 2.5, -3, 0.1 + 0.2}, new double[] {1, 0.5, 2, 1e-7});
    ModelMetadata metadata = ModelMetadata.of(spec, COLUMNS, Optional.of("species"), Optional.of(standardizer));
    Map<String, String> strings = metadata.toMetadata();
    assertThat(strings.keySet()).containsExactlyElementsOf(ModelMetadata.KEYS);
    ModelMetadata back = ModelMetadata.fromMetadata(Path.of("m.safetensors"), strings).orElseThrow();
    assertThat(back.spec().toJson()).isEqualTo(spec.toJson());
    assertThat(back.inputColumns()).isEqualTo(COLUMNS);
    assertThat(back.labelColumn()).contains("species");
    assertThat(back.standardizer()).contains(standardizer);
    assertThat(back.fuseboxVersion()).isEqualTo(ModelMetadata.FUSEBOX_VERSION);
    assertThat(strings).containsEntry("classes", "3").containsEntry("format_version", "1");
    assertThat(ModelMetadata.fromMetadata(Path.of("m.safetensors"), Map.of("epoch", "3"))).isEmpty();
  }

  @Test
  void badMetadataIsRefusedNamingTheFileAndTheKey() {
    Map<String, String> good = ModelMetadata.of(ModelSpec.parse(IRIS, "iris.json"), COLUMNS, Optional.empty(), Optional.empty())
        .toMetadata();
    assertBad(good, "format_version", "2", "m.safetensors: metadata key 'format_version' is 2: the file was written by a later "
        + "Fusebox, and this one (" + ModelMetadata.FUSEBOX_VERSION + ") reads model format 1; upgrade Fusebox to read it");
    assertBad(good, "format", "onnx", "m.safetensors: metadata key 'format' is 'onnx', not fusebox-model; the file was written by "
        + "another program");
    assertBad(good, "input_columns", "[\"a\", \"b\"]", "m.safetensors: metadata does not fit together: 2 input columns [a, b] "
        + "for a model of 4 inputs");
    assertBad(good, "input_columns", "a,b,c,d", "m.safetensors: metadata key 'input_columns' is not valid JSON: ");
    assertBad(good, "preprocessing", "{\"type\": \"pca\"}", "m.safetensors: metadata key 'preprocessing' has type 'pca'; known: "
        + "none, standardize");
    assertBad(good, "spec", "{\"input\": 4}", "m.safetensors: metadata key 'spec' does not read as a spec: m.safetensors (its "
        + "spec): layers: must be a non-empty array of layers");
    assertBad(good, "classes", "4", "m.safetensors: metadata key 'classes' is 4, but its spec's last layer has 3 units");
    Map<String, String> missing = new LinkedHashMap<>(good);
    missing.remove("java_version");
    assertThatThrownBy(() -> ModelMetadata.fromMetadata(Path.of("m.safetensors"), missing))
        .isInstanceOf(ParameterFileException.class).hasMessage("m.safetensors: metadata key 'java_version' is missing");
  }

  @Test
  void aSavedModelPredictsWhatTheProgramThatWasSavedPredicts() throws IOException {
    ModelSpec spec = ModelSpec.parse(IRIS, "iris.json");
    Dataset raw = data(COLUMNS);
    Standardizer standardizer = Standardizer.fit(raw);
    Dataset train = standardizer.apply(raw);
    Path file = dir.resolve("m.safetensors");
    float[] expected;
    try (Program program = Compiler.compile(spec.forward(), spec.optimizer(), CompileOptions.defaults())
        .program(Target.interpreter())) {
      TrainingResult result = Trainer.builder(program, train).epochs(2).seed(3).quiet().build().fit();
      SavedModel.save(file, program, ModelMetadata.of(spec, COLUMNS, Optional.of("y"), Optional.of(standardizer)), result.state());
      expected = Evaluator.of(program).predict(train).data();
    }
    assertThat(ModelFiles.read(file).optimizerState()).isPresent();
    assertThat(ModelMetadata.read(file).orElseThrow().standardizer()).contains(standardizer);

    try (SavedModel model = SavedModel.load(file, Target.interpreter(), CompileOptions.defaults())) {
      assertThat(model.spec().toJson()).isEqualTo(spec.toJson());
      assertThat(model.predict(raw).data()).containsExactly(expected);
      // Columns go by name: the same rows with their columns in another order and one more predict the same.
      Dataset shuffled = data(List.of("d", "extra", "b", "a", "c"));
      assertThat(model.predict(shuffled).data()).containsExactly(expected);
      assertThatThrownBy(() -> model.predict(data(List.of("a", "b", "x", "y"))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("has no column 'c' (nor [d]), which m.safetensors takes as input; it takes [a, b, c, d]");
    }
    try (SavedModel model = SavedModel.load(file)) {
      float[] vector = model.predict(raw).data();
      for (int i = 0; i < vector.length; i++) assertThat(vector[i]).isCloseTo(expected[i], within(1e-5f));
    }
    ModelSpec relu = ModelSpec.parse(IRIS.replace("tanh", "relu"), "relu.json");
    assertThatThrownBy(() -> SavedModel.load(file, relu, Target.interpreter(), CompileOptions.defaults()))
        .isInstanceOf(SpecException.class)
        .hasMessage("relu.json: layers[0].activation is relu, but m.safetensors was trained with tanh");
  }

  @Test
  void parametersAloneNeedTheirSpec() throws IOException {
    ModelSpec spec = ModelSpec.parse(IRIS, "iris.json");
    Path file = dir.resolve("plain.safetensors");
    try (Program program = Compiler.compile(spec.forward(), spec.optimizer(), CompileOptions.defaults())
        .program(Target.interpreter())) {
      SafeTensors.writeParameters(file, program);
    }
    assertThatThrownBy(() -> SavedModel.load(file)).isInstanceOf(ParameterFileException.class)
        .hasMessage("plain.safetensors: does not describe itself (no 'format' in its metadata: it was not written by Fusebox 0.1 "
            + "or later); give its spec");
    try (SavedModel model = SavedModel.load(file, spec, Target.interpreter(), CompileOptions.defaults())) {
      assertThat(model.metadata().inputColumns()).isEmpty();
      assertThat(model.predict(data(List.of("p", "q", "r", "s"))).shape()).containsExactly(12, 3);
      assertThatThrownBy(() -> model.predict(data(List.of("p", "q", "r", "s", "t")))).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("has 5 feature columns [p, q, r, s, t], but plain.safetensors takes 4 inputs");
    }
  }

  @Test
  void theFileStaysAPlainSafetensorsFileWhoseMetadataIsStrings() throws IOException {
    ModelSpec spec = ModelSpec.parse(IRIS, "iris.json");
    Path file = dir.resolve("m.safetensors");
    try (Program program = Compiler.compile(spec.forward(), spec.optimizer(), CompileOptions.defaults())
        .program(Target.interpreter())) {
      SavedModel.save(file, program, ModelMetadata.of(spec, COLUMNS, Optional.empty(), Optional.empty()), null);
    }
    // As safetensors' own reader sees it: a JSON header whose __metadata__ maps strings to strings.
    byte[] bytes = Files.readAllBytes(file);
    long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
    header.get("__metadata__").properties().forEach(e -> assertThat(e.getValue().isTextual()).as(e.getKey()).isTrue());
    assertThat(header.get("__metadata__").get("format").textValue()).isEqualTo("fusebox-model");
    assertThat(header.fieldNames()).toIterable().contains("layers.0.weight", "layers.1.bias");
  }

  /** Twelve rows of four features named by {@code columns} (in any order, with extra ones), labels 0..2. */
  static Dataset data(List<String> columns) {
    float[] x = new float[12 * columns.size()];
    int[] labels = new int[12];
    for (int r = 0; r < 12; r++) {
      labels[r] = r % 3;
      for (int c = 0; c < columns.size(); c++) {
        String name = columns.get(c);
        float v = name.length() == 1 && name.charAt(0) >= 'a' && name.charAt(0) <= 'd' ? (name.charAt(0) - 'a' + 1) * (r % 3 + 1)
            + r * 0.1f : r * 7 % 5;
        x[r * columns.size() + c] = v;
      }
    }
    return Dataset.ofClasses(x, columns.size(), labels, 3).withNames(columns, List.of("y"));
  }

  private static void assertBad(Map<String, String> good, String key, String value, String message) {
    Map<String, String> bad = new LinkedHashMap<>(good);
    bad.put(key, value);
    assertThatThrownBy(() -> ModelMetadata.fromMetadata(Path.of("m.safetensors"), bad))
        .isInstanceOf(ParameterFileException.class).hasMessageStartingWith(message);
  }
}
