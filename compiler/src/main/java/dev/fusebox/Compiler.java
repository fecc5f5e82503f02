package dev.fusebox;

import dev.fusebox.autodiff.Autodiff;
import dev.fusebox.codegen.Backend;
import dev.fusebox.codegen.ProgramEmitter;
import dev.fusebox.diag.Debug;
import dev.fusebox.interp.Interpreter;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.GraphException;
import dev.fusebox.ir.Memory;
import dev.fusebox.ir.Node;
import dev.fusebox.optim.Optimizer;
import dev.fusebox.optim.TrainingGraph;
import dev.fusebox.passes.Pass;
import dev.fusebox.passes.PassContext;
import dev.fusebox.passes.PassPipeline;
import dev.fusebox.passes.fusion.KernelFusion;
import dev.fusebox.passes.fusion.LossFusion;
import dev.fusebox.passes.fusion.ValidRows;
import dev.fusebox.passes.memory.MemoryPlan;
import dev.fusebox.passes.memory.MemoryPlanner;
import dev.fusebox.passes.simplify.AlgebraicSimplification;
import dev.fusebox.passes.simplify.CommonSubexpressionElimination;
import dev.fusebox.passes.simplify.ConstantFolding;
import dev.fusebox.passes.simplify.DeadNodeElimination;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.train.DataParallelProgram;
import java.util.List;
import java.util.stream.Stream;

/**
 * The whole pipeline, in one place:
 *
 * <pre>
 * forward graph ─loss_fusion─▶ ─autodiff + optimizer─▶ training graph
 *   ─algebraic_simplification · constant_folding · cse · dead_node_elimination · kernel_fusion · valid_rows─▶ fused graph
 *   ─memory planning─▶ plan
 * </pre>
 *
 * Passes on the forward graph run before autodiff, so that a fused loss brings its own gradient.
 */
public final class Compiler {
  private Compiler() {}

  /** {@return the forward graph's passes, in order} */
  public static List<Pass> forwardPasses() {
    return List.of(new LossFusion());
  }

  /** {@return the training graph's passes, in order: simplify first, fuse last (fusion plans the final nodes)} */
  public static List<Pass> trainingPasses() {
    return List.of(new AlgebraicSimplification(), new ConstantFolding(), new CommonSubexpressionElimination(),
        new DeadNodeElimination(), new KernelFusion(), new ValidRows());
  }

  /**
   * Compiles a forward graph (with a {@code loss} output) and an optimizer into a fused, planned
   * training graph. With a null optimizer the graph computes the gradients of every parameter as
   * outputs ({@code <param>.grad}) and updates nothing: for inspection and tests. Nothing is generated
   * or compiled to bytecode yet: {@link Compilation#program} does that. Thread-safe: graphs are immutable.
   *
   * @param forward a forward graph with a scalar {@code loss} output that depends on a trainable parameter
   * @param optimizer the optimizer whose update each step applies, or null for gradients alone
   * @param options how to compile
   * @return the graphs, the memory plan and every decision the passes made
   * @throws IllegalArgumentException if the options disable an unknown pass, the loss reaches no
   *     parameter, or the graph cannot be differentiated (a {@link dev.fusebox.ir.GraphException} naming the node)
   */
  public static Compilation compile(Graph forward, Optimizer optimizer, CompileOptions options) {
    checkDisabledPasses(options);
    PassContext ctx = new PassContext(options.debug(), System.err);
    Graph f = pipeline(forwardPasses(), options).run(forward, ctx);
    Graph training = optimizer == null ? Autodiff.differentiate(f) : TrainingGraph.of(f, optimizer, options.clipGradNorm());
    return planned(forward, training, options, ctx);
  }

  /** The training graph's passes and memory plan: what every compiled step shares. */
  private static Compilation planned(Graph forward, Graph training, CompileOptions options, PassContext ctx) {
    Graph fused = KernelFusion.unfused(pipeline(trainingPasses(), options).run(training, ctx));
    MemoryPlan memory = MemoryPlanner.plan(fused);
    if (options.debug() >= 1) System.err.println("[fusebox] " + memory.summary());
    return new Compilation(forward, training, fused, memory, ctx.decisions(), options);
  }

  /**
   * A training step split in two for data parallelism: a gradient program ({@link TrainingGraph#gradients})
   * that each worker runs on its micro-batches, and an update program ({@link TrainingGraph#update})
   * applying the optimizer, with clipping, to their summed gradients. Their parameters and the update
   * program's state have the names and initial values the fused step of {@link #compile} gives them.
   *
   * @param forward a forward graph with a scalar {@code loss} output that depends on a trainable parameter
   * @param optimizer the optimizer the update program applies
   * @param options how to compile both; their gradient clipping goes into the update program
   * @return the two compilations
   * @throws IllegalArgumentException as {@link #compile} does
   */
  public static DataParallel dataParallel(Graph forward, Optimizer optimizer, CompileOptions options) {
    checkDisabledPasses(options);
    PassContext ctx = new PassContext(options.debug(), System.err);
    Graph f = pipeline(forwardPasses(), options).run(forward, ctx);
    Compilation gradients = planned(forward, TrainingGraph.gradients(f), options, ctx);
    PassContext updateCtx = new PassContext(options.debug(), System.err);
    return new DataParallel(gradients, planned(forward, TrainingGraph.update(f, optimizer, options.clipGradNorm()), options, updateCtx));
  }

  /**
   * The two programs of a training step split for data parallelism (see {@link #dataParallel}).
   *
   * @param gradients the gradient program: inputs as the forward graph's plus {@code loss_scale}, outputs
   *     {@code loss} and {@code <param>.grad}
   * @param update the update program: an input {@code <param>.grad} per parameter, the optimizer's state
   */
  public record DataParallel(Compilation gradients, Compilation update) {
    /** {@return the parameters both programs hold, in order: each gradient program's {@code <name>.grad} outputs feed the update's inputs} */
    public List<String> parameters() {
      return update.training().trainableParameters().stream().map(Node::name).toList();
    }

    /**
     * A training program over global batches of {@code batchSize} rows that runs this split on
     * {@code workers} threads: each owns a gradient program (micro-batches of the gradient compilation's
     * batch size) and the update program steps on the caller's thread. Its weights are the same to the
     * bit for any number of workers (see {@link DataParallelProgram}); {@link dev.fusebox.runtime.train.Trainer}
     * drives it as any program. Close it to stop its threads.
     *
     * @param target where the programs run
     * @param batchSize rows of a global batch
     * @param workers worker threads, 1 or more
     * @return the program, its threads started
     * @throws IllegalArgumentException if {@code workers} is below 1 or the micro-batch is larger than {@code batchSize}
     */
    public DataParallelProgram program(Target target, int batchSize, int workers) {
      Target concrete = target.resolve(System.err::println); // one notice, not one per program
      return DataParallelProgram.create(update.program(concrete), () -> gradients.program(concrete), batchSize, workers);
    }
  }

  /**
   * Compiles a forward graph for inference: the forward passes, then simplification, fusion and
   * memory planning of the forward graph itself (no gradients, no updates). Its program's
   * {@code forward()} computes the outputs; {@code step()} does the same and returns the loss, if any.
   *
   * @param forward a forward graph; a {@code loss} output is optional
   * @param options how to compile
   * @return the graphs and the memory plan
   * @throws IllegalArgumentException if the options disable an unknown pass
   */
  public static Compilation inference(Graph forward, CompileOptions options) {
    checkDisabledPasses(options);
    PassContext ctx = new PassContext(options.debug(), System.err);
    Graph f = pipeline(forwardPasses(), options).run(forward, ctx);
    Graph fused = KernelFusion.unfused(pipeline(trainingPasses(), options).run(f, ctx));
    MemoryPlan memory = MemoryPlanner.plan(fused);
    return new Compilation(forward, f, fused, memory, ctx.decisions(), options);
  }

  /**
   * Fails with an {@link IllegalArgumentException} listing the passes unless every pass the options
   * disable (by {@link CompileOptions#withoutPasses} or {@code -Dfusebox.passes.disable}) is one of the
   * compiler's.
   *
   * @param options the options to check
   * @throws IllegalArgumentException naming the unknown pass and listing the passes there are
   */
  public static void checkDisabledPasses(CompileOptions options) {
    List<String> known = Stream.concat(forwardPasses().stream(), trainingPasses().stream()).map(Pass::name).toList();
    for (String d : options.disabledPasses()) {
      if (!known.contains(d)) throw new IllegalArgumentException("unknown pass '" + d + "' to disable; passes are " + known);
    }
  }

  private static PassPipeline pipeline(List<Pass> passes, CompileOptions options) {
    return new PassPipeline(passes, options.disabledPasses(), options.verify());
  }

  /**
   * What compiling produced: the graph as given, the training graph before passes, the fused graph
   * with its kernels, its memory plan, and every decision passes made (for the fusion report).
   * Immutable; each {@link #program} call makes a new program.
   *
   * @param forward the forward graph, as given
   * @param training the training graph before the passes (for inference, the forward graph after its passes)
   * @param fused the graph after the passes, with its kernels: what programs run
   * @param memory the fused graph's memory plan
   * @param decisions every decision the passes made, with its reason, in order
   * @param options the options it was compiled with
   */
  public record Compilation(Graph forward, Graph training, Graph fused, MemoryPlan memory, List<String> decisions,
      CompileOptions options) implements Dumps.Stages {

    /**
     * {@return the generated source for a backend (deterministic: the same graph gives the same text)}
     *
     * @param backend Vector API or plain Java kernels
     */
    public ProgramEmitter.Source source(Backend backend) {
      return ProgramEmitter.emit(fused, memory, backend);
    }

    /**
     * {@return a new program on the {@link Target#auto() auto} target: vector kernels, or scalar ones where
     * the Vector API is missing}
     *
     * @throws dev.fusebox.ir.GraphException if the program's arrays need more than the JVM's maximum heap
     */
    public Program program() {
      return program(Target.auto());
    }

    /**
     * A new program running on {@code target}: the reference interpreter (on the fused graph, in
     * float32), or generated code compiled by the options' loader (Janino, cached) with its large
     * matmuls on the target's threads. Close it to stop those threads. Each call makes an independent
     * program, so threads can each have their own.
     *
     * @param target where the program runs
     * @return the program
     * @throws IllegalStateException if the target is {@link Target#vector()} and the JVM lacks the Vector API
     * @throws dev.fusebox.ir.GraphException if the program's arrays need more than the JVM's maximum heap
     */
    public Program program(Target target) {
      Target concrete = target.resolve(System.err::println);
      if (concrete.kind() == Target.Kind.INTERPRETER) {
        Memory.requireHeap(4L * fused.nodes().stream().mapToLong(n -> n.shape().size()).sum(), "the interpreter's arrays");
        return Interpreter.create(fused);
      }
      long bytes = arrayBytes();
      Memory.requireHeap(bytes, "the program's arrays (parameters, optimizer state, inputs and buffers)");
      ProgramEmitter.Source source = source(concrete.backend());
      if (options.debug() >= 3 || Debug.dumpRequested()) Dumps.write(Debug.dumpDir(), this, source);
      long start = System.nanoTime();
      Program p;
      try {
        p = options.loader().newProgram(source, concrete.threads());
      } catch (OutOfMemoryError e) {
        throw new GraphException("ran out of memory creating the program: its arrays need " + Memory.size(bytes) + " and this JVM's"
            + " maximum heap is " + Memory.size(Runtime.getRuntime().maxMemory()) + "; raise it with -Xmx or make the batch smaller");
      }
      if (options.debug() >= 1) {
        System.err.printf("[fusebox] %s: %s backend, %d kernels, %d lines, compiled and loaded in %.1f ms (%s)%n", source.className(),
            concrete.kind().text(), fused.kernels().size(), source.code().lines().count(), (System.nanoTime() - start) / 1e6,
            options.loader().getClass().getSimpleName());
      }
      return p;
    }

    /** {@return bytes of the arrays a program holds: every input, variable and planned buffer (tiles and panels aside)} */
    public long arrayBytes() {
      long floats = memory.buffers().stream().mapToLong(MemoryPlan.Slot::capacity).sum();
      for (Node n : fused.nodes()) if (n.op().isSource() && !n.op().isConstant()) floats += n.shape().size();
      return 4 * floats;
    }

    /** The fusion report: kernels with their nodes, then the decisions with reasons. */
    @Override
    public String fusionReport() {
      StringBuilder b = new StringBuilder();
      b.append(String.format("%d nodes, %d kernels%n", fused.size(), fused.kernels().size()));
      for (int k = 0; k < fused.kernels().size(); k++) b.append("kernel ").append(k).append(' ').append(fused.kernels().get(k)).append('\n');
      b.append('\n');
      for (String d : decisions) b.append(d).append('\n');
      return b.toString();
    }
  }
}
