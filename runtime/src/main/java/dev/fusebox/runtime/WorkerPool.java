package dev.fusebox.runtime;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A persistent pool of worker threads for one program: {@link #run} hands out the chunks of a task
 * to the calling thread and the workers, and returns when all are done. Which thread runs a chunk
 * varies; what a chunk computes does not, so results do not depend on the number of threads. Idle
 * workers spin briefly and then park (the second core of small machines is not always there to spin
 * on), and a run allocates nothing. Workers are daemon threads; {@link #close} stops them.
 */
public final class WorkerPool implements AutoCloseable {

  /** Work split into numbered chunks; {@code worker} (0 = the caller) selects per-thread scratch. */
  public interface Chunks {
    /**
     * Runs one chunk.
     *
     * @param task the task's number, as given to the pool
     * @param chunk the chunk, from 0
     * @param worker the thread running it, 0 for the caller: selects per-thread scratch
     */
    void runChunk(int task, int chunk, int worker);
  }

  private static final int SPINS = 2_000;

  private final Thread[] workers;
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicInteger busy = new AtomicInteger();
  private volatile int generation;
  private volatile boolean closed;
  private volatile Thread caller;
  private volatile Throwable failure;
  private Chunks target;
  private int task;
  private int chunks;

  /** A pool giving {@code threads} threads in all (the caller and {@code threads − 1} workers). */
  public WorkerPool(int threads) {
    this(threads, "fusebox-worker");
  }

  /** As {@link #WorkerPool(int)}, the workers named {@code name-1}, {@code name-2}, ... (thread dumps tell pools apart). */
  public WorkerPool(int threads, String name) {
    if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    workers = new Thread[threads - 1];
    for (int w = 0; w < workers.length; w++) {
      int id = w + 1;
      workers[w] = new Thread(() -> loop(id), name + "-" + id);
      workers[w].setDaemon(true);
      workers[w].start();
    }
  }

  public int threads() {
    return workers.length + 1;
  }

  /** Runs {@code target.runChunk(task, c, worker)} for every c in [0, chunks), on all threads; returns when done. */
  public void run(Chunks target, int task, int chunks) {
    if (closed) throw new IllegalStateException("worker pool is closed");
    this.target = target;
    this.task = task;
    this.chunks = chunks;
    this.caller = Thread.currentThread();
    failure = null;
    next.set(0);
    busy.set(workers.length);
    generation++; // volatile write: publishes the fields above to the workers
    for (Thread t : workers) LockSupport.unpark(t);
    work(0);
    for (int spin = 0; busy.get() > 0; spin++) {
      if (spin < SPINS) Thread.onSpinWait();
      else LockSupport.park(this);
    }
    Throwable f = failure;
    if (f != null) {
      if (f instanceof RuntimeException r) throw r;
      if (f instanceof Error e) throw e;
      throw new IllegalStateException(f);
    }
  }

  private void work(int worker) {
    try {
      for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) target.runChunk(task, c, worker);
    } catch (Throwable t) {
      failure = t;
      next.set(chunks);
    }
  }

  private void loop(int id) {
    int seen = 0;
    while (true) {
      for (int spin = 0; generation == seen && !closed; spin++) {
        if (spin < SPINS) Thread.onSpinWait();
        else LockSupport.park(this);
      }
      if (closed) return;
      seen = generation;
      work(id);
      if (busy.decrementAndGet() == 0) LockSupport.unpark(caller);
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Thread t : workers) LockSupport.unpark(t);
  }
}
