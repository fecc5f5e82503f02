package dev.fusebox.model;

/** A spec file is invalid; the message starts with the file and the key path ({@code spec.json: layers[1].units: ...}). */
public final class SpecException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception with this message.
   *
   * @param message the file, the key path and what is wrong
   */
  public SpecException(String message) {
    super(message);
  }
}
