package dev.fusebox.bench;

import dev.fusebox.runtime.InputSpec;
import dev.fusebox.runtime.Program;
import java.util.SplittableRandom;

/**
 * Fills every data input of a program with seeded random values, once, before timing: features are
 * standard normal, class labels uniform over the classes, targets and one-hot rows 0 or 1. Scalar
 * inputs (the learning rate) keep their compiled value.
 */
public final class RandomInputs {
  private RandomInputs() {}

  public static void fill(Program program, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (InputSpec in : program.inputs()) {
      switch (in.kind()) {
        case FEATURES: {
          float[] v = new float[in.size()];
          for (int i = 0; i < v.length; i++) v[i] = (float) gaussian(random);
          program.setInput(in.name(), v);
          break;
        }
        case TARGETS: {
          float[] v = new float[in.size()];
          for (int i = 0; i < v.length; i++) v[i] = random.nextInt(2);
          program.setInput(in.name(), v);
          break;
        }
        case ONE_HOT: {
          int[] shape = in.shape();
          int classes = shape[shape.length - 1];
          float[] v = new float[in.size()];
          for (int r = 0; r < v.length / classes; r++) v[r * classes + random.nextInt(classes)] = 1;
          program.setInput(in.name(), v);
          break;
        }
        case LABELS: {
          int[] v = new int[in.size()];
          for (int i = 0; i < v.length; i++) v[i] = random.nextInt(in.classes());
          program.setLabels(in.name(), v);
          break;
        }
        default:
          break; // scalars such as lr keep the value the graph gave them
      }
    }
  }

  /** {@code size} standard normal values from {@code seed}: features fed to two engines alike. */
  public static float[] standardNormal(int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] v = new float[size];
    for (int i = 0; i < v.length; i++) v[i] = (float) gaussian(random);
    return v;
  }

  /** Box-Muller, so that the values do not depend on the JDK's choice of Gaussian algorithm. */
  private static double gaussian(SplittableRandom random) {
    double u = 1 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
