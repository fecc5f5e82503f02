package dev.fusebox.spark;

import dev.fusebox.Target;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.spark.SparkEnv;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a task's programs run, decided in the executor by the rules of {@link Target}: an explicit
 * {@code vector} target on an executor started without {@code --add-modules=jdk.incubator.vector} fails
 * the task with an error naming the flag and the Spark settings that give it; {@code auto} falls back to
 * scalar kernels, and says so once per executor JVM, in the executor's log and, through
 * {@link ExecutorNotices}, in the driver's.
 */
final class ExecutorTarget {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutorTarget.class);
  /** The flag and where a Spark job sets it, as every message says it. */
  static final String HOW = "add --add-modules=jdk.incubator.vector to spark.executor.extraJavaOptions (and to "
      + "spark.driver.extraJavaOptions, or the driver's java command, for the driver and for local masters)";
  // Once per JVM: an executor runs many tasks, and one notice is what the operator needs.
  private static final AtomicBoolean NOTED = new AtomicBoolean();

  private ExecutorTarget() {}

  /**
   * The concrete target for {@code requested} on this JVM; {@code notices} gets the fallback notice the
   * first time a task of this JVM falls back.
   *
   * @throws IllegalStateException for an explicit vector target without the Vector API, naming the flag
   */
  static Target resolve(Target requested, Consumer<String> notices) {
    return resolve(requested, Target.vectorAvailable(), NOTED, notices);
  }

  /** The same for a JVM with or without the Vector API, where {@code noted} says whether it has given its notice. */
  static Target resolve(Target requested, boolean vectorAvailable, AtomicBoolean noted, Consumer<String> notices) {
    if (vectorAvailable || requested.kind() == Target.Kind.SCALAR || requested.kind() == Target.Kind.INTERPRETER) {
      return requested.kind() == Target.Kind.AUTO ? new Target(Target.Kind.VECTOR, requested.threads()) : requested;
    }
    if (requested.kind() == Target.Kind.VECTOR) {
      throw new IllegalStateException("fusebox: " + where() + " was started without the JDK's Vector API, which the vector "
          + "target needs: " + HOW + "; or use the auto target to fall back to scalar kernels");
    }
    if (noted.compareAndSet(false, true)) {
      String notice = "fusebox: " + where() + " was started without the JDK's Vector API: its tasks run scalar kernels, "
          + "several times slower; " + HOW;
      // In local mode the executor is the driver, whose log gets the notice from ExecutorNotices.
      if (!isDriver()) LOG.warn(notice);
      notices.accept(notice);
    }
    return new Target(Target.Kind.SCALAR, requested.threads());
  }

  private static boolean isDriver() {
    SparkEnv env = SparkEnv.get();
    return env == null || "driver".equals(env.executorId());
  }

  /** {@code executor 3 on host}, or {@code this JVM} outside Spark. */
  static String where() {
    SparkEnv env = SparkEnv.get();
    if (env == null) return "this JVM";
    return "executor " + env.executorId() + " on " + env.blockManager().blockManagerId().host();
  }
}
