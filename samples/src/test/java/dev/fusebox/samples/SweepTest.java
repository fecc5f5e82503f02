package dev.fusebox.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.Target;
import dev.fusebox.runtime.data.Dataset;
import java.util.List;
import org.junit.jupiter.api.Test;

class SweepTest {

  @Test
  void aParallelSweepGivesBitwiseTheResultsOfRunningEachConfigurationAlone() throws Exception {
    Dataset.Split data = SampleData.standardisedDigits(Sweep.SEED);
    List<Sweep.Config> grid = Sweep.grid();

    List<Sweep.Outcome> parallel = Sweep.runParallel(grid, data, 2, Target.vector());
    List<Sweep.Outcome> sequential = Sweep.runSequential(grid, data, Target.vector());

    assertThat(parallel).hasSize(grid.size());
    for (int i = 0; i < grid.size(); i++) {
      Sweep.Outcome p = parallel.get(i);
      Sweep.Outcome s = sequential.get(i);
      assertThat(p.config()).isEqualTo(grid.get(i));
      // Metrics and NamedTensors compare doubles and float arrays exactly: equal means bit for bit.
      assertThat(p.validation()).as("%s", p.config()).isEqualTo(s.validation());
      assertThat(p.parameters()).as("%s", p.config()).isEqualTo(s.parameters());
    }
    // And the sweep did learn: its best configuration classifies digits well after five epochs.
    assertThat(parallel).anySatisfy(o -> assertThat(o.validation().accuracy().orElseThrow()).isGreaterThan(0.95));
  }
}
