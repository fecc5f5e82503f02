package dev.fusebox.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;

/** Checks that a sample's chart is a real PNG image, not just a file with the right name. */
final class Png {
  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  private Png() {}

  static BufferedImage assertPng(Path file) throws IOException {
    assertThat(file).isRegularFile();
    byte[] bytes = Files.readAllBytes(file);
    assertThat(Arrays.copyOf(bytes, SIGNATURE.length)).as("PNG signature of %s", file).isEqualTo(SIGNATURE);
    BufferedImage image = ImageIO.read(file.toFile());
    assertThat(image).as("decoded %s", file).isNotNull();
    assertThat(image.getWidth()).isGreaterThan(100);
    assertThat(image.getHeight()).isGreaterThan(100);
    return image;
  }
}
