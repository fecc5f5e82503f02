package dev.fusebox.runtime.train;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/** How a run shows its progress: nothing, a line per epoch, or a progress bar for a person watching. */
interface Progress extends AutoCloseable {

  void startEpoch(int epoch, int epochs, int steps);

  /** After each step; called on the training loop's hot path, so it must not allocate as a rule. */
  void step(float loss, int validRows);

  void endEpoch(EpochStats stats, int epochs);

  /** A one-off line, such as why training stopped. */
  void message(String text);

  @Override
  void close();

  static Progress silent() {
    return new Silent();
  }

  static Progress lines(PrintStream out) {
    return new Lines(out);
  }

  /**
   * A live bar on standard error while an epoch runs, replaced when it ends by the epoch's line, so
   * the screen keeps a log of epochs however narrow the terminal is.
   */
  static Progress bar() {
    return new Bar();
  }

  final class Silent implements Progress {
    @Override public void startEpoch(int epoch, int epochs, int steps) {}
    @Override public void step(float loss, int validRows) {}
    @Override public void endEpoch(EpochStats stats, int epochs) {}
    @Override public void message(String text) {}
    @Override public void close() {}
  }

  final class Lines implements Progress {
    private final PrintStream out;

    Lines(PrintStream out) {
      this.out = out;
    }

    @Override public void startEpoch(int epoch, int epochs, int steps) {}
    @Override public void step(float loss, int validRows) {}

    @Override
    public void endEpoch(EpochStats stats, int epochs) {
      out.println(stats.format(epochs));
    }

    @Override
    public void message(String text) {
      out.println(text);
    }

    @Override
    public void close() {
      out.flush();
    }
  }

  final class Bar implements Progress {
    /** How often the running loss on the bar is reformatted: formatting allocates, so not every step. */
    private static final long REFRESH_NANOS = 250_000_000L;

    private final PrintStream err = System.err;
    private final Redraw redraw = new Redraw(err);
    private ProgressBar bar;
    private double lossSum;
    private long rows;
    private long lastRefresh;

    @Override
    public void startEpoch(int epoch, int epochs, int steps) {
      close();
      bar = new ProgressBarBuilder().setTaskName("epoch " + epoch + "/" + epochs).setInitialMax(steps)
          .setUpdateIntervalMillis(200).setConsumer(redraw).build();
      lossSum = 0;
      rows = 0;
      lastRefresh = System.nanoTime();
    }

    @Override
    public void step(float loss, int validRows) {
      lossSum += (double) loss * validRows;
      rows += validRows;
      bar.step();
      long now = System.nanoTime();
      if (now - lastRefresh >= REFRESH_NANOS) {
        bar.setExtraMessage("loss " + Metrics.formatValue(lossSum / rows));
        lastRefresh = now;
      }
    }

    @Override
    public void endEpoch(EpochStats stats, int epochs) {
      close();
      err.println(stats.format(epochs));
    }

    @Override
    public void message(String text) {
      close();
      err.println(text);
    }

    /**
     * Redraws the bar in place on the same stream the epoch lines go to, so the two cannot overtake
     * each other; unlike the library's consumer it ends without a newline, leaving the cleared line for
     * the epoch's summary.
     */
    private static final class Redraw extends ConsoleProgressBarConsumer {
      private final PrintStream out;

      Redraw(PrintStream out) {
        super(out);
        this.out = out;
      }

      @Override
      public void close() {
        out.flush();
      }
    }

    /**
     * Closes the bar and blanks its line. The library's own clear-on-finish is skipped when a bar closes
     * before its first redraw, so the line is cleared here, after {@code close()} has drawn the last time.
     */
    @Override
    public void close() {
      if (bar != null) {
        bar.close();
        bar = null;
        redraw.clear();
      }
    }
  }
}
