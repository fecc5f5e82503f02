package dev.fusebox.samples;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sample itself needs a 30 MB download and is not run here; only how it fails without one. */
class FashionMnistTest {

  @Test
  void withoutTheFilesSaysWhereItLookedAndHowToGetThem(@TempDir Path empty) {
    assertThatThrownBy(() -> FashionMnist.run(empty))
        .isInstanceOf(FashionMnist.MissingDataException.class)
        .hasMessageContaining("train-images-idx3-ubyte")
        .hasMessageContaining(empty.toAbsolutePath().toString())
        .hasMessageContaining("apt-get install dataset-fashion-mnist")
        .hasMessageContaining("-Dsample.arg=");
  }
}
