package dev.fusebox.runtime.train;

import java.util.Locale;
import java.util.Objects;

/**
 * A learning-rate schedule: the learning rate for the optimizer step about to run, given the 0-based
 * index of its epoch and of the step itself (counting steps across epochs).
 *
 * <p>The epoch-based schedules follow PyTorch's {@code torch.optim.lr_scheduler} as used when
 * {@code scheduler.step()} is called once per epoch: the whole of epoch {@code e} runs at the rate the
 * scheduler gives after {@code e} calls. {@link #warmup} is step-based, so the rate rises within the
 * first epoch too. Implementations must be pure functions of their arguments: the trainer calls
 * {@link #lr} before every step and a run resumed at some epoch must see the same rates.
 */
@FunctionalInterface
public interface Schedule {

  /**
   * {@return the learning rate for a step}
   *
   * @param epoch the step's epoch, 0-based
   * @param step the step, 0-based, counting across epochs
   */
  double lr(long epoch, long step);

  /**
   * {@return a schedule of the same rate for every step}
   *
   * @param lr the rate, positive and finite
   * @throws IllegalArgumentException if {@code lr} is not positive and finite
   */
  static Schedule constant(double lr) {
    return new Schedules.Constant(Schedules.checkRate(lr, "learning rate"));
  }

  /**
   * PyTorch's {@code StepLR}: {@code lr · gamma^floor(epoch / stepSizeEpochs)}, so the rate drops by a
   * factor {@code gamma} every {@code stepSizeEpochs} epochs.
   *
   * @param lr the initial learning rate, positive and finite
   * @param stepSizeEpochs epochs between drops, 1 or more
   * @param gamma the factor, positive and finite
   * @return the schedule
   * @throws IllegalArgumentException if an argument is out of range
   */
  static Schedule step(double lr, int stepSizeEpochs, double gamma) {
    Schedules.checkRate(lr, "learning rate");
    if (stepSizeEpochs < 1) {
      throw new IllegalArgumentException("step size must be at least 1 epoch, not " + stepSizeEpochs);
    }
    return new Schedules.Step(lr, stepSizeEpochs, Schedules.checkGamma(gamma));
  }

  /**
   * {@return PyTorch's {@code ExponentialLR}: {@code lr · gamma^epoch}}
   *
   * @param lr the initial learning rate, positive and finite
   * @param gamma the factor per epoch, positive and finite
   * @throws IllegalArgumentException if an argument is out of range
   */
  static Schedule exponential(double lr, double gamma) {
    return new Schedules.Exponential(Schedules.checkRate(lr, "learning rate"), Schedules.checkGamma(gamma));
  }

  /**
   * PyTorch's {@code CosineAnnealingLR} in its closed form,
   * {@code etaMin + (lr - etaMin)(1 + cos(π · epoch / tMaxEpochs)) / 2}: from {@code lr} at epoch 0 down
   * to {@code etaMin} at epoch {@code tMaxEpochs}. Like PyTorch's, the curve is periodic: past
   * {@code tMaxEpochs} the rate climbs back towards {@code lr}, so set {@code tMaxEpochs} to the
   * number of epochs to train for a single descent.
   *
   * @param lr the initial learning rate, positive and finite
   * @param tMaxEpochs epochs of the descent, 1 or more
   * @param etaMin the lowest rate, in {@code [0, lr]}
   * @return the schedule
   * @throws IllegalArgumentException if an argument is out of range
   */
  static Schedule cosine(double lr, int tMaxEpochs, double etaMin) {
    Schedules.checkRate(lr, "learning rate");
    if (tMaxEpochs < 1) throw new IllegalArgumentException("T_max must be at least 1 epoch, not " + tMaxEpochs);
    if (!(etaMin >= 0 && etaMin <= lr)) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "the minimum learning rate must be in [0, lr = %s], not %s", lr, etaMin));
    }
    return new Schedules.Cosine(lr, tMaxEpochs, etaMin);
  }

  /**
   * {@code inner}'s rate times {@code min(1, (step + 1) / warmupSteps)}: a linear ramp over the first
   * {@code warmupSteps} optimizer steps, so step 0 runs at {@code 1 / warmupSteps} of the rate and step
   * {@code warmupSteps - 1} onwards at the full rate.
   *
   * @param inner the schedule to warm up
   * @param warmupSteps steps of the ramp, 1 or more
   * @return the schedule
   * @throws IllegalArgumentException if {@code warmupSteps} is less than 1
   */
  static Schedule warmup(Schedule inner, int warmupSteps) {
    Objects.requireNonNull(inner, "the schedule to warm up is null");
    if (warmupSteps < 1) throw new IllegalArgumentException("warm-up must last at least 1 step, not " + warmupSteps);
    return new Schedules.Warmup(inner, warmupSteps);
  }
}
