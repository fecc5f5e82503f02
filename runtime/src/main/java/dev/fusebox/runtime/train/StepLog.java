package dev.fusebox.runtime.train;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The per-step CSV log: a header {@code epoch,step,loss,ms} and one row per optimizer step. The loss
 * is written as Java prints a float, the shortest text that reads back to the same value; the time in
 * milliseconds with 4 decimals.
 *
 * <p>Rows are formatted into reused buffers so that logging allocates nothing per step. Rows are
 * buffered; {@link #close()} flushes them, and the trainer closes the log however training ends.
 */
final class StepLog implements Closeable {
  static final String HEADER = "epoch,step,loss,ms";

  private final BufferedWriter out;
  private final StringBuilder row = new StringBuilder(64);
  private char[] chars = new char[64];

  private StepLog(BufferedWriter out) {
    this.out = out;
  }

  /** Creates or truncates {@code file}, and any missing parent directories, and writes the header. */
  static StepLog open(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    StepLog log = new StepLog(Files.newBufferedWriter(file, StandardCharsets.UTF_8));
    try {
      log.out.write(HEADER);
      log.out.write('\n');
    } catch (IOException e) {
      log.out.close();
      throw e;
    }
    return log;
  }

  void write(int epoch, long step, float loss, long nanos) throws IOException {
    row.setLength(0);
    row.append(epoch).append(',').append(step).append(',').append(loss).append(',');
    appendMillis(row, nanos);
    row.append('\n');
    int n = row.length();
    if (n > chars.length) chars = new char[Math.max(n, 2 * chars.length)];
    row.getChars(0, n, chars, 0);
    out.write(chars, 0, n);
  }

  /** Nanoseconds as milliseconds rounded to 4 decimals, without going through a formatter. */
  static void appendMillis(StringBuilder b, long nanos) {
    long tenThousandths = (Math.max(0, nanos) + 50) / 100;
    b.append(tenThousandths / 10_000).append('.');
    long fraction = tenThousandths % 10_000;
    for (long scale = 1_000; scale > fraction && scale > 1; scale /= 10) b.append('0');
    b.append(fraction);
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
