package dev.fusebox.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.runtime.io.SafeTensors;
import dev.fusebox.runtime.io.SafeTensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DigitsTest {

  @Test
  void reachesNinetyFivePercentHeldOutAndWritesTheModelAndGeneratedCode(@TempDir Path dir) throws Exception {
    Captured out = new Captured();
    Digits.Result result = Digits.run(dir, out);

    assertThat(result.accuracy()).isGreaterThanOrEqualTo(0.95);
    assertThat(out.text()).containsPattern("accuracy 0\\.9\\d{3}").contains("epoch 20/20");

    SafeTensorsFile model = SafeTensors.read(result.model());
    assertThat(model.tensors().names()).containsExactly("layers.0.weight", "layers.0.bias", "layers.1.weight",
        "layers.1.bias", "layers.2.weight", "layers.2.bias");
    assertThat(model.tensors().get("layers.0.weight").shape()).containsExactly(128, 64); // PyTorch's [out, in]
    assertThat(model.metadata()).containsKeys("mean", "scale");

    assertThat(result.generated().resolve("fusion-report.txt")).isNotEmptyFile();
    assertThat(result.generated().resolve("memory-plan.txt")).isNotEmptyFile();
    try (Stream<Path> files = Files.walk(result.generated())) {
      assertThat(files.filter(f -> f.toString().endsWith(".java"))).singleElement()
          .satisfies(f -> assertThat(Files.readString(f)).contains("jdk.incubator.vector"));
    }
  }
}
