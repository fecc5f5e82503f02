package dev.fusebox.runtime.io;

/**
 * Where one tensor lives in a safetensors file: its shape and its byte range, relative to the start of
 * the data section. Shared by the header reader and writer.
 */
record TensorEntry(String name, int[] shape, long begin, long end) {

  /** Number of float values the shape holds. */
  long count() {
    long n = 1;
    for (int d : shape) n *= d;
    return n;
  }
}
