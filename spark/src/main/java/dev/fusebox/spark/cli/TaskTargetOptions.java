package dev.fusebox.spark.cli;

import dev.fusebox.Target;
import picocli.CommandLine.Option;

/**
 * {@code --backend} and {@code --threads} of the commands that run models in Spark tasks, mixed into
 * each so that they read and check them alike. A thread count of 0 leaves it to the task's cores.
 */
final class TaskTargetOptions {
  @Option(names = "--backend", paramLabel = "NAME", defaultValue = "auto",
      description = {"auto (vector, or scalar after a warning on an executor", "without jdk.incubator.vector), vector (an error",
          "there), scalar or interpreter."})
  String backend;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
      description = {"Threads for each task's large matmuls (default: the", "task's spark.task.cpus)."})
  int threads;

  /** The target {@code --backend} names, once {@code --threads} is checked. */
  Target target() {
    Target target = Target.parse(backend);
    if (threads < 0) throw new IllegalArgumentException("--threads must be at least 0 (0: the task's cores), not " + threads);
    return target;
  }
}
