package dev.fusebox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.Program;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Program#setInputRows} and {@link Program#readRows}, which copy a batch's leading rows in and
 * out, do what {@code setInput} and {@code read} do to those rows, leave the other rows alone, and check
 * their arguments alike on every target.
 */
class BatchRowsTest {
  static final ModelSpec SPEC = ModelSpec.parse("""
      {"input": 3, "layers": [{"units": 20, "activation": "relu"}, {"units": 2}], "loss": "softmax_cross_entropy",
       "optimizer": {"type": "sgd", "lr": 0.1}, "batch": 5, "seed": 1}""", "rows.json");

  private static float[] random(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] values = new float[n];
    for (int i = 0; i < n; i++) values[i] = (float) random.nextGaussian();
    return values;
  }

  @ParameterizedTest
  @EnumSource(value = Target.Kind.class, names = {"INTERPRETER", "SCALAR", "VECTOR"})
  void leadingRowsGoInAndComeOutAsWholeBatchesDo(Target.Kind kind) {
    try (Program p = Compiler.inference(SPEC.forward(), CompileOptions.defaults()).program(new Target(kind, 1))) {
      float[] old = random(15, 1);
      float[] fresh = random(20, 2);
      p.setInput("x", old);
      p.setInputRows("x", fresh, 5, 2); // rows 0 and 1 from values 5..10
      float[] expected = old.clone();
      System.arraycopy(fresh, 5, expected, 0, 6);
      assertThat(p.read("x")).containsExactly(expected);

      p.setValidRows(2);
      p.forward();
      float[] into = new float[7];
      Arrays.fill(into, -1);
      p.readRows("prediction", into, 1, 2);
      float[] whole = p.read("prediction");
      assertThat(into).containsExactly(-1, whole[0], whole[1], whole[2], whole[3], -1, -1);
      p.setInputRows("x", fresh, 0, 0); // nothing
      assertThat(p.read("x")).containsExactly(expected);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Target.Kind.class, names = {"INTERPRETER", "SCALAR", "VECTOR"})
  void badRowsGetTheSameMessageEverywhere(Target.Kind kind) {
    try (Program p = Compiler.compile(SPEC.forward(), SPEC.optimizer(), CompileOptions.defaults()).program(new Target(kind, 1))) {
      float[] values = new float[15];
      assertThatThrownBy(() -> p.setInputRows("q", values, 0, 1)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("no input named 'q'; inputs are [x, y, lr]");
      assertThatThrownBy(() -> p.setInputRows("y", values, 0, 1)).hasMessage("input 'y' holds integer labels: use setLabels");
      assertThatThrownBy(() -> p.setInputRows("lr", values, 0, 1))
          .hasMessage("input 'lr' of shape [] does not run along the batch of 5 rows; copy it whole");
      assertThatThrownBy(() -> p.setInputRows("x", values, 0, 6)).hasMessage("input 'x': rows must be in [0, 5], got 6");
      assertThatThrownBy(() -> p.setInputRows("x", values, -1, 1)).hasMessage("input 'x': the offset must not be negative, got -1");
      assertThatThrownBy(() -> p.setInputRows("x", values, 7, 3))
          .hasMessage("input 'x': 3 rows of 3 values from offset 7 need an array of at least 16 values, got 15");
      p.forward();
      assertThatThrownBy(() -> p.readRows("loss", values, 0, 1))
          .hasMessage("value 'loss' of shape [] does not run along the batch of 5 rows; copy it whole");
      assertThatThrownBy(() -> p.readRows("prediction", new float[9], 0, 5))
          .hasMessage("value 'prediction': 5 rows of 2 values from offset 0 need an array of at least 10 values, got 9");
    }
  }
}
