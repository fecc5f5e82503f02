package dev.fusebox.ir;

/** Element types. Values are float32; integer class labels are the one integer kind. */
public enum DType {
  F32("f32"),
  I32("i32");

  private final String text;

  DType(String text) {
    this.text = text;
  }

  @Override
  public String toString() {
    return text;
  }
}
