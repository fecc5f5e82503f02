package dev.fusebox.runtime.train;

import dev.fusebox.runtime.InputKind;
import dev.fusebox.runtime.InputSpec;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Batcher;
import dev.fusebox.runtime.data.Dataset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which of a program's inputs gets which part of a data set's batches, checked once against the data
 * so that a mismatch fails before the first step with a message naming the input and both shapes.
 *
 * <p>Conventions: the single {@link InputKind#FEATURES} input gets the features, {@link InputKind#LABELS}
 * inputs the integer labels, {@link InputKind#ONE_HOT} inputs their one-hot rows and
 * {@link InputKind#TARGETS} inputs the regression targets. Scalar inputs are not data and are left alone.
 */
final class InputBinding {
  private final Dataset data;
  private final String features;
  private final String[] labels;
  private final String[] oneHot;
  private final String[] targets;

  private InputBinding(Dataset data, String features, String[] labels, String[] oneHot, String[] targets) {
    this.data = data;
    this.features = features;
    this.labels = labels;
    this.oneHot = oneHot;
    this.targets = targets;
  }

  /**
   * Binds every data input: features, and the labels, one-hot rows or targets the program's loss
   * needs, all of which the data must have. {@code role} names the data in messages ("training data").
   */
  static InputBinding supervised(Program program, Dataset data, String role) {
    return bind(program, data, role, true);
  }

  /** Binds the features alone, for data without labels that is only predicted on. */
  static InputBinding featuresOnly(Program program, Dataset data, String role) {
    return bind(program, data, role, false);
  }

  /**
   * The data as batches must see it: with a program's one-hot input wider than the data's class count
   * (a sample lacking the highest classes), the data is widened to the input's width.
   */
  Dataset data() {
    return data;
  }

  /** Copies the batcher's current batch into the program and tells it how many rows are real. */
  void load(Batcher batch, Program program) {
    program.setInput(features, batch.features());
    for (String name : labels) program.setLabels(name, batch.labels());
    for (String name : oneHot) program.setInput(name, batch.oneHot());
    for (String name : targets) program.setInput(name, batch.targets());
    program.setValidRows(batch.validRows());
  }

  private static InputBinding bind(Program program, Dataset data, String role, boolean supervised) {
    List<InputSpec> inputs = program.inputs();
    String where = role + " " + data;
    List<String> featureInputs = new ArrayList<>();
    List<String> labelInputs = new ArrayList<>();
    List<String> oneHotInputs = new ArrayList<>();
    List<String> targetInputs = new ArrayList<>();
    int oneHotWidth = 0;
    for (InputSpec in : inputs) {
      if (in.kind() == InputKind.SCALAR || in.kind() == InputKind.GRADIENT) continue; // not data
      int[] shape = in.shape();
      if (shape.length == 0 || shape[0] != program.batchSize()) {
        throw new IllegalArgumentException(String.format("input %s has batch dimension %s but the program's batch "
            + "size is %d; inputs: %s", in, shape.length == 0 ? "none" : shape[0], program.batchSize(), inputs));
      }
      int expectedRank = in.kind() == InputKind.LABELS ? 1 : 2;
      if (shape.length != expectedRank) {
        throw new IllegalArgumentException(String.format("input %s should have %d dimensions, %s", in, expectedRank,
            expectedRank == 1 ? "[batch]" : "[batch, columns]"));
      }
      switch (in.kind()) {
        case FEATURES -> {
          featureInputs.add(in.name());
          if (shape[1] != data.featureCount()) {
            throw new IllegalArgumentException(String.format("input %s takes %d features per row but the %s has %d",
                in, shape[1], where, data.featureCount()));
          }
        }
        case LABELS -> {
          if (!supervised) continue;
          requireClasses(in, in.classes(), data, where);
          labelInputs.add(in.name());
        }
        case ONE_HOT -> {
          if (!supervised) continue;
          requireClasses(in, shape[1], data, where);
          if (oneHotWidth != 0 && oneHotWidth != shape[1]) {
            throw new IllegalArgumentException("one-hot inputs of different widths cannot share one data set's "
                + "labels: " + inputs);
          }
          oneHotWidth = shape[1];
          oneHotInputs.add(in.name());
        }
        case TARGETS -> {
          if (!supervised) continue;
          if (!data.hasTargets()) {
            throw new IllegalArgumentException(String.format("input %s takes regression targets but the %s has none",
                in, where));
          }
          if (shape[1] != data.targetCount()) {
            throw new IllegalArgumentException(String.format("input %s takes %d targets per row but the %s has %d",
                in, shape[1], where, data.targetCount()));
          }
          targetInputs.add(in.name());
        }
        default -> throw new AssertionError(in.kind());
      }
    }
    if (featureInputs.size() != 1) {
      throw new IllegalArgumentException(String.format("the program needs exactly one features input to feed the %s "
          + "to, but has %d %s; inputs: %s", where, featureInputs.size(), featureInputs, inputs));
    }
    Dataset fed = oneHotWidth > data.classes() ? data.withClasses(oneHotWidth) : data;
    return new InputBinding(fed, featureInputs.get(0), labelInputs.toArray(String[]::new),
        oneHotInputs.toArray(String[]::new), targetInputs.toArray(String[]::new));
  }

  private static void requireClasses(InputSpec in, int classes, Dataset data, String where) {
    if (!data.hasLabels()) {
      throw new IllegalArgumentException(String.format("input %s takes class labels but the %s has none", in, where));
    }
    if (data.classes() > classes) {
      throw new IllegalArgumentException(String.format("input %s takes %d classes but the %s has %d", in, classes,
          where, data.classes()));
    }
  }

  @Override
  public String toString() {
    return "features → " + features + ", labels → " + Arrays.toString(labels) + ", one-hot → "
        + Arrays.toString(oneHot) + ", targets → " + Arrays.toString(targets);
  }
}
