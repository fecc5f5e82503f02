package dev.fusebox.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fusebox.builder.Activation;
import dev.fusebox.ir.Graph;
import dev.fusebox.optim.Optimizer;
import dev.fusebox.runtime.data.LabelKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ModelSpecTest {
  static final String DIGITS = """
      {"input": 64, "layers": [{"units": 128, "activation": "relu"}, {"units": 10}],
       "loss": "softmax_cross_entropy", "optimizer": {"type": "adam", "lr": 0.001},
       "batch": 32, "epochs": 20, "seed": 7}""";

  @Test
  void theIssuesExampleBuildsAnMlpWithPytorchNames() {
    ModelSpec spec = ModelSpec.parse(DIGITS, "digits.json");
    assertThat(spec.layers()).containsExactly(new ModelSpec.Layer(128, Activation.RELU, 0), new ModelSpec.Layer(10, Activation.IDENTITY, 0));
    assertThat(spec.optimizer()).isEqualTo(Optimizer.adam(0.001));
    assertThat(spec.labelKind()).isEqualTo(LabelKind.CLASS);
    Graph g = spec.forward();
    assertThat(g.node("layers.0.weight").shape().dims()).containsExactly(128, 64);
    assertThat(g.node("layers.0.bias").shape().dims()).containsExactly(128);
    assertThat(g.node("layers.1.weight").shape().dims()).containsExactly(10, 128);
    assertThat(g.node("x").shape().dims()).containsExactly(32, 64);
    assertThat(g.node("y").shape().dims()).containsExactly(32);
    assertThat(g.output("prediction").name()).isEqualTo("layers.1.z");
    assertThat(g.node("layers.0.a").site()).isEqualTo("digits.json: layers[0]");
    Graph t = spec.training();
    assertThat(t.find("layers.1.bias.exp_avg")).isNotNull();
    assertThat(t.find("lr")).isNotNull();
  }

  @Test
  void optionalKeysAndOtherOptimizers() {
    ModelSpec spec = ModelSpec.parse("""
        {"input": 3, "layers": [{"units": 4, "activation": "leaky_relu(0.2)", "dropout": 0.5}, {"units": 1}],
         "loss": "binary_cross_entropy", "optimizer": {"type": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": true},
         "init": "he_normal", "bias_init": "zeros", "l2": 0.01, "clip_grad_norm": 1.5}""", "s.json");
    assertThat(spec.optimizer()).isEqualTo(Optimizer.sgd(0.1).withMomentum(0.9).withNesterov(true));
    assertThat(spec.batch()).isEqualTo(32);
    assertThat(spec.labelKind()).isEqualTo(LabelKind.TARGET);
    assertThat(spec.forward().node("layers.0.weight").op().attributes()).isEqualTo("he_normal");
    assertThat(spec.forward().nodes()).anyMatch(n -> n.op().name().equals("dropout_mask"));
    assertThat(spec.training().find("grad_norm.clip_coef")).isNotNull();
    assertThat(ModelSpec.parse("""
        {"input": 3, "layers": [{"units": 2}], "loss": "mse", "optimizer": {"type": "rmsprop", "centered": true}}""", "r.json")
        .optimizer()).isEqualTo(Optimizer.rmsProp(0.01).withCentered(true));
  }

  @Test
  void schedulesFollowPytorchPerEpoch() {
    ModelSpec spec = ModelSpec.parse("""
        {"input": 3, "layers": [{"units": 2}], "loss": "mse", "optimizer": {"type": "sgd", "lr": 0.1},
         "schedule": {"type": "step", "step_size": 2, "gamma": 0.5, "warmup_steps": 4}}""", "s.json");
    assertThat(spec.schedule().lr(0, 0)).isCloseTo(0.1 * 0.25, within(1e-12)); // warm-up 1/4
    assertThat(spec.schedule().lr(1, 10)).isCloseTo(0.1, within(1e-12));
    assertThat(spec.schedule().lr(2, 20)).isCloseTo(0.05, within(1e-12));
    ModelSpec cosine = ModelSpec.parse("""
        {"input": 3, "layers": [{"units": 2}], "loss": "mse", "optimizer": {"type": "adam", "lr": 0.01},
         "schedule": {"type": "cosine", "t_max": 10}}""", "s.json");
    assertThat(cosine.schedule().lr(5, 0)).isCloseTo(0.005, within(1e-12));
    assertThat(ModelSpec.parse(DIGITS, "d.json").schedule().lr(7, 300)).isEqualTo(0.001);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "{\"input\": 3, \"layers\": [{\"units\": 2}], \"loss\": \"mse\", \"optimizer\": {\"type\": \"sgd\"}, \"schedule\": {\"type\": \"linear\"}}"
        + "| s.json: schedule.type: unknown schedule 'linear'; known: constant, step, exponential, cosine",
    "{\"input\": 3, \"layers\": [{\"units\": 2}], \"loss\": \"mse\", \"optimizer\": {\"type\": \"sgd\"}, \"schedule\": {\"type\": \"step\"}}"
        + "| s.json: schedule.step_size: is required",
    "{\"input\": 3, \"layers\": [{\"units\": 2}], \"loss\": \"mse\", \"optimizer\": {\"type\": \"sgd\"}, \"epoch\": 3}"
        + "| s.json: epoch: unknown key; known keys: input, layers, loss, optimizer, batch, epochs, seed, init, bias_init, l2, clip_grad_norm, schedule",
    "{\"input\": 3, \"layers\": [{\"units\": 2, \"activaton\": \"relu\"}], \"loss\": \"mse\", \"optimizer\": {\"type\": \"sgd\"}}"
        + "| s.json: layers[0].activaton: unknown key; known keys of layers[0]: units, activation, dropout",
    "{\"input\": 3, \"layers\": [{\"units\": -2}], \"loss\": \"mse\", \"optimizer\": {\"type\": \"sgd\"}}"
        + "| s.json: layers[0].units: must be a positive integer, got -2",
    "{\"input\": 3, \"layers\": [{\"units\": 2, \"activation\": \"relux\"}], \"loss\": \"mse\", \"optimizer\": {\"type\": \"sgd\"}}"
        + "| s.json: layers[0].activation: unknown activation 'relux'; known: identity, sigmoid",
    "{\"input\": 3, \"layers\": [{\"units\": 2}], \"loss\": \"hinge\", \"optimizer\": {\"type\": \"sgd\"}}"
        + "| s.json: loss: unknown loss 'hinge'; known: mse, half_mse, binary_cross_entropy, softmax_cross_entropy",
    "{\"input\": 3, \"layers\": [{\"units\": 2}], \"loss\": \"mse\", \"optimizer\": {\"type\": \"adam\", \"momentum\": 0.9}}"
        + "| s.json: optimizer.momentum: unknown key; known keys of optimizer: type, lr, betas, eps, weight_decay, amsgrad",
    "{\"input\": 3, \"layers\": [{\"units\": 2}], \"loss\": \"mse\", \"optimizer\": {\"type\": \"lbfgs\"}}"
        + "| s.json: optimizer.type: unknown optimizer 'lbfgs'; known: sgd, adam, adamw, rmsprop, adagrad",
    "{\"input\": 3, \"layers\": [{\"units\": 2}], \"loss\": \"mse\", \"optimizer\": {\"type\": \"adam\", \"betas\": [0.9]}}"
        + "| s.json: optimizer.betas: must be two numbers [beta1, beta2], got [0.9]",
    "{\"input\": 3, \"layers\": [{\"units\": 2}], \"loss\": \"mse\", \"optimizer\": {\"type\": \"sgd\", \"lr\": -1}}"
        + "| s.json: optimizer.lr: must not be negative, got -1.0",
    "{\"input\": 3, \"layers\": [{\"units\": 2}], \"loss\": \"binary_cross_entropy\", \"optimizer\": {\"type\": \"sgd\"}}"
        + "| s.json: loss: binary_cross_entropy needs a last layer with 1 unit (a logit), not 2",
    "{\"input\": 3, \"layers\": [], \"loss\": \"mse\", \"optimizer\": {\"type\": \"sgd\"}}"
        + "| s.json: layers: must be a non-empty array of layers",
    "{\"input\": 3, \"layers\": [{\"units\": 2}], \"loss\": \"mse\"}| s.json: optimizer: is required",
    "{\"input\": \"3\", \"layers\": [{\"units\": 2}], \"loss\": \"mse\", \"optimizer\": {\"type\": \"sgd\"}}"
        + "| s.json: input: must be a positive integer, got \"3\"",
    "{\"input\": 3, \"layers\": [{\"units\": 2}], \"loss\": \"mse\", \"optimizer\": {\"type\": \"sgd\"}, \"init\": \"he\"}"
        + "| s.json: init: unknown initialiser 'he'",
    "{\"input\": 3, \"layers\": [{\"units\": 2}], \"loss\": \"mse\", \"optimizer\": {\"type\": \"sgd\", \"nesterov\": true}}"
        + "| s.json: optimizer: Nesterov momentum requires a momentum and zero dampening",
  })
  void badSpecsNameTheKey(String json, String message) {
    assertThatThrownBy(() -> ModelSpec.parse(json, "s.json")).isInstanceOf(SpecException.class).hasMessageStartingWith(message);
  }

  @Test
  void invalidJsonSaysWhere() {
    assertThatThrownBy(() -> ModelSpec.parse("{\"input\": 3,\n \"layers\": [}", "s.json"))
        .isInstanceOf(SpecException.class).hasMessage("s.json: line 2, column 13: not valid JSON: Unexpected close marker '}': expected ']'");
  }

  @Test
  void aKeyGivenTwiceIsRefusedWithItsPathAndLine() {
    assertThatThrownBy(() -> ModelSpec.parse("{\"input\": 3, \"batch\": 16,\n \"batch\": 8, \"layers\": [{\"units\": 2}]}", "s.json"))
        .isInstanceOf(SpecException.class).hasMessage("s.json: line 2, column 9: batch: the key appears twice; give it once");
    assertThatThrownBy(() -> ModelSpec.parse("""
        {"input": 3, "layers": [{"units": 2}, {"units": 2, "activation": "relu", "activation": "tanh"}],
         "loss": "mse", "optimizer": {"type": "sgd"}}""", "s.json"))
        .isInstanceOf(SpecException.class).hasMessageStartingWith("s.json: line 1, column ")
        .hasMessageEndingWith(": layers[1].activation: the key appears twice; give it once");
    assertThatThrownBy(() -> ModelSpec.parse("""
        {"input": 3, "layers": [{"units": 2}], "loss": "mse", "optimizer": {"type": "sgd", "lr": 0.1, "lr": 0.2}}""", "s.json"))
        .isInstanceOf(SpecException.class).hasMessageEndingWith(": optimizer.lr: the key appears twice; give it once");
  }
}
