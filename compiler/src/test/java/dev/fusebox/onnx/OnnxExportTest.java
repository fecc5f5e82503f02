package dev.fusebox.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Target;
import dev.fusebox.builder.Activation;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Node;
import dev.fusebox.ir.Shape;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.ops.DropoutMask;
import dev.fusebox.optim.Optimizer;
import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Standardizer;
import dev.fusebox.runtime.init.Initializers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an exported file holds, read back with a protobuf reader of the test's own (ONNX Runtime's
 * checks are in {@code OnnxRuntimeRoundTripTest}): the opset, producer, metadata and symbolic batch;
 * the graph's form (a dense layer is one Gemm, dropout is gone, heads come first); and the errors of
 * what cannot be exported, each naming the node or parameter.
 */
class OnnxExportTest {
  static final String SPEC = """
      {"input": 4, "layers": [{"units": 16, "activation": "relu", "dropout": 0.2}, {"units": 3}],
       "loss": "softmax_cross_entropy", "optimizer": {"type": "adam", "lr": 0.01}, "batch": 16}""";

  @TempDir Path dir;

  static NamedTensors parameters(Graph g) {
    SplittableRandom random = new SplittableRandom(3);
    NamedTensors p = new NamedTensors();
    for (Node n : g.trainableParameters()) {
      float[] v = new float[n.shape().size()];
      for (int i = 0; i < v.length; i++) v[i] = (float) random.nextDouble(-1, 1);
      p.put(n.name(), new FloatTensor(n.shape().dims(), v));
    }
    return p;
  }

  static OnnxModel export(Graph g) {
    return OnnxExport.of(g, parameters(g)).export();
  }

  /** The ONNX graph of a file: its nodes' op types, in order. */
  static List<String> opTypes(ProtoReader model) {
    return model.message(7).messages(1).stream().map(n -> n.string(4)).toList();
  }

  /** A value's shape as the file declares it: dimensions, the symbolic ones by name. */
  static List<String> shape(ProtoReader value) {
    ProtoReader shape = value.message(2).message(1).message(2);
    return shape.messages(1).stream().map(d -> d.has(2) ? d.string(2) : Long.toString(d.number(1))).toList();
  }

  @Test
  void theFileStatesItsOpsetProducerAndSpecAndTheBatchIsSymbolic() {
    Graph forward = ModelSpec.parse(SPEC, "iris.json").forward();
    OnnxModel model = OnnxExport.of(forward, parameters(forward)).withName("iris").withSpec(SPEC).export();
    ProtoReader file = new ProtoReader(model.bytes());

    assertThat(file.number(1)).as("ir_version").isEqualTo(8);
    ProtoReader opset = file.message(8);
    assertThat(opset.string(1)).as("the default ONNX domain").isEmpty();
    assertThat(opset.number(2)).isEqualTo(17).isEqualTo(OnnxExport.OPSET);
    assertThat(file.string(2)).isEqualTo("fusebox");
    assertThat(file.string(3)).as("producer_version: the release the build filtered in").matches("\\d+\\.\\d+\\.\\d+.*")
        .isEqualTo(OnnxExport.producerVersion());
    ProtoReader metadata = file.message(14);
    assertThat(metadata.string(1)).isEqualTo("fusebox.spec");
    assertThat(metadata.string(2)).isEqualTo(SPEC);
    assertThat(model.metadata()).containsEntry(OnnxExport.SPEC_KEY, SPEC);

    ProtoReader graph = file.message(7);
    assertThat(graph.string(2)).isEqualTo("iris");
    List<ProtoReader> inputs = graph.messages(11);
    assertThat(inputs).hasSize(1);
    assertThat(inputs.get(0).string(1)).isEqualTo("x");
    assertThat(shape(inputs.get(0))).containsExactly("batch", "4");
    assertThat(graph.messages(12).stream().map(o -> o.string(1) + shape(o))).containsExactly(
        "probabilities[batch, 3]", "class[batch]", "prediction[batch, 3]");
    assertThat(graph.messages(12).get(1).message(2).message(1).number(1)).as("class is int64").isEqualTo(7);
    assertThat(model.inputs()).extracting(OnnxModel.Tensor::toString).containsExactly("x [batch, 4]");
    assertThat(model.summary()).isEqualTo("ONNX opset 17, 5 nodes; input x [batch, 4]; outputs probabilities [batch, 3], "
        + "class [batch], prediction [batch, 3]");
  }

  @Test
  void aDenseLayerIsOneGemmWithItsBiasAndDropoutIsGone() {
    Graph forward = ModelSpec.parse(SPEC, "iris.json").forward();
    ProtoReader graph = new ProtoReader(export(forward).bytes()).message(7);
    assertThat(opTypes(new ProtoReader(export(forward).bytes()))).containsExactly("Gemm", "Relu", "Gemm", "Softmax", "ArgMax");
    ProtoReader gemm = graph.messages(1).get(0);
    assertThat(gemm.strings(1)).containsExactly("x", "layers.0.weight", "layers.0.bias");
    ProtoReader transB = gemm.messages(5).get(0);
    assertThat(transB.string(1)).isEqualTo("transB");
    assertThat(transB.number(3)).isEqualTo(1);
    assertThat(graph.messages(5).stream().map(t -> t.string(8))).as("initializers: the parameters, by their names")
        .containsExactly("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias");
    ProtoReader weight = graph.messages(5).get(0);
    assertThat(weight.all(1)).containsExactly(16L, 4L);
    assertThat(weight.number(2)).as("float").isEqualTo(1);
    assertThat(((byte[]) weight.all(9).get(0)).length).isEqualTo(16 * 4 * 4);
    assertThat(graph.messages(1).get(2).strings(2)).as("the last layer's value is the output it is").containsExactly("prediction");
  }

  @Test
  void theSameGraphAndParametersGiveTheSameBytes() {
    Graph forward = ModelSpec.parse(SPEC, "iris.json").forward();
    assertThat(export(forward).bytes()).isEqualTo(export(ModelSpec.parse(SPEC, "iris.json").forward()).bytes());
  }

  @Test
  void aCompilationsTrainingGraphAndProgramStateExportAsTheForwardGraph() {
    Graph forward = ModelSpec.parse(SPEC, "iris.json").forward();
    Compiler.Compilation c = Compiler.compile(forward, Optimizer.adam(0.01), CompileOptions.defaults());
    try (Program program = c.program(Target.interpreter())) {
      byte[] expected = OnnxExport.of(forward, program.state()).export().bytes();
      assertThat(OnnxExport.of(c.training(), program.state()).export().bytes()).as("gradients, updates and optimizer state left out")
          .isEqualTo(expected);
      assertThat(OnnxExport.of(c.fused(), program.state()).export().bytes()).as("after the passes").isEqualTo(expected);
    }
  }

  @Test
  void hardSigmoidKeepsItsSlopeAndLearnedSlopesAreParameters() {
    GraphBuilder g = GraphBuilder.create(1);
    Tensor h = g.dense("layers.0", g.input("x", 8, 3), 5, Activation.hardSigmoid(0.25));
    Tensor z = g.dense("layers.1", h, 4, Activation.PRELU);
    Graph graph = g.output("prediction", g.dense("layers.2", z, 2, Activation.SWISH_LEARNED)).build();
    ProtoReader file = new ProtoReader(export(graph).bytes());
    ProtoReader hard = file.message(7).messages(1).stream().filter(n -> n.string(4).equals("HardSigmoid")).findFirst().orElseThrow();
    assertThat(hard.messages(5).stream().map(a -> a.string(1) + "=" + Float.intBitsToFloat((Integer) a.all(2).get(0))))
        .containsExactly("alpha=0.25", "beta=0.5");
    assertThat(opTypes(file)).contains("PRelu", "Sigmoid");
    assertThat(file.message(7).messages(5).stream().map(t -> t.string(8))).contains("layers.1.alpha", "layers.2.beta");
  }

  @Test
  void headsComeFirstAndNamesNeverClash() {
    GraphBuilder g = GraphBuilder.create(1);
    Tensor h = g.relu(g.input("x", 8, 3)).named("class");
    Tensor z = g.dense("layers.0", h, 1, Activation.IDENTITY);
    g.output("probability", g.tanh(z));
    Graph graph = g.loss(g.bceWithLogits(z, g.targets("y", 8, 1))).build();
    OnnxModel model = export(graph);
    assertThat(model.outputs()).extracting(OnnxModel.Tensor::toString)
        .containsExactly("layers.0.z.probability [batch, 1]", "class [batch, 1]", "probability [batch, 1]");
    ProtoReader onnx = new ProtoReader(model.bytes()).message(7);
    List<String> values = new java.util.ArrayList<>();
    onnx.messages(11).forEach(i -> values.add(i.string(1)));
    onnx.messages(5).forEach(i -> values.add(i.string(8)));
    onnx.messages(1).forEach(n -> values.addAll(n.strings(2)));
    assertThat(values).as("every value is defined once").doesNotHaveDuplicates().contains("class_1", "class");
  }

  @Test
  void standardisationIsExportedAsItsOwnNodes() {
    GraphBuilder g = GraphBuilder.create(1);
    Graph graph = g.output("prediction", g.dense("layers.0", g.input("x", 8, 2), 1, Activation.IDENTITY)).build();
    Standardizer s = Standardizer.of(new double[] {1, 2}, new double[] {3, 4});
    OnnxModel model = OnnxExport.of(graph, parameters(graph)).withStandardization("x", s).export();
    assertThat(model.operators()).containsExactly("Sub", "Div", "Gemm");
    assertThat(model.inputs().get(0).description()).isEqualTo("features, standardised by the model");
    assertThatThrownBy(() -> OnnxExport.of(graph, parameters(graph)).withStandardization("x", Standardizer.of(new double[3],
        new double[] {1, 1, 1})).export()).isInstanceOf(OnnxExportException.class)
        .hasMessage("the standardisation of input 'x' has 3 features, but the input has shape [batch, 2]");
    assertThatThrownBy(() -> OnnxExport.of(graph, parameters(graph)).withStandardization("z", s))
        .hasMessage("no input 'z' to standardise in the graph");
  }

  @Test
  void writeReplacesTheFileWithTheModelAndLeavesNoTemporary() throws IOException {
    Graph forward = ModelSpec.parse(SPEC, "iris.json").forward();
    Path file = Files.writeString(dir.resolve("m.onnx"), "old");
    OnnxModel model = OnnxExport.of(forward, parameters(forward)).write(file);
    assertThat(Files.readAllBytes(file)).isEqualTo(model.bytes());
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(file);
    }
    assertThatThrownBy(() -> OnnxExport.of(forward, parameters(forward)).write(dir.resolve("missing/m.onnx")))
        .isInstanceOf(NoSuchFileException.class);
  }

  // ---- what cannot be exported

  @Test
  void anOutputThatNeedsTargetsIsAnError() {
    GraphBuilder g = GraphBuilder.create(1);
    Tensor z = g.dense("layers.0", g.input("x", 8, 3), 2, Activation.IDENTITY);
    Tensor y = g.targets("y", 8, 2);
    Graph graph = g.output("error", g.sub(z, y)).loss(g.mse(z, y)).build();
    assertThatThrownBy(() -> export(graph)).isInstanceOf(OnnxExportException.class).hasMessage("output 'error' depends on the "
        + "targets input 'y': an inference model takes features only; leave that output out of the graph to export");
  }

  @Test
  void aTensorThatMixesTheBatchWithAFixedSizeIsAnErrorNamingTheNode() {
    GraphBuilder g = GraphBuilder.create(1);
    Tensor x = g.input("x", 32, 4);
    Graph graph = g.output("y", g.add(x, g.constant(new double[32 * 4], 32, 4))).build();
    assertThatThrownBy(() -> export(graph)).isInstanceOf(OnnxExportException.class)
        .hasMessageMatching("cannot export add 'add_\\d+' \\(#2\\) at OnnxExportTest\\.java:\\d+: it broadcasts 'x' \\[batch, 4\\] "
            + "with 'const_\\d+' \\[32, 4\\], which match only while the batch has 32 rows");

    GraphBuilder m = GraphBuilder.create(1);
    Tensor mixed = m.matmul(m.parameter("w", Initializers.zeros(), 3, 32), m.input("x", 32, 4));
    assertThatThrownBy(() -> export(m.output("y", mixed).build())).hasMessageMatching("cannot export matmul 'matmul_\\d+' .*: it sums "
        + "over the batch dimension of one operand and a fixed dimension of the other \\(\\[3, 32\\] · \\[batch, 4\\]\\), which match "
        + "only at one batch size");

    GraphBuilder k = GraphBuilder.create(1);
    Tensor pieces = k.maxout(k.transpose(k.input("x", 32, 4)), 2);
    assertThatThrownBy(() -> export(k.output("y", pieces).build()))
        .hasMessageContaining("its pieces run along the batch dimension [4, batch], which has no fixed size to group");
  }

  @Test
  void missingMisshapenAndNonFiniteParametersAreErrorsNamingThem() {
    Graph forward = ModelSpec.parse(SPEC, "iris.json").forward();
    NamedTensors missing = parameters(forward).filter(n -> !n.equals("layers.1.bias"));
    assertThatThrownBy(() -> OnnxExport.of(forward, missing).export()).isInstanceOf(OnnxExportException.class)
        .hasMessage("parameter 'layers.1.bias' [3] is missing from the parameters; they hold {layers.0.weight[16, 4], "
            + "layers.0.bias[16], layers.1.weight[3, 16]}");
    NamedTensors misshapen = parameters(forward).put("layers.1.bias", new FloatTensor(new int[] {1, 3}, new float[3]));
    assertThatThrownBy(() -> OnnxExport.of(forward, misshapen).export())
        .hasMessage("parameter 'layers.1.bias' has shape [1, 3] in the parameters, but [3] in the graph");
    NamedTensors nan = parameters(forward).put("layers.1.bias", new FloatTensor(new int[] {3}, new float[] {0, Float.NaN, 0}));
    assertThatThrownBy(() -> OnnxExport.of(forward, nan).export()).hasMessage("parameter 'layers.1.bias' holds NaN at index 1");
  }

  @Test
  void aDropoutMaskUsedOtherThanAsAFactorIsAnError() {
    GraphBuilder g = GraphBuilder.create(1);
    Tensor x = g.input("x", 8, 3);
    Tensor mask = g.add(new DropoutMask(Shape.of(8, 3), 0.5, 1), "mask");
    assertThatThrownBy(() -> export(g.output("y", g.add(x, mask)).build())).isInstanceOf(OnnxExportException.class)
        .hasMessageMatching("cannot export dropout_mask 'mask' \\(#1\\) at .*: dropout is removed for inference only where its mask "
            + "multiplies a tensor of the mask's shape \\(mul\\(x, mask\\)\\); this mask is used otherwise");
  }

  @Test
  void aGraphWithoutOutputsOrLossHeadsIsAnError() {
    GraphBuilder g = GraphBuilder.create(1);
    Graph graph = g.loss(g.sum(g.square(g.parameter("w", Initializers.zeros(), 3)))).build();
    assertThatThrownBy(() -> export(graph)).isInstanceOf(OnnxExportException.class)
        .hasMessage("the graph has no output to export: declare one (GraphBuilder.output) or a loss");
  }
}
