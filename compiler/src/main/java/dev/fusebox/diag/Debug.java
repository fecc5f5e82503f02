package dev.fusebox.diag;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The debug switches, read from system properties or the environment each time they are asked for:
 * the level and the passes to disable when compile options are made ({@code CompileOptions.defaults()}),
 * the dump directory whenever a program is made, so that a long-lived process (or a test) can change
 * them between compilations.
 *
 * <ul>
 *   <li>{@code -Dfusebox.debug=N} or {@code FUSEBOX_DEBUG=N}: 1 prints pass names, timings and fusion
 *       decisions and verifies the graph around every pass; 2 also prints the graph after each pass;
 *       3 also dumps the generated source.
 *   <li>{@code -Dfusebox.dump=DIR}: where dumps go (default {@code fusebox-dump}).
 *   <li>{@code -Dfusebox.passes.disable=cse,constant_folding}: passes to switch off.
 * </ul>
 */
public final class Debug {
  private Debug() {}

  public static int level() {
    String v = System.getProperty("fusebox.debug", System.getenv("FUSEBOX_DEBUG"));
    if (v == null || v.isBlank()) return 0;
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("fusebox.debug must be a number 0-3, got '" + v + "'");
    }
  }

  /** Whether {@code -Dfusebox.dump=DIR} asks for every compiled program to be dumped. */
  public static boolean dumpRequested() {
    return System.getProperty("fusebox.dump") != null;
  }

  public static Path dumpDir() {
    return Path.of(System.getProperty("fusebox.dump", "fusebox-dump"));
  }

  /** Pass names switched off by {@code fusebox.passes.disable}, as written; the compiler checks that they name passes. */
  public static Set<String> disabledPasses() {
    String v = System.getProperty("fusebox.passes.disable", "");
    Set<String> out = new TreeSet<>();
    for (String s : v.split(",")) if (!s.isBlank()) out.add(s.trim().toLowerCase(Locale.ROOT));
    return out;
  }
}
