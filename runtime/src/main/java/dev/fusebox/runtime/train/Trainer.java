package dev.fusebox.runtime.train;

import dev.fusebox.runtime.InputKind;
import dev.fusebox.runtime.InputSpec;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Dataset;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Trains a {@link Program} on a data set: mini-batches in file or shuffled order, a learning-rate
 * schedule, validation after every epoch, early stopping, checkpoints, a per-step CSV log and progress
 * output. It talks to the program only through {@link Program}, so it drives the reference
 * interpreter and generated code alike.
 *
 * <pre>{@code
 * TrainingResult result = Trainer.builder(program, split.train())
 *     .validation(split.valid())
 *     .epochs(20).seed(7)
 *     .schedule(Schedule.cosine(0.1, 20, 0))
 *     .earlyStopping(3, 1e-4)
 *     .checkpoints(Path.of("checkpoints"))
 *     .build()
 *     .fit();
 * }</pre>
 *
 * <p>How data reaches the program is set by its inputs' kinds (see {@link dev.fusebox.runtime.InputKind}):
 * the one features input gets the batch's features, label, one-hot and target inputs get the batch's
 * labels in those forms, and a scalar input named {@code lr} gets the schedule's rate before every
 * step. Data that does not fit the inputs is rejected when the trainer is built.
 *
 * <p>Epochs and steps count from 1 in everything a run reports (the log, checkpoint names, results);
 * a {@link Schedule} is asked for 0-based indices, as PyTorch's schedulers count. Every call to
 * {@link #fit()} starts again from epoch 1 with the program's current parameters, unless the builder
 * was given a {@link TrainingState} to {@link Builder#resume}: then it goes on from there exactly, as
 * if the run that saved the state had never stopped (checkpoints save one; {@link Checkpoints#restore}
 * loads a checkpoint into the program and returns its state).
 */
public final class Trainer {
  /** The scalar input that takes the learning rate. */
  public static final String LR = "lr";

  final Program program;
  final Dataset train;
  final Dataset valid; // null without validation data
  final InputBinding trainBinding;
  final int epochs; // 0 when limited by steps
  final long steps; // 0 when limited by epochs
  final boolean shuffle;
  final long seed;
  final Schedule schedule; // null: the program keeps the learning rate it has
  final List<TrainingListener> listeners;
  final int patience; // 0 without early stopping
  final double minDelta;
  final Path checkpointDir; // null without checkpoints
  final Map<String, String> checkpointMetadata;
  final TrainingState resume; // null: start from epoch 1
  final Path logFile; // null without a step log
  final PrintStream out; // null when quiet
  final PrintStream bar; // where the progress bar is drawn; null for lines on out
  final LongSupplier clock;
  final boolean failOnNonFiniteLoss;

  private Trainer(Builder b) {
    this.program = b.program;
    this.train = b.train;
    this.valid = b.valid;
    this.epochs = b.epochs;
    this.steps = b.steps;
    this.shuffle = b.shuffle;
    this.seed = b.seed;
    this.schedule = b.schedule;
    this.listeners = List.copyOf(b.listeners);
    this.patience = b.patience;
    this.minDelta = b.minDelta;
    this.checkpointDir = b.checkpointDir;
    this.checkpointMetadata = Map.copyOf(b.checkpointMetadata);
    this.resume = b.resume;
    this.logFile = b.logFile;
    this.out = b.quiet ? null : b.out;
    this.bar = barStream(b);
    this.clock = b.clock;
    this.failOnNonFiniteLoss = b.failOnNonFiniteLoss;
    this.trainBinding = InputBinding.supervised(program, train, "training data");
    if (valid != null) Evaluator.of(program).check(valid, "validation data");
  }

  /** Where the progress bar goes, or null for lines: asked for, or by default a terminal watching standard output. */
  private static PrintStream barStream(Builder b) {
    if (b.quiet) return null;
    if (b.bar != null) return b.bar;
    boolean wanted = b.progressBar != null ? b.progressBar : b.out == System.out && Terminals.interactive();
    return wanted ? System.err : null;
  }

  /**
   * {@return a builder of a trainer for {@code program} on {@code train}}
   *
   * @param program a training program (one with a {@code loss} output and the inputs the data feeds); the
   *     trainer owns it while it runs, as programs are not thread-safe
   * @param train the training data, whose labels or targets fit the program's inputs
   */
  public static Builder builder(Program program, Dataset train) {
    return new Builder(program, train);
  }

  /**
   * Trains until the epochs or steps are done, early stopping ends it, a listener stops it, or a step's
   * loss is not finite.
   *
   * @return what the run did: the epochs, the best one, why it stopped, and the state to resume from
   * @throws NonFiniteLossException on a non-finite loss, if built with {@code failOnNonFiniteLoss(true)}
   * @throws IOException if a checkpoint or the log cannot be written; the log is flushed first
   */
  public TrainingResult fit() throws IOException {
    return new TrainingRun(this).run();
  }

  /**
   * Options for a {@link Trainer}; {@link #epochs} or {@link #steps} is required, everything else has a
   * default.
   */
  public static final class Builder {
    private final Program program;
    private final Dataset train;
    private Dataset valid;
    private int epochs;
    private long steps;
    private boolean shuffle = true;
    private long seed;
    private Schedule schedule;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private int patience;
    private double minDelta;
    private Path checkpointDir;
    private Map<String, String> checkpointMetadata = Map.of();
    private TrainingState resume;
    private Path logFile;
    private PrintStream out = System.out;
    private boolean quiet;
    private Boolean progressBar;
    private PrintStream bar;
    private LongSupplier clock = System::nanoTime;
    private boolean failOnNonFiniteLoss;
    private int batchSize;

    private Builder(Program program, Dataset train) {
      this.program = Objects.requireNonNull(program, "program");
      this.train = Objects.requireNonNull(train, "training data");
    }

    /**
     * Data to score after every epoch; needed for early stopping, and what "best" is judged on.
     *
     * @param valid labelled like the training data; checked against the program by {@link #build}
     * @return this builder
     */
    public Builder validation(Dataset valid) {
      this.valid = Objects.requireNonNull(valid, "validation data");
      return this;
    }

    /**
     * Train for {@code n} full passes over the data; either this or {@link #steps} is required.
     *
     * @param n 1 or more
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is less than 1
     */
    public Builder epochs(int n) {
      if (n < 1) throw new IllegalArgumentException("epochs must be at least 1, not " + n);
      this.epochs = n;
      return this;
    }

    /**
     * Train for {@code n} optimizer steps, wrapping around the data as often as needed; epochs (for
     * validation, checkpoints and the schedule) still end every {@code ceil(rows / batchSize)} steps,
     * and the last may be cut short. Either this or {@link #epochs} is required.
     *
     * @param n 1 or more
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is less than 1
     */
    public Builder steps(long n) {
      if (n < 1) throw new IllegalArgumentException("steps must be at least 1, not " + n);
      this.steps = n;
      return this;
    }

    /**
     * Whether each epoch visits the rows in a fresh order drawn from the seed (the default) or in file order.
     *
     * @param shuffle true to shuffle
     * @return this builder
     */
    public Builder shuffle(boolean shuffle) {
      this.shuffle = shuffle;
      return this;
    }

    /**
     * The seed of the shuffled orders; epoch {@code e}'s order depends on the seed and {@code e} alone.
     *
     * @param seed any value; the default is 0
     * @return this builder
     */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * The learning rate of every step, set on the program's scalar {@code lr} input before each step;
     * the program must have one. Optional: without a schedule the {@code lr} input keeps the value it
     * has (a training graph starts it at its optimizer's rate), and that is the rate the epochs report.
     *
     * @param schedule the rate per step
     * @return this builder
     */
    public Builder schedule(Schedule schedule) {
      this.schedule = Objects.requireNonNull(schedule, "schedule");
      return this;
    }

    /**
     * Adds a listener; listeners are called in the order added, on the training thread.
     *
     * @param listener hears every step and epoch, and may stop the run
     * @return this builder
     */
    public Builder listener(TrainingListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Stop when the validation loss has not fallen below the best so far by more than {@code minDelta}
     * for {@code patience} epochs in a row, as Keras's and Lightning's {@code EarlyStopping} do. Needs
     * {@link #validation} data.
     *
     * @param patience epochs without improvement before stopping, 1 or more
     * @param minDelta the least fall in loss that counts as one, finite and not negative
     * @return this builder
     * @throws IllegalArgumentException if either is out of range
     */
    public Builder earlyStopping(int patience, double minDelta) {
      if (patience < 1) throw new IllegalArgumentException("patience must be at least 1 epoch, not " + patience);
      if (!(minDelta >= 0 && minDelta < Double.POSITIVE_INFINITY)) {
        throw new IllegalArgumentException("min delta must be finite and not negative, not " + minDelta);
      }
      this.patience = patience;
      this.minDelta = minDelta;
      return this;
    }

    /**
     * After every epoch, write {@code epoch-<n>.safetensors} (the parameters alone) and
     * {@code epoch-<n>.optimizer.safetensors} (every other state tensor, and the {@link TrainingState}
     * in its metadata) into {@code dir}, created if missing, and the same pair as {@code best.*}
     * whenever a complete epoch is the best so far. Each pair is written as one unit (see
     * {@link dev.fusebox.runtime.io.ModelFiles}); {@link Checkpoints#restore} resumes from one.
     *
     * @param dir the checkpoint directory
     * @return this builder
     */
    public Builder checkpoints(Path dir) {
      this.checkpointDir = Objects.requireNonNull(dir, "checkpoint directory");
      return this;
    }

    /**
     * Metadata strings every checkpoint file carries besides the epoch and step, such as what the model is.
     *
     * @param metadata key-value strings (copied), none of {@link dev.fusebox.runtime.io.ModelFiles#RESERVED_KEYS}
     * @return this builder
     */
    public Builder checkpointMetadata(Map<String, String> metadata) {
      this.checkpointMetadata = Map.copyOf(metadata);
      return this;
    }

    /**
     * Go on from a saved state instead of starting at epoch 1; the program must already hold the
     * parameters and optimizer state saved with it ({@link Checkpoints#restore} does both). {@link #steps}
     * and {@link #epochs} then count from there: {@code steps(m)} takes m more steps, and
     * {@code epochs(m)} ends m epochs on, counting the one under way. A state saved inside an epoch can
     * only be resumed on the same data with the same batch size, shuffling and seed, which {@link #build}
     * checks; one saved at an epoch's end goes on with any.
     *
     * @param state the state saved with the parameters the program holds
     * @return this builder
     */
    public Builder resume(TrainingState state) {
      this.resume = Objects.requireNonNull(state, "state");
      return this;
    }

    /**
     * Write a row per step to a CSV file with header {@code epoch,step,loss,ms}, replacing the file.
     *
     * @param csv the log file
     * @return this builder
     */
    public Builder log(Path csv) {
      this.logFile = Objects.requireNonNull(csv, "log file");
      return this;
    }

    /**
     * Where the per-epoch lines go (standard output by default); setting it turns off the automatic
     * progress bar, unless {@link #progressBar} asks for one, and undoes {@link #quiet()}.
     *
     * @param out the stream for the epochs' lines
     * @return this builder
     */
    public Builder output(PrintStream out) {
      this.out = Objects.requireNonNull(out, "output");
      this.quiet = false;
      return this;
    }

    /**
     * No progress output at all.
     *
     * @return this builder
     */
    public Builder quiet() {
      this.quiet = true;
      return this;
    }

    /**
     * A progress bar on standard error ({@code true}) or lines on the output ({@code false}). By default
     * there is a bar when the output is standard output and the JVM runs in a terminal, and lines
     * otherwise (piped, redirected, in a build tool or IDE). The bar redraws one line in place at most
     * ten times a second and costs nothing measurable per step or per epoch.
     *
     * @param on true for a bar on standard error, false for lines
     * @return this builder
     */
    public Builder progressBar(boolean on) {
      this.progressBar = on;
      this.bar = null;
      return this;
    }

    /**
     * A progress bar on {@code terminal} instead of lines: for a console program that shows training
     * on a stream of its own. Each finished epoch's line replaces the bar on that stream.
     *
     * @param terminal the stream the bar is drawn on
     * @return this builder
     */
    public Builder progressBar(PrintStream terminal) {
      this.bar = Objects.requireNonNull(terminal, "terminal");
      this.progressBar = true;
      this.quiet = false;
      return this;
    }

    /** The clock the progress bar's redraws follow, in nanoseconds: for tests. */
    Builder clock(LongSupplier nanos) {
      this.clock = Objects.requireNonNull(nanos, "clock");
      return this;
    }

    /**
     * Throw {@link NonFiniteLossException} on a NaN or infinite loss instead of returning a result that reports it.
     *
     * @param fail true to throw; the default is false
     * @return this builder
     */
    public Builder failOnNonFiniteLoss(boolean fail) {
      this.failOnNonFiniteLoss = fail;
      return this;
    }

    /**
     * The batch size the caller expects; a program is compiled for one batch size, so this only checks
     * that a user's setting agrees with the program's rather than silently training at another.
     *
     * @param batchSize the batch size the caller configured; 0 (the default) checks nothing
     * @return this builder
     */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /**
     * Checks the options against each other and the data against the program's inputs.
     *
     * @return the trainer
     * @throws IllegalStateException if neither or both of epochs and steps are set, early stopping has no
     *     validation data, or a schedule has no {@code lr} input to set
     * @throws IllegalArgumentException if the data is empty or does not fit the program, the batch size
     *     differs from the program's, or a resumed state cannot go on with these batches
     */
    public Trainer build() {
      if ((epochs == 0) == (steps == 0)) {
        throw new IllegalStateException("set either epochs(n) or steps(n)" + (epochs != 0 ? ", not both" : ""));
      }
      if (patience > 0 && valid == null) {
        throw new IllegalStateException("early stopping watches the validation loss: give validation(data) too");
      }
      if (train.rows() == 0) throw new IllegalArgumentException("the training data " + train + " has no rows");
      if (valid != null && valid.rows() == 0) {
        throw new IllegalArgumentException("the validation data " + valid + " has no rows");
      }
      if (batchSize != 0 && batchSize != program.batchSize()) {
        throw new IllegalArgumentException("batch size " + batchSize + " was asked for but the program is compiled "
            + "for batch size " + program.batchSize() + "; inputs: " + program.inputs());
      }
      checkLearningRate();
      Trainer trainer = new Trainer(this);
      if (resume != null) checkResume(trainer);
      return trainer;
    }

    /** A state saved inside an epoch must see the same batches again, or resuming it would not be exact. */
    private void checkResume(Trainer trainer) {
      if (!resume.midEpoch()) return;
      int rows = trainer.trainBinding.data().rows();
      String where = "the training state stopped inside epoch " + (resume.epochsDone() + 1) + " (after batch "
          + resume.batchesDone() + "), so it resumes only on the same batches, but ";
      if (resume.rows() != rows) throw new IllegalArgumentException(where + "it was training on " + resume.rows()
          + " rows and this data has " + rows);
      if (resume.batchSize() != program.batchSize()) throw new IllegalArgumentException(where + "its batch size was "
          + resume.batchSize() + " and this program's is " + program.batchSize());
      if (resume.shuffle() != shuffle) throw new IllegalArgumentException(where + "its batches were "
          + (resume.shuffle() ? "shuffled" : "in file order") + " and these are " + (shuffle ? "shuffled" : "in file order"));
      if (shuffle && resume.seed() != seed) throw new IllegalArgumentException(where + "its shuffling seed was " + resume.seed()
          + " and this one is " + seed);
    }

    private void checkLearningRate() {
      InputSpec lr = program.inputs().stream().filter(in -> in.name().equals(LR)).findFirst().orElse(null);
      if (lr != null && lr.kind() != InputKind.SCALAR) {
        throw new IllegalArgumentException("input '" + LR + "' is reserved for the learning rate and must be a scalar, "
            + "not " + lr);
      }
      if (lr == null && schedule != null) {
        throw new IllegalStateException("a schedule was given but the program has no scalar input '" + LR
            + "' to set; inputs: " + program.inputs());
      }
    }
  }
}
