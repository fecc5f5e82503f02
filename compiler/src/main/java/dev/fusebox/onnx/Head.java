package dev.fusebox.onnx;

import dev.fusebox.ops.BinaryCrossEntropy;
import dev.fusebox.ops.CrossEntropy;
import dev.fusebox.ops.Loss;
import dev.fusebox.ops.MeanSquaredError;
import dev.fusebox.ops.SoftmaxCrossEntropy;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * What an inference model outputs in place of a loss: the loss's prediction read the way training
 * meant it. A loss itself needs targets, which an inference model does not have, so it is never
 * exported; its head is. Every loss op has a head ({@code OnnxCoverageTest} checks that).
 */
enum Head {
  /** Softmax cross-entropy takes logits: their softmax probabilities, and the class of the largest logit. */
  SOFTMAX_OF_LOGITS("probabilities"),
  /** Cross-entropy takes probabilities: they are output as they are, with the class of the largest. */
  PROBABILITIES("probabilities"),
  /** Binary cross-entropy on logits: the logistic of each logit, and class 1 where the logit is positive. */
  SIGMOID_OF_LOGITS("probability"),
  /** Binary cross-entropy of probabilities: as they are, and class 1 where the probability is above 0.5. */
  PROBABILITY("probability"),
  /** Regression: the values as they are. */
  VALUES("prediction");

  private static final Map<Class<? extends Loss>, Function<Loss, Head>> HEADS = heads();

  private static Map<Class<? extends Loss>, Function<Loss, Head>> heads() {
    Map<Class<? extends Loss>, Function<Loss, Head>> m = new LinkedHashMap<>();
    m.put(SoftmaxCrossEntropy.class, l -> SOFTMAX_OF_LOGITS);
    m.put(CrossEntropy.class, l -> PROBABILITIES);
    m.put(BinaryCrossEntropy.class, l -> ((BinaryCrossEntropy) l).logits() ? SIGMOID_OF_LOGITS : PROBABILITY);
    m.put(MeanSquaredError.class, l -> VALUES);
    return m;
  }

  /** The name of the head's main output: {@code probabilities}, {@code probability} or {@code prediction}. */
  final String output;

  Head(String output) {
    this.output = output;
  }

  /** Whether the head also outputs a {@code class}. */
  boolean classifies() {
    return this != VALUES;
  }

  /** The head of a loss; empty for a loss class this table does not know. */
  static Optional<Head> of(Loss loss) {
    Function<Loss, Head> h = HEADS.get(loss.getClass());
    return h == null ? Optional.empty() : Optional.of(h.apply(loss));
  }

  /** The loss classes with a head. */
  static Set<Class<? extends Loss>> lossClasses() {
    return HEADS.keySet();
  }
}
