package dev.fusebox.samples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DiabetesTest {

  @Test
  void beatsPredictingTheTrainingMeanClearly() throws Exception {
    Captured out = new Captured();
    Diabetes.Result r = Diabetes.run(out);

    assertThat(r.baselineRmse()).as("the held-out targets' spread around the training mean").isBetween(60.0, 90.0);
    assertThat(r.rmse()).as("MLP").isLessThan(0.85 * r.baselineRmse());
    assertThat(r.linearRmse()).as("linear model").isLessThan(0.85 * r.baselineRmse());
    assertThat(out.text()).contains("held-out RMSE");
  }
}
