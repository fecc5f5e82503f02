package dev.fusebox.runtime;

import java.util.List;

/**
 * A compiled or interpreted training program: the one contract that generated classes and the
 * reference interpreter both implement, so any test, trainer or benchmark can swap one for the other.
 *
 * <p>A program has a fixed batch size (its inputs' first dimension). It may run fewer valid rows than
 * that ({@link #setValidRows}); the valid rows are always the first ones, and losses average over them
 * only. A generated program then computes only those rows of every value that runs along the batch,
 * at a cost that grows with the valid rows, not the batch: the rows past them of such an output (a
 * prediction) hold nothing meaningful. A program is not thread-safe: create one per thread.
 */
public interface Program extends AutoCloseable {

  /** {@return the inputs this program reads, in declaration order} */
  List<InputSpec> inputs();

  /** {@return the compiled batch size: the first dimension of every batched input} */
  int batchSize();

  /**
   * Copies {@code values} into the named input.
   *
   * @param name a features, targets, one-hot or scalar input of {@link #inputs()}
   * @param values row-major, exactly the input's size
   * @throws IllegalArgumentException if there is no such input, it holds labels, or the length is wrong
   */
  void setInput(String name, float[] values);

  /**
   * Copies the first {@code rows} rows of a batched float input from {@code values}, starting at
   * {@code offset} (row-major: {@code rows} times the input's row width); its other rows keep what they
   * held. With {@link #setValidRows} this sets a partial batch at the cost of its rows, where
   * {@link #setInput} copies the whole batch. The default copies the whole input; {@link AbstractProgram}
   * copies the rows alone.
   *
   * @param name a batched float input of {@link #inputs()}
   * @param values where the rows are read from
   * @param offset index in {@code values} of the first row's first value
   * @param rows how many leading rows to set, in {@code [0, batchSize()]}
   * @throws IllegalArgumentException naming the input when it is not a batched float input, or the rows
   *     are not in {@code [0, batchSize()]} or not in {@code values}
   */
  default void setInputRows(String name, float[] values, int offset, int rows) {
    float[] all = read(name);
    int width = BatchRows.width("input", name, shape(name), batchSize());
    BatchRows.check("input", name, rows, batchSize(), width, values.length, offset);
    System.arraycopy(values, offset, all, 0, rows * width);
    setInput(name, all);
  }

  /**
   * Copies integer class labels into the named input.
   *
   * @param name a labels input of {@link #inputs()}
   * @param labels one per row of the batch, each in {@code [0, classes)}
   * @throws IllegalArgumentException if there is no such labels input, the length is wrong or a label is out of range
   */
  void setLabels(String name, int[] labels);

  /**
   * Sets a scalar input such as a learning rate that a schedule changes between steps.
   *
   * @param name a float input of one value
   * @param value its new value
   * @throws IllegalArgumentException if there is no such input or it does not take one float
   */
  void setScalar(String name, float value);

  /**
   * Sets how many leading rows of the batch are real data; the default is all. Rows past them are not
   * computed: read only the valid rows of batch-shaped outputs.
   *
   * @param rows in {@code [1, batchSize()]}
   * @throws IllegalArgumentException if {@code rows} is outside that range
   */
  void setValidRows(int rows);

  /** Evaluates the graph's outputs in inference mode (no dropout), without changing any state. */
  void forward();

  /**
   * One training step: forward pass in training mode, backward pass, and the optimizer's update of
   * every parameter and its state. Allocates nothing.
   *
   * @return the graph's {@code loss} output as the forward pass computed it, before the update
   */
  float step();

  /**
   * {@return training steps taken so far} {@link #step()} adds one, and the count seeds dropout masks
   * (step {@code s} draws from the seed, {@code s} and the element alone). A new program starts at 0.
   */
  long stepCount();

  /**
   * Sets the step count, to resume training where a saved state left off: the next {@link #step()}
   * draws the dropout masks of step {@code steps}, as the uninterrupted run would have.
   *
   * @param steps the steps taken before, 0 or more
   * @throws IllegalArgumentException if {@code steps} is negative
   */
  void setStepCount(long steps);

  /**
   * {@return the value of a named output or node after the last {@link #forward} or {@link #step}, as a
   * new row-major array}
   *
   * @param name an output role ({@code loss}, {@code prediction}) or a node's name ({@code layers.0.weight.grad})
   * @throws IllegalArgumentException if the program has no such value
   * @throws IllegalStateException if the value was not computed by the last run, or a generated program
   *     keeps it in registers only (the message says how to read it)
   */
  float[] read(String name);

  /**
   * Copies the first {@code rows} rows of a batch-shaped output or node ({@code prediction}) into
   * {@code into} from {@code offset} on: the valid rows of a partial batch, without the new array that
   * {@link #read} makes (generated programs allocate nothing here).
   *
   * @param name an output or node of {@link #read}, with the batch as its first dimension
   * @param into where the rows go
   * @param offset index in {@code into} of the first row's first value
   * @param rows how many leading rows to copy, in {@code [0, batchSize()]}
   * @throws IllegalArgumentException naming the value when it does not run along the batch, or the rows
   *     are not in {@code [0, batchSize()]} or do not fit {@code into}
   */
  default void readRows(String name, float[] into, int offset, int rows) {
    int width = BatchRows.width("value", name, shape(name), batchSize());
    BatchRows.check("value", name, rows, batchSize(), width, into.length, offset);
    System.arraycopy(read(name), 0, into, offset, rows * width);
  }

  /**
   * {@return the shape of a named output or node}
   *
   * @param name as {@link #read} takes it
   * @throws IllegalArgumentException if the program has no such value
   */
  int[] shape(String name);

  /** {@return the names of the trainable parameters, in declaration order (a subset of {@link #state()}'s names)} */
  List<String> parameterNames();

  /** {@return a copy of every parameter and every optimizer state tensor, by name, in declaration order} */
  NamedTensors state();

  /**
   * Replaces the named parameters and state tensors with {@code values}. Every name, shape and value
   * is checked before anything is copied: if any is wrong, the program's state is left untouched and
   * the exception names the tensor. Tensors the program has but {@code values} lacks keep their values.
   *
   * @param values tensors named as in {@link #state()}, of the program's shapes, all finite
   * @throws IllegalArgumentException naming the first tensor the program lacks, of another shape or holding a
   *     non-finite value
   */
  void load(NamedTensors values);

  /**
   * After a run that produced a non-finite value, says where: the interpreter names the first node (in
   * graph order) holding one, with its op, call site and element ({@code add 'layers.0.z' (#5) at
   * Model.java:12 produced NaN at [3, 17]}); a generated program the first stored value holding one, in
   * the order it registered them, and the element ({@code 'layers.0.z' holds NaN at [3, 17]}).
   *
   * @return that description, or null if every value is finite
   */
  String firstNonFinite();

  /** {@return the generated Java source, or for the interpreter the graph text it runs} */
  String source();

  /** Releases threads a program may hold (programs with more than one thread); nothing else needs it. */
  @Override
  default void close() {}

  /**
   * Copies what {@link #read} returns into {@code into} from {@code offset} on; a generated program
   * allocates nothing doing it, for callers that read the same values every step (the gradients a
   * data-parallel trainer sums).
   *
   * @param name a value {@link #read} takes
   * @param into where the values go
   * @param offset index in {@code into} of the first value
   * @throws IllegalArgumentException as {@link #read}, or if the value does not fit from {@code offset}
   */
  default void readInto(String name, float[] into, int offset) {
    float[] value = read(name);
    if (offset < 0 || offset > into.length - value.length) {
      throw new IllegalArgumentException("'" + name + "' has " + value.length + " values, which do not fit from " + offset
          + " into an array of " + into.length);
    }
    System.arraycopy(value, 0, into, offset, value.length);
  }

  /**
   * Replaces the values of variables {@code names[i]} with {@code values[i]}, each exactly the
   * variable's size, as {@link #load} does but taking non-finite values as they are: for handing one
   * program's variables to another every step (the parameters a data-parallel worker takes from the
   * update program), where a NaN must travel on and surface as the next loss, as it would in one
   * program. A generated program allocates nothing doing it.
   *
   * @param names variables of {@link #state()}
   * @param values each variable's new values, row-major
   * @throws IllegalArgumentException if a name is not a variable or an array is not its size
   */
  default void copyVariables(String[] names, float[][] values) {
    NamedTensors t = new NamedTensors();
    for (int i = 0; i < names.length; i++) t.put(names[i], new FloatTensor(shape(names[i]), values[i].clone()));
    load(t);
  }
}
