package dev.fusebox.runtime.io;

import dev.fusebox.runtime.NamedTensors;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The contents of a safetensors file: its tensors and its {@code __metadata__} strings (empty when the
 * file has none). The reader hands the tensors over to the caller, who owns them from then on.
 */
public record SafeTensorsFile(NamedTensors tensors, Map<String, String> metadata) {

  public SafeTensorsFile {
    Objects.requireNonNull(tensors, "tensors");
    // Keeps the file's key order, which a plain Map.copyOf would lose.
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }
}
