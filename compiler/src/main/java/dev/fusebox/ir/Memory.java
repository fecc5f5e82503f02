package dev.fusebox.ir;

import java.util.Locale;

/** Checks that arrays fit this JVM's heap before anything is allocated, naming what needs how much and the fix. */
public final class Memory {
  private Memory() {}

  /**
   * Throws a {@link GraphException} if {@code bytes} cannot fit the JVM's maximum heap ({@code -Xmx}):
   * better said when the graph is built than as an {@code OutOfMemoryError} inside a program.
   */
  public static void requireHeap(long bytes, String what) {
    long max = Runtime.getRuntime().maxMemory();
    if (bytes > max) {
      throw new GraphException(String.format(Locale.ROOT, "%s needs %s, more than this JVM's maximum heap of %s; raise it with -Xmx "
          + "(for example java -Xmx%dg ...) or make the tensor smaller", what, size(bytes), size(max), (bytes * 5 / 4 >> 30) + 1));
    }
  }

  /** {@code 1.5 GiB}, {@code 312 MiB}, {@code 4 KiB}. */
  public static String size(long bytes) {
    if (bytes >= 1L << 30) return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    if (bytes >= 1L << 20) return String.format(Locale.ROOT, "%.0f MiB", bytes / (double) (1L << 20));
    return String.format(Locale.ROOT, "%.0f KiB", Math.max(1, bytes / 1024.0));
  }
}
