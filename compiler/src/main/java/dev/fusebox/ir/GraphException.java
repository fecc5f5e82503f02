package dev.fusebox.ir;

/**
 * A graph the user built is invalid (bad shapes, arity, names, arguments). The message names the op,
 * the node, the shapes involved and the user's call site. Bugs inside Fusebox raise
 * {@link IllegalStateException} or {@link AssertionError} instead.
 */
public class GraphException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public GraphException(String message) {
    super(message);
  }
}
