package dev.fusebox.runtime.train;

import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Batcher;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One call of {@link Trainer#fit()}: the loop and the state it keeps between epochs. The step loop
 * allocates nothing of its own: the batcher refills its buffers, the log formats into reused ones,
 * and only a listener's {@link StepEvent} is created per step, and only when there are listeners.
 */
final class TrainingRun {
  private final Trainer t;
  private final Program program;
  private final Evaluator evaluator;
  private final boolean scheduled;
  private final boolean hasLrInput;
  private final int batchSize;

  private final List<EpochStats> history = new ArrayList<>();
  private long step; // steps taken so far, by this run and the runs it continues
  private int bestEpoch;
  private double bestLoss = Double.POSITIVE_INFINITY;
  private double earlyStopReference = Double.POSITIVE_INFINITY; // the loss at the last significant improvement
  private int epochsWithoutImprovement;
  private StopReason stopReason;
  private NonFiniteLoss nonFinite;
  // Where the run stands: whole epochs done, and of the epoch under way its batches, loss sum and rows so far.
  private int epochsDone;
  private int batchesDone;
  private double epochLossSum;
  private long epochRows;

  TrainingRun(Trainer trainer) {
    this.t = trainer;
    this.program = trainer.program;
    this.evaluator = Evaluator.of(program);
    this.scheduled = trainer.schedule != null;
    this.hasLrInput = program.inputs().stream().anyMatch(in -> in.name().equals(Trainer.LR));
    this.batchSize = program.batchSize();
  }

  TrainingResult run() throws IOException {
    long start = System.nanoTime();
    Batcher batches = t.shuffle ? Batcher.shuffled(t.trainBinding.data(), batchSize, t.seed)
        : Batcher.inOrder(t.trainBinding.data(), batchSize);
    int perEpoch = batches.batchesPerEpoch();
    if (t.resume != null) resume(t.resume);
    // With epochs, the run ends at the end of the epochs-th epoch from the one under way (which counts).
    long totalSteps = t.epochs > 0 ? (long) t.epochs * perEpoch - batchesDone : t.steps;
    long lastEpoch = epochsDone + (batchesDone + totalSteps + perEpoch - 1) / perEpoch; // 1-based
    if (lastEpoch > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(totalSteps + " steps of " + perEpoch + " per epoch are too many epochs");
    }
    int epochs = (int) lastEpoch;
    long stepsLeft = totalSteps;
    long firstStep = step;
    Checkpoints checkpoints = t.checkpointDir == null ? null : Checkpoints.in(t.checkpointDir, program, t.checkpointMetadata);
    try (StepLog log = t.logFile == null ? null : StepLog.open(t.logFile);
        Progress progress = t.out == null ? Progress.silent()
            : t.bar != null ? Progress.bar(t.bar, t.clock) : Progress.lines(t.out)) {
      while (stepsLeft > 0 && stopReason == null) {
        int stepsThisEpoch = (int) Math.min(perEpoch - batchesDone, stepsLeft);
        int done = runEpoch(epochs, perEpoch, stepsThisEpoch, batches, log, progress, checkpoints);
        stepsLeft -= done;
      }
      if (stopReason == null) stopReason = StopReason.COMPLETED;
      reportStop(progress);
    } finally {
      program.setValidRows(batchSize);
    }
    TrainingResult result = new TrainingResult(history, bestEpoch, stopReason, step - firstStep,
        Duration.ofNanos(System.nanoTime() - start), Optional.ofNullable(nonFinite), state());
    if (nonFinite != null && t.failOnNonFiniteLoss) throw new NonFiniteLossException(nonFinite, result);
    return result;
  }

  /** Takes up the position, the program's step count and early stopping's bookkeeping of a saved state. */
  private void resume(TrainingState s) {
    epochsDone = s.epochsDone();
    batchesDone = s.batchesDone();
    epochLossSum = s.epochLossSum();
    epochRows = s.epochRows();
    step = s.step();
    bestEpoch = s.bestEpoch();
    bestLoss = s.bestLoss();
    earlyStopReference = s.earlyStopReference();
    epochsWithoutImprovement = s.epochsWithoutImprovement();
    program.setStepCount(s.programSteps());
  }

  /** Where the run stands now. */
  TrainingState state() {
    return new TrainingState(epochsDone, batchesDone, step, program.stepCount(), batchSize, t.trainBinding.data().rows(),
        t.shuffle, t.seed, epochLossSum, epochRows, bestEpoch, bestLoss, earlyStopReference, epochsWithoutImprovement);
  }

  /** Runs the steps of the epoch under way, from where it stands; returns how many it took. */
  private int runEpoch(int epochs, int perEpoch, int stepsThisEpoch, Batcher batches, StepLog log, Progress progress,
      Checkpoints checkpoints) throws IOException {
    long epochStart = System.nanoTime();
    int e = epochsDone;
    int epoch = e + 1;
    batches.startEpoch(e, batchesDone);
    progress.startEpoch(epoch, epochs, stepsThisEpoch);
    // Without a schedule the program keeps the rate it has: report that one, read once an epoch.
    double lr = !scheduled && hasLrInput ? program.read(Trainer.LR)[0] : Double.NaN;
    // Two clock reads cost as much as a whole step of a small network: read it only for whoever looks.
    boolean timed = log != null || !t.listeners.isEmpty();
    int done = 0;
    while (done < stepsThisEpoch) {
      long stepStart = timed ? System.nanoTime() : 0;
      batches.next();
      t.trainBinding.load(batches, program);
      if (scheduled) {
        lr = t.schedule.lr(e, step);
        program.setScalar(Trainer.LR, (float) lr);
      }
      float loss = program.step();
      long nanos = timed ? System.nanoTime() - stepStart : 0;
      step++;
      done++;
      batchesDone++;
      int valid = batches.validRows();
      if (log != null) log.write(epoch, step, loss, nanos);
      progress.step(loss, valid);
      if (!Float.isFinite(loss)) {
        // The update has already spread the non-finite value into the parameters: nothing to validate or save.
        nonFinite = new NonFiniteLoss(epoch, step, loss, program.firstNonFinite());
        stopReason = StopReason.NON_FINITE_LOSS;
        return done;
      }
      epochLossSum += (double) loss * valid;
      epochRows += valid;
      if (!t.listeners.isEmpty() && stepListenersStop(new StepEvent(epoch, step, batchesDone, loss, lr, valid, nanos))) {
        stopReason = StopReason.LISTENER;
        break;
      }
    }
    int steps = batchesDone;
    long rows = epochRows;
    double trainLoss = epochLossSum / epochRows;
    boolean complete = batchesDone == perEpoch;
    if (complete) {
      epochsDone++;
      batchesDone = 0;
      epochLossSum = 0;
      epochRows = 0;
    }
    endEpoch(epoch, epochs, steps, rows, trainLoss, lr, epochStart, progress, checkpoints, complete);
    return done;
  }

  /**
   * Validates, and for a complete epoch keeps the books of the best epoch and of early stopping: an
   * epoch cut short (the steps ran out, a listener stopped it) is reported and checkpointed but does
   * not count, since the run that resumes it will finish it and count it then.
   */
  private void endEpoch(int epoch, int epochs, int steps, long rows, double trainLoss, double lr, long epochStart,
      Progress progress, Checkpoints checkpoints, boolean complete) throws IOException {
    Optional<Metrics> validation = t.valid == null ? Optional.empty() : Optional.of(evaluator.evaluate(t.valid));
    double monitored = validation.map(Metrics::loss).orElse(trainLoss);
    // Strictly lower, so a tie keeps the earlier epoch; NaN is never best.
    boolean best = complete && monitored < bestLoss;
    if (best) {
      bestLoss = monitored;
      bestEpoch = epoch;
    }
    if (t.patience > 0 && complete) {
      if (monitored < earlyStopReference - t.minDelta) {
        earlyStopReference = monitored;
        epochsWithoutImprovement = 0;
      } else if (++epochsWithoutImprovement >= t.patience && stopReason == null) {
        stopReason = StopReason.EARLY_STOP;
      }
    }
    // After the bookkeeping, so that a run resumed from the checkpoint stops when this one would.
    if (checkpoints != null) checkpoints.save(epoch, step, best, state());
    EpochStats stats = new EpochStats(epoch, steps, rows, trainLoss, lr, validation,
        Duration.ofNanos(System.nanoTime() - epochStart));
    history.add(stats);
    progress.endEpoch(stats, epochs);
    EpochEvent event = new EpochEvent(stats, epochs, best);
    for (TrainingListener listener : t.listeners) {
      if (listener.onEpoch(event) == TrainingListener.Decision.STOP && stopReason == null) {
        stopReason = StopReason.LISTENER;
      }
    }
  }

  /** Tells every listener; true if any asked to stop. All are told even when an earlier one asks. */
  private boolean stepListenersStop(StepEvent event) {
    boolean stop = false;
    for (int i = 0; i < t.listeners.size(); i++) {
      stop |= t.listeners.get(i).onStep(event) == TrainingListener.Decision.STOP;
    }
    return stop;
  }

  private void reportStop(Progress progress) {
    switch (stopReason) {
      case EARLY_STOP -> progress.message(String.format(Locale.ROOT,
          "early stop: valid_loss has not improved by more than %s for %d epochs; best %.4f at epoch %d",
          t.minDelta, t.patience, bestLoss, bestEpoch));
      case NON_FINITE_LOSS -> progress.message("stopped: " + nonFinite.message());
      case LISTENER -> progress.message("stopped by a listener after step " + step);
      case COMPLETED -> { }
      default -> throw new AssertionError(stopReason);
    }
  }
}
