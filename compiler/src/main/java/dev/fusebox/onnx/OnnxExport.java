package dev.fusebox.onnx;

import dev.fusebox.ir.Graph;
import dev.fusebox.onnx.OnnxGraph.ValueInfo;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.data.Standardizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exports the inference part of a graph, with its parameters, as an ONNX model that ONNX Runtime and
 * other ONNX runtimes run on any number of rows:
 *
 * <pre>{@code
 * OnnxModel model = OnnxExport.of(forward, program.state()).write(Path.of("model.onnx"));
 * }</pre>
 *
 * <p><b>What is exported.</b> The graph's outputs except {@code loss} (and gradients), and for each loss
 * its head: softmax cross-entropy gives {@code probabilities} (softmax of the logits) and {@code class}
 * (int64, the first largest logit); binary cross-entropy on logits gives {@code probability} (their
 * logistic) and {@code class} (1 where the logit is positive); cross-entropy and binary cross-entropy of
 * probabilities give the probabilities as they are; a regression loss gives its {@code prediction}.
 * Heads come first among the outputs. Dropout is removed. The batch dimension is the symbolic
 * {@code batch}; everything else has the graph's sizes. The model imports ONNX opset {@value #OPSET}
 * (ONNX Runtime 1.13 and later), with producer name {@code fusebox}, the release as producer version,
 * and the spec, when given, as metadata {@value #SPEC_KEY}.
 *
 * <p>Every op, activation and loss head of the builder and spec files is exported with its exact
 * semantics. What cannot be exported fails with an {@link OnnxExportException} naming the node: an
 * output that needs targets or labels, a tensor that mixes the batch dimension with a fixed one (so
 * that the graph runs only at the batch size it was built for), a missing or misshapen parameter.
 *
 * <p>Instances are immutable; {@code with...} methods return a changed copy.
 */
public final class OnnxExport {
  /** The ONNX operator set exported models import. */
  public static final int OPSET = 17;
  /** The ONNX IR version of the files (the one that came with opset 17). */
  public static final int IR_VERSION = 8;
  /** The producer name written into every model. */
  public static final String PRODUCER = "fusebox";
  /** The name of the symbolic batch dimension. */
  public static final String BATCH = "batch";
  /** The metadata key of the spec file's text. */
  public static final String SPEC_KEY = "fusebox.spec";

  private final Graph graph;
  private final NamedTensors parameters;
  private final String name;
  private final Map<String, String> metadata;
  private final Map<String, Standardizer> standardizers;

  private OnnxExport(Graph graph, NamedTensors parameters, String name, Map<String, String> metadata,
      Map<String, Standardizer> standardizers) {
    this.graph = graph;
    this.parameters = parameters;
    this.name = name;
    this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    this.standardizers = Collections.unmodifiableMap(new LinkedHashMap<>(standardizers));
  }

  /**
   * An export of {@code graph} (a forward graph, or any graph its outputs can be read from) with the
   * values of its parameters, by name: a parameter file's tensors or a program's {@code state()}
   * (tensors the graph does not use are ignored). Nothing is checked until {@link #export()}.
   *
   * @param graph the graph to export
   * @param parameters the parameters' values, by name
   * @return the export, named {@value #PRODUCER}, without metadata or standardisation
   */
  public static OnnxExport of(Graph graph, NamedTensors parameters) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(parameters, "parameters");
    return new OnnxExport(graph, parameters, PRODUCER, Map.of(), Map.of());
  }

  /**
   * Sets the name of the ONNX graph (default {@code fusebox}).
   *
   * @param graphName not blank
   * @return a changed copy; this export is unchanged
   * @throws IllegalArgumentException if the name is null or blank
   */
  public OnnxExport withName(String graphName) {
    if (graphName == null || graphName.isBlank()) throw new IllegalArgumentException("the ONNX graph's name must not be blank");
    return new OnnxExport(graph, parameters, graphName, metadata, standardizers);
  }

  /**
   * Puts a spec file's text into the model's metadata, under {@value #SPEC_KEY}.
   *
   * @param specJson the spec's JSON ({@code ModelSpec.toJson()})
   * @return a changed copy; this export is unchanged
   */
  public OnnxExport withSpec(String specJson) {
    return withMetadata(SPEC_KEY, specJson);
  }

  /**
   * Adds (or replaces) a metadata property of the model.
   *
   * @param key not empty
   * @param value any text
   * @return a changed copy; this export is unchanged
   * @throws IllegalArgumentException if the key is null or empty
   */
  public OnnxExport withMetadata(String key, String value) {
    if (key == null || key.isEmpty()) throw new IllegalArgumentException("a metadata key must not be empty");
    Objects.requireNonNull(value, "value of metadata '" + key + "'");
    Map<String, String> m = new LinkedHashMap<>(metadata);
    m.put(key, value);
    return new OnnxExport(graph, parameters, name, m, standardizers);
  }

  /**
   * Standardises the features input {@code input} inside the model, {@code (x − mean) / scale} per
   * feature as {@link Standardizer#apply} does, so that the model takes raw features.
   *
   * @param input the name of a features input of the graph, {@code [batch, features]}
   * @param standardizer of as many features as the input has ({@link #export()} checks)
   * @return a changed copy; this export is unchanged
   * @throws IllegalArgumentException if the graph has no node of that name
   */
  public OnnxExport withStandardization(String input, Standardizer standardizer) {
    Objects.requireNonNull(standardizer, "standardizer");
    if (graph.find(input) == null) throw new IllegalArgumentException("no input '" + input + "' to standardise in the graph");
    Map<String, Standardizer> s = new LinkedHashMap<>(standardizers);
    s.put(input, standardizer);
    return new OnnxExport(graph, parameters, name, metadata, s);
  }

  /**
   * {@return the ONNX model, in memory}
   *
   * @throws OnnxExportException naming the node or parameter that cannot be exported
   */
  public OnnxModel export() {
    Exporter exporter = new Exporter(graph, parameters, standardizers);
    exporter.run();
    OnnxGraph onnx = exporter.onnx();
    String doc = "The inference graph of a Fusebox model; its batch dimension is '" + BATCH + "'.";
    byte[] bytes = onnx.toBytes(new OnnxGraph.Header(IR_VERSION, OPSET, PRODUCER, producerVersion(), name, doc, metadata));
    return new OnnxModel(bytes, OPSET, tensors(onnx.inputs()), tensors(onnx.outputs()), onnx.opTypes(), metadata);
  }

  /**
   * Exports the model into {@code file}, replacing it atomically (a temporary file beside it is
   * renamed over it), and returns it. The directory must exist.
   *
   * @param file the file to write
   * @return the model written
   * @throws OnnxExportException naming the node or parameter that cannot be exported; nothing is written
   * @throws java.nio.file.NoSuchFileException if the directory does not exist
   * @throws IOException if the file cannot be written; an existing file keeps its contents
   */
  public OnnxModel write(Path file) throws IOException {
    OnnxModel model = export();
    Path dir = file.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) throw new NoSuchFileException(String.valueOf(dir), null, "directory does not exist");
    Path temp = dir.resolve("." + file.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(model.bytes());
        while (b.hasRemaining()) ch.write(b);
        ch.force(true);
      }
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
    return model;
  }

  /** {@return the Fusebox release that writes the models ({@code unknown} when run from classes the build did not process)} */
  public static String producerVersion() {
    try (InputStream in = OnnxExport.class.getResourceAsStream("producer.properties")) {
      if (in == null) return "unknown";
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "unknown");
      return v.startsWith("${") ? "unknown" : v;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<OnnxModel.Tensor> tensors(List<ValueInfo> values) {
    return values.stream().map(v -> new OnnxModel.Tensor(v.name(), v.type() == OnnxGraph.INT64 ? "int64" : "float32",
        v.dims().toString(), v.doc())).toList();
  }
}
