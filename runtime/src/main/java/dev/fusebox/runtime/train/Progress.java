package dev.fusebox.runtime.train;

import java.io.PrintStream;
import java.util.function.LongSupplier;

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
   * A live bar on {@code terminal} while an epoch runs, replaced when it ends by the epoch's line, so
   * the screen keeps a log of epochs; {@code clock} gives nanoseconds, as {@link System#nanoTime}.
   */
  static Progress bar(PrintStream terminal, LongSupplier clock) {
    return new Bar(terminal, clock);
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

  /**
   * One line, {@code epoch 3/60 [======>             ] 5/8  loss 0.1234  0.4 s}, redrawn in place with a
   * carriage return by the training thread itself, at most every {@link #REDRAW_NANOS}. There is no
   * timer thread and no terminal to open or close: between redraws a step costs a clock read, and an
   * epoch that ends before the next redraw is due never draws a bar at all, only its summary line.
   * (A bar library that opens a terminal per bar made every epoch cost a quarter of a second.)
   */
  final class Bar implements Progress {
    /** Ten redraws a second at most: smooth to the eye, and nothing measurable beside a training step. */
    static final long REDRAW_NANOS = 100_000_000L;
    private static final int CELLS = 20;

    private final PrintStream out;
    private final LongSupplier clock;
    private final int width;
    private final StringBuilder line = new StringBuilder(128);
    private final byte[] bytes = new byte[256];
    private int shown; // characters of the bar on screen, 0 when the line is clear
    private long lastDraw;
    private long epochStart;
    private int epoch;
    private int epochs;
    private int steps;
    private int done;
    private double lossSum;
    private long rows;

    Bar(PrintStream out, LongSupplier clock) {
      this.out = out;
      this.clock = clock;
      this.width = Math.min(terminalColumns() - 1, bytes.length - 2);
      this.lastDraw = clock.getAsLong();
    }

    @Override
    public void startEpoch(int epoch, int epochs, int steps) {
      this.epoch = epoch;
      this.epochs = epochs;
      this.steps = steps;
      this.done = 0;
      this.lossSum = 0;
      this.rows = 0;
      this.epochStart = clock.getAsLong();
    }

    @Override
    public void step(float loss, int validRows) {
      done++;
      lossSum += (double) loss * validRows;
      rows += validRows;
      long now = clock.getAsLong();
      if (now - lastDraw >= REDRAW_NANOS) draw(now);
    }

    @Override
    public void endEpoch(EpochStats stats, int epochs) {
      clear();
      out.println(stats.format(epochs));
      out.flush();
    }

    @Override
    public void message(String text) {
      clear();
      out.println(text);
      out.flush();
    }

    @Override
    public void close() {
      clear();
      out.flush();
    }

    private void draw(long now) {
      lastDraw = now;
      int filled = steps == 0 ? CELLS : (int) ((long) CELLS * done / steps);
      line.setLength(0);
      line.append("epoch ").append(epoch).append('/').append(epochs).append(" [");
      for (int i = 0; i < CELLS; i++) line.append(i < filled ? '=' : i == filled ? '>' : ' ');
      line.append("] ").append(done).append('/').append(steps);
      if (rows > 0) line.append("  loss ").append(Metrics.formatValue(lossSum / rows));
      long tenths = (now - epochStart) / 100_000_000L;
      line.append("  ").append(tenths / 10).append('.').append(tenths % 10).append(" s");
      int n = Math.min(line.length(), width);
      int end = 0;
      bytes[end++] = '\r';
      for (int i = 0; i < n; i++) {
        char c = line.charAt(i);
        bytes[end++] = (byte) (c < 128 ? c : '?');
      }
      // Blank what is left of a longer earlier line.
      for (int i = n; i < shown; i++) bytes[end++] = ' ';
      out.write(bytes, 0, end);
      out.flush();
      shown = n;
    }

    private void clear() {
      if (shown == 0) return;
      int end = 0;
      bytes[end++] = '\r';
      for (int i = 0; i < shown; i++) bytes[end++] = ' ';
      bytes[end++] = '\r';
      out.write(bytes, 0, end);
      shown = 0;
    }

    /** The terminal's width where the shell exports it, else the classic 80 columns. */
    private static int terminalColumns() {
      String columns = System.getenv("COLUMNS");
      try {
        int c = columns == null ? 80 : Integer.parseInt(columns.trim());
        return c >= 20 ? c : 80;
      } catch (NumberFormatException e) {
        return 80;
      }
    }
  }
}
