package dev.fusebox.runtime.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class ScheduleTest {
  private static final Offset<Double> EXACT = within(1e-15);

  @Test
  void constantIgnoresEpochAndStep() {
    Schedule s = Schedule.constant(0.05);
    assertThat(s.lr(0, 0)).isEqualTo(0.05);
    assertThat(s.lr(99, 12345)).isEqualTo(0.05);
  }

  @Test
  void stepDropsEveryStepSizeEpochs() {
    // StepLR(lr=0.1, step_size=3, gamma=0.5): 0.1 for epochs 0-2, 0.05 for 3-5, 0.025 for 6-8.
    Schedule s = Schedule.step(0.1, 3, 0.5);
    assertThat(s.lr(0, 0)).isEqualTo(0.1);
    assertThat(s.lr(2, 500)).isEqualTo(0.1);
    assertThat(s.lr(3, 0)).isCloseTo(0.05, EXACT);
    assertThat(s.lr(5, 0)).isCloseTo(0.05, EXACT);
    assertThat(s.lr(6, 0)).isCloseTo(0.025, EXACT);
    assertThat(s.lr(9, 0)).isCloseTo(0.0125, EXACT);
  }

  @Test
  void exponentialMultipliesByGammaEachEpoch() {
    Schedule s = Schedule.exponential(0.2, 0.9);
    assertThat(s.lr(0, 7)).isEqualTo(0.2);
    assertThat(s.lr(1, 0)).isCloseTo(0.18, EXACT);
    assertThat(s.lr(2, 0)).isCloseTo(0.162, EXACT);
    assertThat(s.lr(3, 0)).isCloseTo(0.1458, EXACT);
  }

  @Test
  void cosineFollowsTheClosedForm() {
    // lr = 0.1, eta_min = 0.01, T_max = 4: 0.01 + 0.09 (1 + cos(pi e / 4)) / 2.
    Schedule s = Schedule.cosine(0.1, 4, 0.01);
    assertThat(s.lr(0, 0)).isCloseTo(0.1, EXACT);
    assertThat(s.lr(1, 0)).isCloseTo(0.01 + 0.045 * (1 + Math.sqrt(0.5)), EXACT); // 0.0868198...
    assertThat(s.lr(1, 0)).isCloseTo(0.08681980515, within(1e-11));
    assertThat(s.lr(2, 0)).isCloseTo(0.055, EXACT);
    assertThat(s.lr(3, 0)).isCloseTo(0.02318019485, within(1e-11));
    assertThat(s.lr(4, 0)).isCloseTo(0.01, EXACT);
    // PyTorch's closed form is periodic: past T_max the rate climbs again.
    assertThat(s.lr(6, 0)).isCloseTo(0.055, EXACT);
    assertThat(s.lr(8, 0)).isCloseTo(0.1, EXACT);
  }

  @Test
  void warmupRampsLinearlyOverSteps() {
    Schedule s = Schedule.warmup(Schedule.constant(0.4), 4);
    assertThat(s.lr(0, 0)).isCloseTo(0.1, EXACT);
    assertThat(s.lr(0, 1)).isCloseTo(0.2, EXACT);
    assertThat(s.lr(0, 2)).isCloseTo(0.3, EXACT);
    assertThat(s.lr(0, 3)).isCloseTo(0.4, EXACT);
    assertThat(s.lr(5, 1000)).isCloseTo(0.4, EXACT);
  }

  @Test
  void warmupMultipliesTheInnerEpochSchedule() {
    // Two batches per epoch: steps 0,1 are epoch 0 and steps 2,3 epoch 1.
    Schedule s = Schedule.warmup(Schedule.step(1.0, 1, 0.5), 3);
    assertThat(s.lr(0, 0)).isCloseTo(1.0 / 3, EXACT);
    assertThat(s.lr(0, 1)).isCloseTo(2.0 / 3, EXACT);
    assertThat(s.lr(1, 2)).isCloseTo(0.5, EXACT);
    assertThat(s.lr(1, 3)).isCloseTo(0.5, EXACT);
    assertThat(s.lr(2, 4)).isCloseTo(0.25, EXACT);
  }

  @Test
  void oneStepWarmupChangesNothing() {
    assertThat(Schedule.warmup(Schedule.constant(0.3), 1).lr(0, 0)).isEqualTo(0.3);
  }

  @Test
  void describesItselfLikeTheFactoryCall() {
    assertThat(Schedule.warmup(Schedule.cosine(0.1, 10, 0.0), 100)).hasToString("warmup(cosine(0.1, 10, 0.0), 100)");
    assertThat(Schedule.step(0.1, 30, 0.1)).hasToString("step(0.1, 30, 0.1)");
  }

  @Test
  void rejectsUnusableArguments() {
    assertThatThrownBy(() -> Schedule.constant(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("learning rate must be positive and finite, not 0.0");
    assertThatThrownBy(() -> Schedule.constant(Double.NaN)).hasMessage("learning rate must be positive and finite, not NaN");
    assertThatThrownBy(() -> Schedule.exponential(0.1, Double.POSITIVE_INFINITY))
        .hasMessage("gamma must be positive and finite, not Infinity");
    assertThatThrownBy(() -> Schedule.step(0.1, 0, 0.5)).hasMessage("step size must be at least 1 epoch, not 0");
    assertThatThrownBy(() -> Schedule.step(0.1, 2, -0.5)).hasMessage("gamma must be positive and finite, not -0.5");
    assertThatThrownBy(() -> Schedule.cosine(0.1, 0, 0)).hasMessage("T_max must be at least 1 epoch, not 0");
    assertThatThrownBy(() -> Schedule.cosine(0.1, 5, 0.2))
        .hasMessage("the minimum learning rate must be in [0, lr = 0.1], not 0.2");
    assertThatThrownBy(() -> Schedule.warmup(Schedule.constant(0.1), 0))
        .hasMessage("warm-up must last at least 1 step, not 0");
    assertThatThrownBy(() -> Schedule.warmup(null, 10)).isInstanceOf(NullPointerException.class)
        .hasMessage("the schedule to warm up is null");
    assertThatThrownBy(() -> Schedule.constant(0.1).lr(-1, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("epoch and step are 0-based and cannot be negative: epoch -1, step 0");
  }
}
