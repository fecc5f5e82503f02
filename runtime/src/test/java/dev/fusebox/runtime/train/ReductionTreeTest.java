package dev.fusebox.runtime.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReductionTreeTest {

  /** A leaf's gradient: values of very different magnitudes, so that the order of additions shows in the bits. */
  static float[][] leaves(int k, int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[][] g = new float[k][n];
    for (float[] row : g) for (int i = 0; i < n; i++) row[i] = (float) (rng.nextGaussian() * Math.pow(10, rng.nextInt(-4, 5)));
    return g;
  }

  /** The tree's definition written out directly: left + right, split at the largest power of two below the size. */
  static float[] reference(float[][] g, int lo, int hi) {
    if (hi - lo == 1) return g[lo].clone();
    int mid = lo + Integer.highestOneBit(hi - lo - 1);
    float[] a = reference(g, lo, mid), b = reference(g, mid, hi);
    for (int i = 0; i < a.length; i++) a[i] += b[i];
    return a;
  }

  @Test
  void anySplitIntoContiguousWorkerRangesGivesTheSameBits() {
    SplittableRandom rng = new SplittableRandom(1);
    int differentFromSequential = 0;
    for (int k = 1; k <= 40; k++) {
      float[][] g = leaves(k, 7, k);
      float[] expected = reference(g, 0, k);
      float[] sequential = g[0].clone();
      for (int j = 1; j < k; j++) for (int i = 0; i < 7; i++) sequential[i] += g[j][i];
      if (!java.util.Arrays.equals(sequential, expected)) differentFromSequential++;
      for (int trial = 0; trial < 20; trial++) {
        int workers = 1 + rng.nextInt(Math.min(k, 6));
        // random cut points: workers contiguous ranges covering [0, k)
        java.util.TreeSet<Integer> cuts = new java.util.TreeSet<>(List.of(0, k));
        while (cuts.size() < workers + 1) cuts.add(1 + rng.nextInt(k - 1 < 1 ? 1 : k - 1));
        List<Integer> c = new ArrayList<>(cuts);
        Map<ReductionTree.Node, float[]> partials = new HashMap<>();
        float[][] scratch = new float[ReductionTree.depth(k)][7];
        for (int w = 0; w + 1 < c.size(); w++) {
          int from = c.get(w), to = c.get(w + 1);
          List<ReductionTree.Node> cover = ReductionTree.cover(k, from, to);
          int covered = 0;
          for (ReductionTree.Node n : cover) {
            covered += n.hi() - n.lo();
            float[] out = new float[7];
            ReductionTree.Sums.node(n, (lo, hi, o) -> {
              if (hi - lo != 1) return false;
              System.arraycopy(g[lo], 0, o, 0, 7);
              return true;
            }, out, scratch);
            partials.put(n, out);
          }
          assertThat(covered).as("cover of [%d, %d) over %d", from, to, k).isEqualTo(to - from);
        }
        float[] root = new float[7];
        ReductionTree.Sums.root(k, (lo, hi, o) -> {
          float[] p = partials.get(new ReductionTree.Node(lo, hi));
          if (p == null) return false;
          System.arraycopy(p, 0, o, 0, 7);
          return true;
        }, root, scratch);
        assertThat(root).as("k=%d, cuts %s", k, c).containsExactly(expected);
      }
    }
    assertThat(differentFromSequential).as("the tree's bits differ from summing in sequence for some k (order matters)").isPositive();
  }

  @Test
  void coverIsTheLargestNodesInsideTheRange() {
    assertThat(ReductionTree.cover(8, 0, 8)).containsExactly(new ReductionTree.Node(0, 8));
    assertThat(ReductionTree.cover(8, 2, 7)).containsExactly(new ReductionTree.Node(2, 4), new ReductionTree.Node(4, 6),
        new ReductionTree.Node(6, 7));
    assertThat(ReductionTree.cover(5, 0, 5)).containsExactly(new ReductionTree.Node(0, 5));
    assertThat(ReductionTree.root(5).left()).isEqualTo(new ReductionTree.Node(0, 4));
    assertThat(ReductionTree.depth(1)).isZero();
    assertThat(ReductionTree.depth(5)).isEqualTo(3);
  }
}
