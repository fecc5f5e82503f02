package dev.fusebox.bench;

import dev.fusebox.model.ModelSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The five networks every table reports, as spec files under {@code specs/} in this package (the
 * PyTorch script reads the same files, so both sides train the same network with the same batch and
 * optimizer).
 *
 * <table>
 * <caption>The benchmark networks</caption>
 * <tr><th>name</th><th>layers</th><th>batch</th><th>loss</th><th>optimizer</th></tr>
 * <tr><td>tiny</td><td>3-2-1, sigmoid</td><td>1</td><td>mse</td><td>SGD</td></tr>
 * <tr><td>xor</td><td>2-2-1, ReLU</td><td>4</td><td>BCE with logits</td><td>Adam</td></tr>
 * <tr><td>digits</td><td>64-128-64-10, ReLU</td><td>32</td><td>softmax CE</td><td>Adam</td></tr>
 * <tr><td>mnist</td><td>784-256-128-10, ReLU</td><td>128</td><td>softmax CE</td><td>SGD + momentum</td></tr>
 * <tr><td>wide</td><td>1024-1024-1024-10, ReLU</td><td>256</td><td>softmax CE</td><td>Adam</td></tr>
 * </table>
 */
public final class Networks {
  private Networks() {}

  /** Every network, smallest first. */
  public static final List<String> NAMES = List.of("tiny", "xor", "digits", "mnist", "wide");

  /** The spec of a network by name. */
  public static ModelSpec spec(String name) {
    return ModelSpec.parse(json(name), name + ".json");
  }

  /** The spec file's text. */
  public static String json(String name) {
    if (!NAMES.contains(name)) throw new IllegalArgumentException("unknown network '" + name + "'; networks are " + NAMES);
    try (InputStream in = Networks.class.getResourceAsStream("specs/" + name + ".json")) {
      if (in == null) throw new IllegalStateException("spec file specs/" + name + ".json is missing from the class path");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
