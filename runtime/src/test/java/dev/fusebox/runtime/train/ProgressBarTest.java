package dev.fusebox.runtime.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.runtime.data.Dataset;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The progress bar drives a console-like sink: its work must be bounded by elapsed time, not by the
 * number of steps or epochs (a bar rebuilt every epoch once cost a quarter of a second per epoch), and
 * what a terminal shows in the end must be exactly the log of epochs. Time is a fake clock, so nothing
 * here depends on how fast the machine is.
 */
class ProgressBarTest {
  private static final int EPOCHS = 200;
  private static final int ROWS = 40; // batches of 4: 10 steps an epoch
  private static final Pattern BAR = Pattern.compile("\repoch (\\d+)/(\\d+) \\[([=> ]{20})\\] (\\d+)/(\\d+)  loss [0-9.e+-]+  \\d+\\.\\d s");

  /** A terminal's stand-in: counts every write and flush it receives. */
  private static final class Console extends OutputStream {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int writes;
    int flushes;

    @Override
    public void write(int b) {
      writes++;
      bytes.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      writes++;
      bytes.write(b, off, len);
    }

    @Override
    public void flush() {
      flushes++;
    }

    String text() {
      return bytes.toString(StandardCharsets.US_ASCII);
    }
  }

  /** A clock that moves {@code tickNanos} forward every time it is read. */
  private static LongSupplier clock(long tickNanos) {
    long[] now = {0};
    return () -> now[0] += tickNanos;
  }

  private static Dataset data() {
    float[] x = new float[ROWS];
    float[] y = new float[ROWS];
    for (int r = 0; r < ROWS; r++) {
      x[r] = r / (float) ROWS;
      y[r] = 3 * x[r] - 1;
    }
    return Dataset.ofTargets(x, 1, y, 1);
  }

  private static TrainingResult train(Trainer.Builder options) throws IOException {
    return options.epochs(EPOCHS).seed(3).schedule(Schedule.constant(0.05)).build().fit();
  }

  private static Trainer.Builder builder() {
    return Trainer.builder(new LinearRegressionProgram(4, 1, 0.5f), data());
  }

  @Test
  void withoutTimePassingTheBarWritesOnlyTheEpochLines() throws IOException {
    Console console = new Console();
    TrainingResult result = train(builder().progressBar(new PrintStream(console, false, StandardCharsets.US_ASCII))
        .clock(() -> 42L));

    // 2,000 steps, and not one byte for them: exactly the lines a run without a bar prints.
    List<String> expected = new ArrayList<>();
    for (EpochStats e : result.history()) expected.add(e.format(EPOCHS));
    assertThat(result.steps()).isEqualTo(EPOCHS * 10L);
    assertThat(console.text()).isEqualTo(String.join("\n", expected) + "\n");
    assertThat(console.flushes).isLessThanOrEqualTo(EPOCHS + 1);
  }

  @Test
  void redrawsFollowTheClockNotTheSteps() throws IOException {
    // Every clock read moves time on by 7 ms: the run "lasts" about (steps + epochs) × 7 ms ≈ 15 s.
    long tick = 7_000_000L;
    Console console = new Console();
    TrainingResult result = train(builder().progressBar(new PrintStream(console, false, StandardCharsets.US_ASCII))
        .clock(clock(tick)));
    String text = console.text();

    int draws = 0;
    for (Matcher m = BAR.matcher(text); m.find(); ) draws++;
    long clockReads = result.steps() + EPOCHS + 1;
    long maxDraws = clockReads * tick / Progress.Bar.REDRAW_NANOS + 1;
    assertThat(draws).isPositive().isLessThanOrEqualTo((int) maxDraws);
    // Each draw is one write and one flush; each epoch a blanking write and its line.
    assertThat(console.flushes).isLessThanOrEqualTo(draws + EPOCHS + 1);
    assertThat(console.writes).isLessThanOrEqualTo(draws + 4 * EPOCHS + 1);
  }

  @Test
  void theBarShowsTheEpochsProgressAndRunningLoss() throws IOException {
    // A redraw on every step: each bar must agree with the step it was drawn after.
    Console console = new Console();
    train(builder().progressBar(new PrintStream(console, false, StandardCharsets.US_ASCII)).clock(clock(Progress.Bar.REDRAW_NANOS)));
    Matcher m = BAR.matcher(console.text());
    int bars = 0;
    while (m.find()) {
      bars++;
      int epoch = Integer.parseInt(m.group(1));
      int done = Integer.parseInt(m.group(4));
      int steps = Integer.parseInt(m.group(5));
      assertThat(epoch).isBetween(1, EPOCHS);
      assertThat(m.group(2)).isEqualTo(Integer.toString(EPOCHS));
      assertThat(steps).isEqualTo(10);
      String cells = m.group(3);
      int filled = cells.indexOf('>') < 0 ? cells.lastIndexOf('=') + 1 : cells.indexOf('>');
      assertThat(filled).as(cells).isEqualTo(20 * done / steps);
    }
    assertThat(bars).isEqualTo(EPOCHS * 10);
  }

  @Test
  void aTerminalEndsUpShowingExactlyTheEpochLog() throws IOException {
    Console console = new Console();
    TrainingResult result = train(builder().progressBar(new PrintStream(console, false, StandardCharsets.US_ASCII))
        .clock(clock(30_000_000L)));

    List<String> expected = new ArrayList<>();
    for (EpochStats e : result.history()) expected.add(e.format(EPOCHS));
    // Trailing blanks are what overwriting a longer bar leaves; a terminal shows them as nothing.
    assertThat(screen(console.text())).containsExactlyElementsOf(expected);
  }

  /** The lines a terminal would show for this output: a carriage return moves back to the line's start. */
  private static List<String> screen(String output) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    int column = 0;
    for (char c : output.toCharArray()) {
      if (c == '\r') {
        column = 0;
      } else if (c == '\n') {
        lines.add(line.toString().stripTrailing());
        line.setLength(0);
        column = 0;
      } else {
        if (column < line.length()) line.setCharAt(column, c);
        else line.append(c);
        column++;
      }
    }
    assertThat(line.toString().isBlank()).as("the last line is left clear: '%s'", line).isTrue();
    return lines;
  }
}
