package dev.fusebox.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatcherTest {

  /** Row r has features (r, -r) and label r % 3, so every batch shows which rows it holds. */
  private static Dataset indexed(int rows) {
    float[] x = new float[rows * 2];
    int[] y = new int[rows];
    for (int r = 0; r < rows; r++) {
      x[2 * r] = r;
      x[2 * r + 1] = -r;
      y[r] = r % 3;
    }
    return Dataset.ofClasses(x, 2, y, 3);
  }

  /** The row ids of the current batch's valid rows. */
  private static int[] ids(Batcher b) {
    int[] ids = new int[b.validRows()];
    for (int i = 0; i < ids.length; i++) ids[i] = (int) b.features()[2 * i];
    return ids;
  }

  private static List<Integer> epochOrder(Batcher b) {
    List<Integer> order = new ArrayList<>();
    while (b.next()) for (int id : ids(b)) order.add(id);
    return order;
  }

  @Test
  void inOrderGivesFileOrderAndZeroPadsTheLastBatch() {
    Batcher b = Batcher.inOrder(indexed(10), 4);
    assertThat(b.batchesPerEpoch()).isEqualTo(3);

    assertThat(b.next()).isTrue();
    assertThat(b.validRows()).isEqualTo(4);
    assertThat(b.features()).containsExactly(0, 0, 1, -1, 2, -2, 3, -3);
    assertThat(b.labels()).containsExactly(0, 1, 2, 0);
    assertThat(b.next()).isTrue();
    assertThat(b.features()).containsExactly(4, -4, 5, -5, 6, -6, 7, -7);
    assertThat(b.next()).isTrue();
    assertThat(b.validRows()).isEqualTo(2);
    // The padding must not keep rows 6 and 7 from the batch before.
    assertThat(b.features()).containsExactly(8, -8, 9, -9, 0, 0, 0, 0);
    assertThat(b.labels()).containsExactly(2, 0, 0, 0);
    assertThat(b.next()).isFalse();
    assertThat(b.validRows()).isEqualTo(2);

    b.startEpoch(1);
    assertThat(epochOrder(b)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
  }

  @Test
  void shuffledEpochsVisitEveryRowExactlyOnce() {
    Batcher b = Batcher.shuffled(indexed(23), 5, 99);
    for (int epoch = 0; epoch < 5; epoch++) {
      b.startEpoch(epoch);
      List<Integer> order = epochOrder(b);
      assertThat(order).hasSize(23).containsExactlyInAnyOrderElementsOf(range(23));
    }
  }

  @Test
  void shuffleOrderDependsOnlyOnSeedAndEpoch() {
    Dataset d = indexed(50);
    Batcher walked = Batcher.shuffled(d, 8, 1234);
    List<List<Integer>> orders = new ArrayList<>();
    for (int epoch = 0; epoch < 3; epoch++) {
      walked.startEpoch(epoch);
      orders.add(epochOrder(walked));
    }
    Batcher jumped = Batcher.shuffled(d, 8, 1234);
    jumped.startEpoch(2);
    assertThat(epochOrder(jumped)).isEqualTo(orders.get(2));
    jumped.startEpoch(0);
    assertThat(epochOrder(jumped)).isEqualTo(orders.get(0));

    assertThat(orders.get(1)).isNotEqualTo(orders.get(0));
    assertThat(orders.get(0)).isNotEqualTo(range(50));
    Batcher otherSeed = Batcher.shuffled(d, 8, 1235);
    assertThat(epochOrder(otherSeed)).isNotEqualTo(orders.get(0));
  }

  @Test
  void stepsWrapAroundTheDataInFileOrder() {
    Batcher b = Batcher.inOrder(indexed(10), 4);
    int[][] expected = {{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9}};
    for (int step = 0; step < 8; step++) {
      b.loadStep(step);
      assertThat(ids(b)).as("step %d", step).containsExactly(expected[step % 3]);
    }
    b.loadStep(1);
    assertThat(b.next()).isTrue();
    assertThat(ids(b)).containsExactly(8, 9);
  }

  @Test
  void shuffledStepsFollowTheEpochOrders() {
    Dataset d = indexed(10);
    Batcher byEpoch = Batcher.shuffled(d, 4, 5);
    byEpoch.startEpoch(1);
    List<int[]> epochOne = new ArrayList<>();
    while (byEpoch.next()) epochOne.add(ids(byEpoch));

    Batcher bySteps = Batcher.shuffled(d, 4, 5);
    for (int k = 0; k < 3; k++) {
      bySteps.loadStep(3 + k); // steps 3..5 are epoch 1
      assertThat(ids(bySteps)).isEqualTo(epochOne.get(k));
      assertThat(bySteps.epoch()).isEqualTo(1);
    }
  }

  @Test
  void oneHotAndTargetsFollowTheBatch() {
    Batcher b = Batcher.inOrder(indexed(5), 3);
    b.next();
    b.next();
    assertThat(b.oneHot()).containsExactly(1, 0, 0, 0, 1, 0, 0, 0, 0);

    Dataset t = Dataset.ofTargets(new float[] {1, 2, 3}, 1, new float[] {10, 11, 20, 21, 30, 31}, 2);
    Batcher tb = Batcher.inOrder(t, 2);
    tb.next();
    tb.next();
    assertThat(tb.targets()).containsExactly(30, 31, 0, 0);
    assertThat(tb.features()).containsExactly(3, 0);
    assertThatThrownBy(tb::labels).isInstanceOf(IllegalStateException.class)
        .hasMessage("data set has no class labels");
    assertThatThrownBy(b::targets).isInstanceOf(IllegalStateException.class).hasMessage("data set has no targets");
  }

  @Test
  void allocatesNothingPerBatch() {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    Batcher b = Batcher.shuffled(indexed(1000), 32, 3);
    long checksum = 0;
    for (int warm = 0; warm < 2000; warm++) {
      b.loadStep(warm);
      checksum += b.labels()[0] + (long) b.oneHot()[1];
    }
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int step = 0; step < 3200; step++) { // 100 epochs of 32 batches
      b.loadStep(step);
      checksum += b.labels()[0] + (long) b.oneHot()[1];
    }
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertThat(checksum).isPositive();
    // A single array per batch would already be 3200 × 16+ bytes; allow only measurement noise.
    assertThat(allocated).isLessThan(4096);
  }

  @Test
  void rejectsUnusableArguments() {
    assertThatThrownBy(() -> Batcher.inOrder(indexed(3), 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch size must be positive, not 0");
    assertThatThrownBy(() -> Batcher.inOrder(indexed(3).select(new int[0]), 2))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("cannot batch a data set with no rows");
  }

  private static List<Integer> range(int n) {
    Integer[] r = new Integer[n];
    Arrays.setAll(r, i -> i);
    return Arrays.asList(r);
  }
}
