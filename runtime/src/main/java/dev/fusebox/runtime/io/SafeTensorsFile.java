package dev.fusebox.runtime.io;

import dev.fusebox.runtime.NamedTensors;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The contents of a safetensors file: its tensors and its {@code __metadata__} strings (empty when the
 * file has none). The reader hands the tensors over to the caller, who owns them from then on.
 *
 * @param tensors the tensors, in the file's order
 * @param metadata the {@code __metadata__} strings, in the file's order
 */
public record SafeTensorsFile(NamedTensors tensors, Map<String, String> metadata) {

  /**
   * A file's contents; the metadata is copied, unmodifiable, in its order.
   *
   * @param tensors the tensors, in the file's order
   * @param metadata the {@code __metadata__} strings, in the file's order
   */
  public SafeTensorsFile {
    Objects.requireNonNull(tensors, "tensors");
    // Keeps the file's key order, which a plain Map.copyOf would lose.
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }
}
