package dev.fusebox.samples;

/** The samples' one optional command-line argument. */
final class Args {
  private Args() {}

  /**
   * The first argument, or {@code fallback} when there is none or it is blank: {@code mvn exec:exec}
   * passes {@code -Dsample.arg} as one argument, and an empty one when the property is not set.
   */
  static String first(String[] args, String fallback) {
    return args.length > 0 && !args[0].isBlank() ? args[0].strip() : fallback;
  }
}
