package dev.fusebox.bench.onnxruntime;

import dev.fusebox.bench.Networks;
import dev.fusebox.bench.RandomInputs;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.ExecutionMode;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Target;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.ir.Graph;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.onnx.OnnxExport;
import dev.fusebox.runtime.Program;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scoring against ONNX Runtime's Java API: one call scores {@code batch} rows of a network, its dense layers
 * followed by the softmax ({@code probabilities}), on one thread. Rows per second are {@code batch} divided
 * by the time per call.
 *
 * <p>{@code engine} is {@code onnxruntime} (the network as {@link OnnxExport} writes it, run by an
 * {@code OrtSession} with one intra-op and one inter-op thread, sequential execution and all graph
 * optimizations, as its users get by default), {@code fusebox} (the compiled vector inference program for
 * exactly {@code batch} rows) or {@code fusebox_256} (the program compiled for 256 rows, run on
 * {@code batch} valid rows by {@link Program#setValidRows}).
 *
 * <p>Both engines score the same seeded standard normal features with the same parameters (those the
 * spec's seed initialises; the ONNX model is exported from the Fusebox program's own state). Inputs are
 * set once per trial: ONNX Runtime reads an {@link OnnxTensor} over a direct buffer allocated once,
 * Fusebox its own input buffer; neither timed call copies features in or probabilities out (ONNX Runtime
 * returns its output tensor, which is closed). Before timing, the probabilities of the two engines are
 * compared once: the trial fails if they differ anywhere by more than {@link #TOLERANCE}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms2g", "-Xmx2g"})
public class OnnxRuntimeBenchmark {
  /** The largest absolute difference of any probability the two engines may give. */
  public static final double TOLERANCE = 1e-5;
  /** The batch {@code fusebox_256} is compiled for. */
  static final int LARGEST_BATCH = 256;
  static final String OUTPUT = "probabilities";

  @Param({"digits", "mnist", "wide"})
  public String network;

  @Param({"1", "64", "256"})
  public int batch;

  @Param({"onnxruntime", "fusebox", "fusebox_256"})
  public String engine;

  private Program program;
  private OrtSession session;
  private OnnxTensor input;
  private Map<String, OnnxTensor> inputs;
  private Set<String> outputs;

  @Setup(Level.Trial)
  public void setUp() throws OrtException {
    if (!engine.equals("onnxruntime") && !engine.equals("fusebox") && !engine.equals("fusebox_256")) {
      throw new IllegalArgumentException("unknown engine '" + engine + "'; engines are onnxruntime, fusebox, fusebox_256");
    }
    if (batch < 1 || batch > LARGEST_BATCH) throw new IllegalArgumentException("batch " + batch + " is not in 1.." + LARGEST_BATCH);
    ModelSpec spec = Networks.spec(network);
    int rows = engine.equals("fusebox_256") ? LARGEST_BATCH : batch;
    Graph graph = scoring(spec, rows);
    program = Compiler.inference(graph, CompileOptions.defaults()).program(Target.vector());
    // The first `batch` rows of both feeds are the same values: one generator, read in order.
    program.setInput("x", RandomInputs.standardNormal(rows * spec.input(), 42));
    program.setValidRows(batch);
    float[] features = RandomInputs.standardNormal(batch * spec.input(), 42);

    OrtEnvironment env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "fusebox-bench");
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OptLevel.ALL_OPT);
      session = env.createSession(OnnxExport.of(graph, program.state()).withName(network).export().bytes(), options);
    }
    FloatBuffer buffer = ByteBuffer.allocateDirect(features.length * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    buffer.put(features).rewind();
    input = OnnxTensor.createTensor(env, buffer, new long[] {batch, spec.input()});
    inputs = Map.of("x", input);
    outputs = Set.of(OUTPUT);

    compare(spec.outputs());
    if (engine.equals("onnxruntime")) {
      program.close();
      program = null;
    }
  }

  /** Fails unless both engines give the same probabilities for the valid rows, within {@link #TOLERANCE}. */
  private void compare(int classes) throws OrtException {
    float[] expected;
    try (OrtSession.Result result = session.run(inputs, outputs)) {
      FloatBuffer b = ((OnnxTensor) result.get(OUTPUT).orElseThrow(() -> new IllegalStateException(
          "ONNX Runtime gave no '" + OUTPUT + "' output; the model's outputs are " + session.getOutputNames()))).getFloatBuffer();
      expected = new float[b.remaining()];
      b.get(expected);
    }
    program.forward();
    float[] actual = program.read(OUTPUT);
    if (expected.length != batch * classes) {
      throw new IllegalStateException(network + ": ONNX Runtime gave " + expected.length + " probabilities, not " + batch + " × " + classes);
    }
    double worst = 0;
    int at = 0;
    for (int i = 0; i < expected.length; i++) {
      double d = Math.abs((double) expected[i] - actual[i]);
      if (!(d <= worst)) {
        worst = d;
        at = i;
      }
    }
    if (!(worst <= TOLERANCE)) {
      throw new IllegalStateException(network + ", batch " + batch + ", " + engine + ": probability [" + at / classes + ", "
          + at % classes + "] is " + actual[at] + " in Fusebox and " + expected[at] + " in ONNX Runtime, "
          + worst + " apart (tolerance " + TOLERANCE + ")");
    }
  }

  /**
   * The spec's layers on {@code rows} rows of {@code x} and the softmax of the last: what scoring computes.
   * Layers and parameters are named and initialised as {@link ModelSpec#forward} does; the loss (which would
   * need labels) is left out.
   */
  static Graph scoring(ModelSpec spec, int rows) {
    GraphBuilder g = GraphBuilder.create(spec.seed());
    Tensor h = g.input("x", rows, spec.input());
    for (int i = 0; i < spec.layers().size(); i++) {
      ModelSpec.Layer layer = spec.layers().get(i);
      h = g.dense("layers." + i, h, layer.units(), layer.activation(), spec.init(), spec.biasInit());
    }
    return g.output(OUTPUT, g.softmax(h)).build();
  }

  @TearDown(Level.Trial)
  public void close() throws OrtException {
    if (program != null) program.close();
    input.close();
    session.close();
  }

  @Benchmark
  public Object score() throws OrtException {
    if (program == null) {
      try (OrtSession.Result result = session.run(inputs, outputs)) {
        return result.get(0);
      }
    }
    program.forward();
    return program;
  }
}
