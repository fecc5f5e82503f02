package dev.fusebox.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class StandardizerTest {
  // Column 0: 1, 2, 3, 4. Column 1: constant 10. Column 2: -2, 0, 0, 2.
  private static final Dataset TRAIN = Dataset.ofClasses(
      new float[][] {{1, 10, -2}, {2, 10, 0}, {3, 10, 0}, {4, 10, 2}}, new int[] {0, 1, 1, 0}, 2)
      .withNames(List.of("a", "b", "c"), List.of("label"));

  @Test
  void fitsMeansAndPopulationStandardDeviations() {
    Standardizer s = Standardizer.fit(TRAIN);

    // Column 0: mean 2.5, squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5, over 4 rows: 1.25.
    // Column 2: mean 0, squared deviations 4 + 0 + 0 + 4 = 8, over 4 rows: 2.
    assertThat(s.mean()).containsExactly(new double[] {2.5, 10, 0}, within(1e-12));
    assertThat(s.scale()).containsExactly(new double[] {Math.sqrt(1.25), 1, Math.sqrt(2)}, within(1e-12));
    assertThat(s.featureCount()).isEqualTo(3);
  }

  @Test
  void standardisesTrainingDataToZeroMeanAndUnitVariance() {
    Dataset z = Standardizer.fit(TRAIN).apply(TRAIN);

    float[] expected = {
        (float) (-1.5 / Math.sqrt(1.25)), 0, (float) (-2 / Math.sqrt(2)),
        (float) (-0.5 / Math.sqrt(1.25)), 0, 0,
        (float) (0.5 / Math.sqrt(1.25)), 0, 0,
        (float) (1.5 / Math.sqrt(1.25)), 0, (float) (2 / Math.sqrt(2))};
    assertThat(z.features()).containsExactly(expected, within(1e-6f));
    assertThat(z.labels()).containsExactly(0, 1, 1, 0);
    assertThat(z.featureNames()).containsExactly("a", "b", "c");
    assertThat(z.labelNames()).containsExactly("label");
    assertThat(TRAIN.feature(0, 0)).as("input unchanged").isEqualTo(1f);
  }

  @Test
  void appliesTrainingStatisticsToOtherData() {
    Standardizer s = Standardizer.fit(TRAIN);
    Dataset other = Dataset.ofFeatures(new float[][] {{2.5f, 12, 1}});
    // A constant training feature keeps its distance from the constant: 12 - 10 over scale 1.
    assertThat(s.apply(other).features())
        .containsExactly(new float[] {0, 2, (float) (1 / Math.sqrt(2))}, within(1e-6f));
  }

  @Test
  void aConstantFeatureStandardisesToExactZeros() {
    float v = 0.1f;
    Dataset d = Dataset.ofFeatures(new float[] {v, v, v, v, v, v, v}, 1);
    Standardizer s = Standardizer.fit(d);
    assertThat(s.scale()).containsExactly(1.0);
    assertThat(s.apply(d).features()).containsOnly(0f);
  }

  @Test
  void rejectsMismatchedOrEmptyData() {
    Standardizer s = Standardizer.fit(TRAIN);
    assertThatThrownBy(() -> s.apply(Dataset.ofFeatures(new float[] {1, 2}, 2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("fitted on 3 features, but the data set has 2");
    assertThatThrownBy(() -> Standardizer.fit(TRAIN.select(new int[0])))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot fit a standardizer on a data set with no rows");
  }

  @Test
  void canBeRebuiltFromSavedStatistics() {
    Standardizer fitted = Standardizer.fit(TRAIN);
    Standardizer restored = Standardizer.of(fitted.mean(), fitted.scale());
    assertThat(restored.apply(TRAIN)).isEqualTo(fitted.apply(TRAIN));
    assertThatThrownBy(() -> Standardizer.of(new double[] {0}, new double[] {0}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("feature 0: mean 0.0 and scale 0.0 must be finite, and the scale positive");
  }
}
