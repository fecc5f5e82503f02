package dev.fusebox.codegen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusebox.Compiler;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every program, interpreted or generated, checks what a caller hands it alike, message for message. */
class ProgramContractTest {
  static final ModelSpec SPEC = ModelSpec.parse("""
      {"input": 3, "layers": [{"units": 4, "activation": "relu"}, {"units": 2}], "loss": "softmax_cross_entropy",
       "optimizer": {"type": "sgd", "lr": 0.1, "momentum": 0.9}, "batch": 2, "seed": 1}""", "contract.json");

  private static Program program(Executors executor) {
    return executor.create(Executors.compile(SPEC.forward(), SPEC.optimizer()));
  }

  @ParameterizedTest
  @EnumSource(value = Executors.class, names = {"INTERPRETER", "SCALAR_JANINO", "VECTOR_JANINO"})
  void badInputsGetTheSameMessage(Executors executor) {
    try (Program p = program(executor)) {
      assertThat(p.inputs()).extracting(in -> in.name()).containsExactly("x", "y", "lr");
      assertThat(p.batchSize()).isEqualTo(2);
      assertThatThrownBy(() -> p.setInput("q", new float[6])).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("no input named 'q'; inputs are [x, y, lr]");
      assertThatThrownBy(() -> p.setInput("x", new float[5])).hasMessage("input 'x' of shape [2, 3] takes 6 values, got 5");
      assertThatThrownBy(() -> p.setInput("y", new float[2])).hasMessage("input 'y' holds integer labels: use setLabels");
      assertThatThrownBy(() -> p.setLabels("x", new int[2])).hasMessage("input 'x' is FEATURES, not labels: use setInput");
      assertThatThrownBy(() -> p.setLabels("y", new int[] {0, 2})).hasMessage("input 'y': label 2 in row 1 is outside [0, 2)");
      assertThatThrownBy(() -> p.setLabels("y", new int[3])).hasMessage("input 'y' of shape [2] takes 2 values, got 3");
      assertThatThrownBy(() -> p.setScalar("x", 1)).hasMessage("input 'x' of shape [2, 3] takes 6 values, got 1");
      assertThatThrownBy(() -> p.setValidRows(3)).hasMessage("valid rows must be in [1, 2], got 3");
    }
  }

  @ParameterizedTest
  @EnumSource(value = Executors.class, names = {"INTERPRETER", "SCALAR_JANINO", "VECTOR_JANINO"})
  void aBadTensorToLoadChangesNothingAndGetsTheSameMessage(Executors executor) {
    try (Program p = program(executor)) {
      assertThat(p.parameterNames()).containsExactly("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias");
      NamedTensors before = p.state();
      assertThat(before.names()).containsAll(p.parameterNames()).contains("layers.0.weight.momentum_buffer");
      NamedTensors bad = new NamedTensors().put("layers.0.bias", FloatTensor.of(new float[] {1, 2, 3, 4}, 4))
          .put("layers.1.bias", FloatTensor.of(new float[] {1, Float.NaN}, 2));
      assertThatThrownBy(() -> p.load(bad)).hasMessage("tensor 'layers.1.bias' holds NaN at index 1");
      assertThatThrownBy(() -> p.load(new NamedTensors().put("layers.1.bias", FloatTensor.of(new float[2], 1, 2))))
          .hasMessage("tensor 'layers.1.bias' has shape [1, 2], the program's has [2]");
      assertThatThrownBy(() -> p.load(new NamedTensors().put("x", FloatTensor.of(new float[6], 2, 3))))
          .hasMessageStartingWith("tensor 'x' is not a parameter or state of this program; it has [layers.0.weight, ");
      assertThat(p.state()).isEqualTo(before);
      p.load(new NamedTensors().put("layers.0.bias", FloatTensor.of(new float[] {1, 2, 3, 4}, 4)));
      assertThat(p.state().get("layers.0.bias").data()).containsExactly(1, 2, 3, 4);
      assertThat(List.copyOf(p.state().names())).isEqualTo(List.copyOf(before.names()));
    }
  }
}
