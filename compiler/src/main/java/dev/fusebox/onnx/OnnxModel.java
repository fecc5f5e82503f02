package dev.fusebox.onnx;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * An exported ONNX model: the file's bytes, and what the model takes and gives. Immutable.
 */
public final class OnnxModel {

  /**
   * An input or output of the model.
   *
   * @param name its name in the model
   * @param type {@code float32} or {@code int64}
   * @param shape such as {@code [batch, 3]}: {@code batch} is the symbolic number of rows
   * @param description what it holds
   */
  public record Tensor(String name, String type, String shape, String description) {
    @Override
    public String toString() {
      return name + " " + shape;
    }
  }

  private final byte[] bytes;
  private final int opset;
  private final List<Tensor> inputs;
  private final List<Tensor> outputs;
  private final List<String> operators;
  private final Map<String, String> metadata;

  OnnxModel(byte[] bytes, int opset, List<Tensor> inputs, List<Tensor> outputs, List<String> operators, Map<String, String> metadata) {
    this.bytes = bytes;
    this.opset = opset;
    this.inputs = List.copyOf(inputs);
    this.outputs = List.copyOf(outputs);
    this.operators = List.copyOf(operators);
    this.metadata = Map.copyOf(metadata);
  }

  /** {@return the ONNX file's contents (a copy)} */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** {@return the file's size in bytes} */
  public int size() {
    return bytes.length;
  }

  /** {@return the ONNX operator set the model imports} */
  public int opset() {
    return opset;
  }

  /** {@return the inputs, in graph order} */
  public List<Tensor> inputs() {
    return inputs;
  }

  /** {@return the outputs: the loss heads' first, then the graph's other outputs in declaration order} */
  public List<Tensor> outputs() {
    return outputs;
  }

  /** {@return the ONNX operator of each node, in order} */
  public List<String> operators() {
    return operators;
  }

  /** {@return the model's metadata properties (unmodifiable, in no particular order)} */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** {@return one line such as {@code ONNX opset 17, 3 nodes; input x [batch, 4]; outputs probabilities [batch, 3], class [batch]}} */
  public String summary() {
    return "ONNX opset " + opset + ", " + operators.size() + " node" + (operators.size() == 1 ? "" : "s") + "; input"
        + (inputs.size() == 1 ? " " : "s ") + list(inputs) + "; output" + (outputs.size() == 1 ? " " : "s ") + list(outputs);
  }

  private static String list(List<Tensor> tensors) {
    return tensors.isEmpty() ? "none" : tensors.stream().map(Tensor::toString).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return summary();
  }
}
