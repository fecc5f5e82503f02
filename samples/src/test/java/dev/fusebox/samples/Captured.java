package dev.fusebox.samples;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** A print stream that keeps what a sample prints, so a test can check the lines users would read. */
final class Captured extends PrintStream {
  private final ByteArrayOutputStream bytes;

  Captured() {
    this(new ByteArrayOutputStream());
  }

  private Captured(ByteArrayOutputStream bytes) {
    super(bytes, true, StandardCharsets.UTF_8);
    this.bytes = bytes;
  }

  String text() {
    flush();
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
