package dev.fusebox.ir;

/**
 * Run-time facts an op's reference semantics may read: how many leading rows of the batch are valid
 * (losses average over those only), whether this is a training step (dropout is on), and the step
 * counter (seeds dropout masks).
 */
public final class EvalContext {
  private final int batchSize;
  private int validRows;
  private boolean training;
  private long step;

  public EvalContext(int batchSize) {
    this.batchSize = batchSize;
    this.validRows = batchSize;
  }

  public int batchSize() {
    return batchSize;
  }

  public int validRows() {
    return validRows;
  }

  /**
   * The rows a loss averages over for a tensor of {@code rows} rows: the valid rows if the tensor is
   * batch-sized, else all of them.
   */
  public int validRows(int rows) {
    return rows == batchSize ? validRows : rows;
  }

  public void setValidRows(int validRows) {
    if (validRows < 1 || validRows > batchSize) {
      throw new IllegalArgumentException("valid rows must be in [1, " + batchSize + "], got " + validRows);
    }
    this.validRows = validRows;
  }

  public boolean training() {
    return training;
  }

  public void setTraining(boolean training) {
    this.training = training;
  }

  public long step() {
    return step;
  }

  public void setStep(long step) {
    this.step = step;
  }
}
