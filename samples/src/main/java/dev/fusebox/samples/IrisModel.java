package dev.fusebox.samples;

import dev.fusebox.builder.Activation;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.ir.Graph;

/**
 * The network of the embedding example, in one place for both of its programs, as a PyTorch module's
 * class is shared by the script that trains it and the one that serves it: four measurements of an
 * iris flower in, one of three species out, through 16 ReLU units. The parameters have PyTorch's names
 * and shapes ({@code layers.0.weight [16, 4]}, {@code layers.0.bias [16]}, {@code layers.1.weight [3,
 * 16]}, {@code layers.1.bias [3]}), so a model file moves between the two programs, and to PyTorch.
 */
public final class IrisModel {
  /** The measurements in the CSV files, in this order: sepal length and width, petal length and width (cm). */
  public static final int FEATURES = 4;
  /** Species: 0 setosa, 1 versicolor, 2 virginica. */
  public static final int CLASSES = 3;
  /** The column of the CSV files holding the species. */
  public static final String LABEL = "species";

  private IrisModel() {}

  /** For training: features {@code x} and species labels {@code y} in, logits {@code prediction} and {@code loss} out. */
  public static Graph training(int batch) {
    GraphBuilder g = GraphBuilder.create(1);
    Tensor logits = layers(g, g.input("x", batch, FEATURES));
    Tensor y = g.labelsFor("y", logits);
    return g.output("prediction", logits).loss(g.softmaxCrossEntropy(logits, y)).build();
  }

  /** For prediction: the same layers, with the species' probabilities as {@code prediction}; no labels, no loss. */
  public static Graph inference(int batch) {
    GraphBuilder g = GraphBuilder.create(1);
    Tensor logits = layers(g, g.input("x", batch, FEATURES));
    return g.output("prediction", g.softmax(logits)).build();
  }

  private static Tensor layers(GraphBuilder g, Tensor x) {
    Tensor h = g.dense("layers.0", x, 16, Activation.RELU);
    return g.dense("layers.1", h, CLASSES, Activation.IDENTITY);
  }
}
