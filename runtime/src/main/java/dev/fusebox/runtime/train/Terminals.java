package dev.fusebox.runtime.train;

import java.io.Console;
import java.lang.reflect.Method;

/** Whether a person is watching: the JVM's standard input and output are a terminal. */
final class Terminals {
  private Terminals() {}

  /**
   * True when the JVM runs in a terminal. Before JDK 22 a console exists only then; from JDK 22 on
   * there may be a console even when the output is piped, and {@code Console.isTerminal()} (called
   * reflectively, since the code targets JDK 17) tells the two apart.
   */
  static boolean interactive() {
    Console console = System.console();
    if (console == null) return false;
    Method isTerminal;
    try {
      isTerminal = Console.class.getMethod("isTerminal");
    } catch (NoSuchMethodException e) {
      return true;
    }
    try {
      return (Boolean) isTerminal.invoke(console);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }
}
