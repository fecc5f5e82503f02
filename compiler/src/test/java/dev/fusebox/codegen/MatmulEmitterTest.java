package dev.fusebox.codegen;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The tile width a matmul gets from its column count (16 nominal lanes: 6 vectors are 96 columns). */
class MatmulEmitterTest {

  @ParameterizedTest(name = "n={0}: {1} vectors")
  @CsvSource({
      "10, 4", "64, 4", // one narrow tile at most: wide tiles would not fit
      "96, 6", "192, 6", "1024, 6", // whole wide tiles, and 1024 = 10 wide + 1 narrow
      "128, 4", // two narrow tiles beat a wide one and two single vectors
      "784, 6"})
  void wideTilesWhereTheColumnsLeftDoNotCostMore(int n, int vectors) {
    assertThat(MatmulEmitter.tileVectors(n)).isEqualTo(vectors);
  }
}
