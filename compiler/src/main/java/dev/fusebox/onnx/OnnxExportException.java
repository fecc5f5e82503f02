package dev.fusebox.onnx;

/**
 * A graph or its parameters cannot be exported as ONNX. The message names the node, its op and the
 * reason (or the parameter at fault), on one line.
 */
public final class OnnxExportException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception with this message.
   *
   * @param message the node, its op and the reason, on one line
   */
  public OnnxExportException(String message) {
    super(message);
  }
}
