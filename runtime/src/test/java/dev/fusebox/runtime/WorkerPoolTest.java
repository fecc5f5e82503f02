package dev.fusebox.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {

  @Test
  void everyChunkRunsExactlyOncePerRunOnAnyNumberOfThreads() {
    for (int threads = 1; threads <= 4; threads++) {
      try (WorkerPool pool = new WorkerPool(threads)) {
        AtomicIntegerArray counts = new AtomicIntegerArray(37);
        boolean[] workerSeen = new boolean[threads];
        for (int run = 0; run < 500; run++) {
          pool.run((task, chunk, worker) -> {
            counts.incrementAndGet(chunk);
            workerSeen[worker] = true;
            assertThat(task).isEqualTo(7);
          }, 7, 37);
        }
        for (int c = 0; c < 37; c++) assertThat(counts.get(c)).as("chunk %d, %d threads", c, threads).isEqualTo(500);
        assertThat(workerSeen[0]).isTrue();
        assertThat(pool.threads()).isEqualTo(threads);
      }
    }
  }

  @Test
  void aFailingChunkFailsTheRun() {
    try (WorkerPool pool = new WorkerPool(2)) {
      assertThatThrownBy(() -> pool.run((task, chunk, worker) -> {
        if (chunk == 5) throw new IllegalArgumentException("chunk 5 failed");
      }, 0, 10)).isInstanceOf(IllegalArgumentException.class).hasMessage("chunk 5 failed");
      int[] ran = new int[1];
      pool.run((task, chunk, worker) -> {
        synchronized (ran) {
          ran[0]++;
        }
      }, 0, 10);
      assertThat(ran[0]).as("the pool still works after a failure").isEqualTo(10);
    }
  }

  @Test
  void aClosedPoolRefusesWork() {
    WorkerPool pool = new WorkerPool(3);
    pool.close();
    assertThatThrownBy(() -> pool.run((t, c, w) -> { }, 0, 1)).hasMessage("worker pool is closed");
    assertThatThrownBy(() -> new WorkerPool(0)).hasMessageContaining("at least 1");
  }
}
