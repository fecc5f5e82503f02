package dev.fusebox.samples;

import dev.fusebox.runtime.data.CsvData;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.data.LabelKind;
import dev.fusebox.runtime.data.Standardizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The data sets shipped with the samples (see {@code data/README.md} beside the files for their
 * origin and licence), read with Fusebox's own CSV reader.
 */
public final class SampleData {
  private SampleData() {}

  /** 1797 8×8 digit images: features {@code p0..p63} (0..16), class label {@code label} 0..9. */
  public static Dataset digits() {
    return read("digits.csv.gz", "label", LabelKind.CLASS);
  }

  /**
   * Digits split 80/20 by {@code seed}, both parts standardised with statistics of the training part
   * alone (see {@link Digits}, which spells this out).
   */
  public static Dataset.Split standardisedDigits(long seed) {
    Dataset.Split split = digits().split(0.2, seed);
    Standardizer s = Standardizer.fit(split.train());
    return new Dataset.Split(s.apply(split.train()), s.apply(split.valid()));
  }

  /** 442 diabetes patients: ten raw features and the target {@code progression}. */
  public static Dataset diabetes() {
    return read("diabetes.csv", "progression", LabelKind.TARGET);
  }

  /** Copies the shipped data file {@code name} into {@code dir} (created if missing), as a user's file would be on disk. */
  public static Path copy(String name, Path dir) throws IOException {
    String path = "data/" + name;
    try (InputStream in = SampleData.class.getResourceAsStream(path)) {
      if (in == null) throw new IllegalStateException("resource " + path + " is missing from the samples' classpath");
      Files.createDirectories(dir);
      Path file = dir.resolve(name);
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      return file;
    }
  }

  /**
   * {@link CsvData} reads files, not streams, so the resource is copied to a temporary file first; the
   * copy keeps the resource's extension because that is how the reader knows to decompress {@code .gz}.
   */
  private static Dataset read(String resource, String labelColumn, LabelKind kind) {
    String path = "data/" + resource;
    try (InputStream in = SampleData.class.getResourceAsStream(path)) {
      if (in == null) throw new IllegalStateException("resource " + path + " is missing from the samples' classpath");
      Path copy = Files.createTempFile("fusebox-sample-", "-" + resource);
      try {
        Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
        return CsvData.read(copy, labelColumn, kind);
      } finally {
        Files.deleteIfExists(copy);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the sample data " + path + ": " + e.getMessage(), e);
    }
  }
}
