package dev.fusebox.spark;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.CollectionAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Brings what executors need to tell the driver's log (a missing Vector API) to the driver: tasks add
 * notices to a named accumulator, whose updates travel back with each finished task, and a listener on
 * the driver logs every notice the first time it arrives, as a warning of the logger
 * {@code dev.fusebox.spark}. An executor adds its notice once, so one executor is one line.
 */
final class ExecutorNotices {
  static final String NAME = "fusebox.executor.notices";
  private static final Logger LOG = LoggerFactory.getLogger("dev.fusebox.spark");
  // One listener per SparkContext (weakly held: a stopped context goes away with its listener).
  private static final Map<SparkContext, Listener> LISTENERS = Collections.synchronizedMap(new WeakHashMap<>());

  private ExecutorNotices() {}

  /** A new accumulator for a stage's tasks to add notices to, with the driver listening to it. */
  static CollectionAccumulator<String> register(SparkContext sc) {
    LISTENERS.computeIfAbsent(sc, c -> {
      Listener l = new Listener();
      c.addSparkListener(l);
      return l;
    });
    return sc.collectionAccumulator(NAME);
  }

  /** The notices the driver has logged so far in {@code sc}, in the order they came. */
  static List<String> logged(SparkContext sc) {
    Listener l = LISTENERS.get(sc);
    return l == null ? List.of() : List.copyOf(l.seen);
  }

  /** Logs each notice once. */
  static final class Listener extends SparkListener {
    final Set<String> seen = Collections.synchronizedSet(new java.util.LinkedHashSet<>());
    private final Set<String> logged = ConcurrentHashMap.newKeySet();

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
      if (end.taskInfo() == null) return;
      for (AccumulableInfo info : CollectionConverters.asJava(end.taskInfo().accumulables())) {
        if (info.name().isEmpty() || !NAME.equals(info.name().get()) || info.update().isEmpty()) continue;
        if (!(info.update().get() instanceof java.util.List<?> notices)) continue;
        for (Object notice : notices) {
          String text = String.valueOf(notice);
          if (logged.add(text)) {
            seen.add(text);
            LOG.warn(text);
          }
        }
      }
    }
  }
}
