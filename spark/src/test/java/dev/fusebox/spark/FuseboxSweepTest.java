package dev.fusebox.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.data.CsvData;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.io.ModelFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sweep on local[2] against fusebox train of each configuration on one machine: the same files, byte for byte. */
class FuseboxSweepTest {

  @Test
  void everyTrialWritesTheFilesFuseboxTrainWritesForItsConfiguration(@TempDir Path dir) throws Exception {
    Path d = Sparks.CLI_DATA;
    Dataset train = CsvData.readClasses(d.resolve("iris-train.csv"), "species", 3);
    Dataset valid = CsvData.readClasses(d.resolve("iris-valid.csv"), "species", 3);
    ModelSpec base = ModelSpec.read(d.resolve("iris.json"));
    List<SweepConfig> configs = new ArrayList<>(SweepConfig.grid(base, new double[] {0.01, 0.003}, new long[] {1, 2}));
    // Weight decay is compiled into the program's code, so this one compiles a class of its own.
    configs.add(SweepConfig.of("wd", base).with("weight_decay", 1e-3));

    int compilesBefore = OnceLoader.executor().compiles();
    SweepResult result = FuseboxSweep.on(Sparks.local()).data(train, "species").validation(valid).standardize(true).build()
        .run(configs);
    int compiles = OnceLoader.executor().compiles() - compilesBefore;

    assertThat(result.trials()).extracting(Trial::name)
        .containsExactly("lr0.01-seed1", "lr0.01-seed2", "lr0.003-seed1", "lr0.003-seed2", "wd");
    // Learning rates are program inputs: the grid compiles once per seed (seeds initialise in the code), plus the decay.
    assertThat(compiles).isEqualTo(3);
    Path out = dir.resolve("sweep");
    result.save(out);
    for (Trial t : result.trials()) {
      assertThat(t.succeeded()).isTrue();
      Path reference = dir.resolve("reference").resolve(t.name() + ".safetensors");
      Files.createDirectories(reference.getParent());
      Sparks.fusebox("train", out.resolve(t.name() + ".json").toString(), "--data", d.resolve("iris-train.csv").toString(),
          "--label", "species", "--valid", d.resolve("iris-valid.csv").toString(), "--standardize", "--out", reference.toString());
      Path mine = out.resolve(t.name() + ".safetensors");
      assertThat(Files.readAllBytes(mine)).as("%s parameters", t.name()).isEqualTo(Files.readAllBytes(reference));
      assertThat(Files.readAllBytes(ModelFiles.optimizerFile(mine))).as("%s optimizer state", t.name())
          .isEqualTo(Files.readAllBytes(ModelFiles.optimizerFile(reference)));
      assertThat(t.steps()).isEqualTo(60L * 8);
    }

    List<Row> metrics = result.metrics().collectAsList();
    assertThat(metrics).hasSize(5);
    assertThat(result.metrics().columns()).containsExactlyElementsOf(SweepResult.COLUMNS);
    assertThat(metrics.get(2).getDouble(2)).isEqualTo(0.003);
    assertThat(metrics.get(3).getLong(3)).isEqualTo(2L);
    assertThat(Files.readAllLines(out.resolve("metrics.csv"))).hasSize(6).first().isEqualTo(String.join(",", SweepResult.COLUMNS));
    assertThat(result.best()).isPresent();
    assertThat(result.best().get().validation().orElseThrow().accuracy().orElseThrow()).isGreaterThan(0.9);
  }
}
