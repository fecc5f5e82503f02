package dev.fusebox.bench;

import com.sun.management.ThreadMXBean;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.Program;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Bytes allocated by the calling thread per training step, exactly: the thread's allocation counter
 * read before and after a block of warm steps. JMH's {@code -prof gc} divides the allocation of every
 * thread of the JVM (JIT, JMH's own) by the operations, which reads as a few hundred bytes per step
 * for slow steps that allocate nothing; this tells the step's own allocation apart.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar dev.fusebox.bench.AllocationCheck [SECONDS]
 * </pre>
 *
 * Each program is warmed up for SECONDS (default 10) of steps first, so that C2 has compiled it.
 */
public final class AllocationCheck {
  private AllocationCheck() {}

  public static void main(String[] args) {
    double warmSeconds = args.length > 0 ? Double.parseDouble(args[0]) : 10;
    List<String> modes = args.length > 1 ? List.of(args[1].split(",")) : List.of("scalar", "vector", "vector_unfused");
    List<String> networks = args.length > 2 ? List.of(args[2].split(",")) : Networks.NAMES;
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    System.out.println("java " + System.getProperty("java.version") + "; bytes allocated by the stepping thread per step, after "
        + warmSeconds + " s of warm-up");
    System.out.printf(Locale.ROOT, "%-8s %-15s %14s %10s%n", "network", "mode", "bytes/step", "steps");
    List<String> failures = new ArrayList<>();
    for (String network : networks) {
      ModelSpec spec = Networks.spec(network);
      for (String mode : modes) {
        Program program = RunMode.parse(mode).create(spec, 1);
        RandomInputs.fill(program, 42);
        long end = System.nanoTime() + (long) (warmSeconds * 1e9);
        long warm = 0;
        while (System.nanoTime() < end) {
          program.step();
          warm++;
        }
        long steps = Math.max(10, warm / 4);
        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        for (long i = 0; i < steps; i++) program.step();
        long after = threads.getThreadAllocatedBytes(tid);
        double perStep = (double) (after - before) / steps;
        System.out.printf(Locale.ROOT, "%-8s %-15s %14.1f %10d%n", network, mode, perStep, steps);
        if (perStep >= 1) failures.add(network + "/" + mode);
      }
    }
    System.out.println(failures.isEmpty() ? "no step allocates" : "allocating: " + String.join(", ", failures));
  }
}
