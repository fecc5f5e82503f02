package dev.fusebox.runtime.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.io.SafeTensors;
import dev.fusebox.runtime.io.SafeTensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
  @TempDir Path dir;

  @Test
  void writesParametersAndOptimizerStateAfterEveryEpoch() throws IOException {
    LinearRegressionProgram program = new LinearRegressionProgram(2, 1, 0.9f);
    Dataset data = Dataset.ofTargets(new float[] {1, 2, 3, 4}, 1, new float[] {2, 4, 6, 8}, 1);
    List<NamedTensors> stateAfterEpoch = new ArrayList<>();
    TrainingListener snapshots = new TrainingListener() {
      @Override
      public Decision onEpoch(EpochEvent event) {
        stateAfterEpoch.add(program.state());
        return Decision.CONTINUE;
      }
    };
    Path ckpt = dir.resolve("runs/a"); // missing directories are created
    Trainer.builder(program, data).validation(data).epochs(3).schedule(Schedule.constant(0.01)).checkpoints(ckpt)
        .listener(snapshots).quiet().build().fit();

    for (int epoch = 1; epoch <= 3; epoch++) {
      NamedTensors state = stateAfterEpoch.get(epoch - 1);
      SafeTensorsFile weights = SafeTensors.read(ckpt.resolve("epoch-" + epoch + ".safetensors"));
      assertThat(weights.tensors().names()).containsExactly("weight", "bias");
      assertThat(weights.tensors()).isEqualTo(state.filter(n -> !n.endsWith(".velocity")));
      assertThat(weights.metadata()).containsEntry("epoch", "" + epoch).containsEntry("step", "" + 2 * epoch)
          .containsOnlyKeys("epoch", "step", "content", "data_sha256", "pair_id");
      SafeTensorsFile optimizer = SafeTensors.read(ckpt.resolve("epoch-" + epoch + ".optimizer.safetensors"));
      assertThat(optimizer.tensors().names()).containsExactly("weight.velocity", "bias.velocity");
      assertThat(optimizer.tensors()).isEqualTo(state.filter(n -> n.endsWith(".velocity")));
    }
    try (Stream<Path> files = Files.list(ckpt)) {
      // No temporary files are left behind; writers of the directory take turns through the lock file.
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(".fusebox.lock",
          "epoch-1.safetensors", "epoch-1.optimizer.safetensors", "epoch-2.safetensors",
          "epoch-2.optimizer.safetensors", "epoch-3.safetensors", "epoch-3.optimizer.safetensors",
          "best.safetensors", "best.optimizer.safetensors");
    }
  }

  @Test
  void writeParametersSavesTheParametersAloneAndTheyLoadBack() throws IOException {
    LinearRegressionProgram program = new LinearRegressionProgram(2, 1, 0.9f);
    Dataset data = Dataset.ofTargets(new float[] {1, 2, 3, 4}, 1, new float[] {2, 4, 6, 8}, 1);
    Trainer.builder(program, data).epochs(2).schedule(Schedule.constant(0.01)).quiet().build().fit();
    Path model = dir.resolve("model.safetensors");
    SafeTensors.writeParameters(model, program, Map.of("note", "two epochs"));

    SafeTensorsFile file = SafeTensors.read(model);
    assertThat(file.tensors().names()).containsExactly("weight", "bias");
    assertThat(file.tensors().get("weight").data()).containsExactly(program.read("weight"));
    assertThat(file.tensors().get("bias").data()).containsExactly(program.read("bias"));
    assertThat(file.metadata()).isEqualTo(Map.of("note", "two epochs"));

    LinearRegressionProgram fresh = new LinearRegressionProgram(2, 1, 0.9f);
    fresh.load(file.tensors());
    assertThat(fresh.state().filter(n -> !n.endsWith(".velocity"))).isEqualTo(program.state().filter(n -> !n.endsWith(".velocity")));
    // The optimizer's velocities stay behind: the fresh program's are still zero.
    assertThat(fresh.state().get("weight.velocity").data()).containsOnly(0f);
  }

  @Test
  void bestIsTheEpochWithTheLowestValidationLoss() throws IOException {
    // p counts steps, so each epoch's file differs: 2, 4, 6, 8 after epochs 1 to 4.
    ScriptedProgram program = new ScriptedProgram(2, 1, ScriptedProgram.labels("y", 2, 2))
        .validLosses(0.9f, 0.5f, 0.7f, 0.5f);
    Dataset train = Dataset.ofClasses(new float[] {0, 1, 2, 3}, 1, new int[] {0, 1, 0, 1}, 2);
    Dataset valid = Dataset.ofClasses(new float[] {5, 6}, 1, new int[] {1, 0}, 2);
    TrainingResult result = Trainer.builder(program, train).validation(valid).epochs(4).checkpoints(dir).quiet()
        .build().fit();

    assertThat(result.bestEpoch()).isEqualTo(2); // epoch 4 only ties it
    SafeTensorsFile best = SafeTensors.read(dir.resolve("best.safetensors"));
    assertThat(best.tensors()).isEqualTo(SafeTensors.read(dir.resolve("epoch-2.safetensors")).tensors());
    assertThat(best.tensors().require("p").data()).containsExactly(4f);
    assertThat(best.metadata()).containsEntry("epoch", "2");
    assertThat(SafeTensors.read(dir.resolve("best.optimizer.safetensors")).tensors().require("opt.t").data())
        .containsExactly(40f);
    assertThat(SafeTensors.read(dir.resolve("epoch-4.safetensors")).tensors().require("p").data()).containsExactly(8f);
  }

  @Test
  void withoutValidationDataBestFollowsTheTrainingLoss() throws IOException {
    ScriptedProgram program = new ScriptedProgram(2, 1, ScriptedProgram.labels("y", 2, 2))
        .trainLosses(3f, 3f, 1f, 1f, 2f, 2f);
    Dataset train = Dataset.ofClasses(new float[] {0, 1, 2, 3}, 1, new int[] {0, 1, 0, 1}, 2);
    TrainingResult result = Trainer.builder(program, train).epochs(3).checkpoints(dir).quiet().build().fit();
    assertThat(result.bestEpoch()).isEqualTo(2);
    assertThat(SafeTensors.read(dir.resolve("best.safetensors")).tensors().require("p").data()).containsExactly(4f);
  }
}
