package dev.fusebox.passes;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What passes share while a pipeline runs: the debug level, where messages go, and the decisions
 * passes report (fusion decisions with their reasons, rewrites) for the fusion report.
 */
public final class PassContext {
  private final int debug;
  private final PrintStream log;
  private final List<String> decisions = new ArrayList<>();

  public PassContext(int debug, PrintStream log) {
    this.debug = debug;
    this.log = log;
  }

  /** A quiet context: no messages, decisions still recorded. */
  public static PassContext quiet() {
    return new PassContext(0, null);
  }

  public int debug() {
    return debug;
  }

  /** Records a decision; at debug level 1 and above it is also printed. */
  public void decide(String pass, String decision) {
    decisions.add(pass + ": " + decision);
    if (debug >= 1 && log != null) log.println("[fusebox] " + pass + ": " + decision);
  }

  public List<String> decisions() {
    return Collections.unmodifiableList(decisions);
  }

  void print(String line) {
    if (log != null) log.println(line);
  }
}
