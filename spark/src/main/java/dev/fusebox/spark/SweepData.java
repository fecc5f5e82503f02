package dev.fusebox.spark;

import dev.fusebox.runtime.data.Dataset;
import java.io.Serializable;
import java.util.List;

/** A data set as it travels to executors (broadcast once per executor): its arrays and names. */
final class SweepData implements Serializable {
  private static final long serialVersionUID = 1L;

  private final float[] features;
  private final int featureCount;
  private final List<String> featureNames;
  private final int[] labels;
  private final int classes;
  private final float[] targets;
  private final List<String> labelNames;

  private SweepData(Dataset d) {
    features = d.features();
    featureCount = d.featureCount();
    featureNames = List.copyOf(d.featureNames());
    labels = d.hasLabels() ? d.labels() : null;
    classes = d.hasLabels() ? d.classes() : 0;
    targets = d.hasTargets() ? d.targets() : null;
    labelNames = List.copyOf(d.labelNames());
  }

  static SweepData of(Dataset d) {
    if (!d.hasLabels() && !d.hasTargets()) {
      throw new IllegalArgumentException("a sweep trains on labelled data, but " + d + " has no labels or targets");
    }
    return new SweepData(d);
  }

  /** The data set again, equal to the one it was made of. */
  Dataset dataset() {
    Dataset d = labels != null ? Dataset.ofClasses(features, featureCount, labels, classes)
        : Dataset.ofTargets(features, featureCount, targets, labelNames.size());
    return d.withNames(featureNames, labelNames);
  }
}
