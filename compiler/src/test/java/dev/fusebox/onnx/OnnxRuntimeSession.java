package dev.fusebox.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxModelMetadata;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import ai.onnxruntime.TensorInfo;
import dev.fusebox.runtime.FloatTensor;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An ONNX model loaded in ONNX Runtime (one thread): runs it on float inputs and returns every output,
 * float or int64, flattened row-major with its shape. Tests only; ONNX Runtime is a test dependency.
 */
final class OnnxRuntimeSession implements AutoCloseable {
  private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "fusebox-tests");

  /** One output: float values or int64 values (the other null), and the shape. */
  record Output(float[] floats, long[] longs, long[] shape) {
    double get(int i) {
      return floats != null ? floats[i] : longs[i];
    }

    int size() {
      return floats != null ? floats.length : longs.length;
    }
  }

  private final OrtSession session;

  /** Loads the model; {@code optimized} runs ONNX Runtime's graph optimizations (fusions), as its users get by default. */
  OnnxRuntimeSession(byte[] model, boolean optimized) throws OrtException {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      options.setOptimizationLevel(optimized ? OptLevel.ALL_OPT : OptLevel.NO_OPT);
      session = ENV.createSession(model, options);
    }
  }

  Map<String, Output> run(Map<String, FloatTensor> inputs) throws OrtException {
    Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, FloatTensor> e : inputs.entrySet()) {
        long[] shape = new long[e.getValue().shape().length];
        for (int i = 0; i < shape.length; i++) shape[i] = e.getValue().shape()[i];
        tensors.put(e.getKey(), OnnxTensor.createTensor(ENV, FloatBuffer.wrap(e.getValue().data()), shape));
      }
      Map<String, Output> out = new LinkedHashMap<>();
      try (OrtSession.Result result = session.run(tensors)) {
        for (Map.Entry<String, OnnxValue> e : result) {
          OnnxTensor t = (OnnxTensor) e.getValue();
          long[] shape = t.getInfo().getShape();
          switch (t.getInfo().type) {
            case FLOAT -> {
              FloatBuffer b = t.getFloatBuffer();
              float[] v = new float[b.remaining()];
              b.get(v);
              out.put(e.getKey(), new Output(v, null, shape));
            }
            case INT64 -> {
              LongBuffer b = t.getLongBuffer();
              long[] v = new long[b.remaining()];
              b.get(v);
              out.put(e.getKey(), new Output(null, v, shape));
            }
            default -> throw new AssertionError("output " + e.getKey() + " has type " + t.getInfo().type);
          }
        }
      }
      return out;
    } finally {
      tensors.values().forEach(OnnxTensor::close);
    }
  }

  /** The shape ONNX Runtime reads for an input or output, with the symbolic dimensions' names. */
  String shape(String name) throws OrtException {
    NodeInfo info = session.getInputInfo().containsKey(name) ? session.getInputInfo().get(name) : session.getOutputInfo().get(name);
    TensorInfo t = (TensorInfo) info.getInfo();
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < t.getShape().length; i++) {
      String param = t.getDimensionNames()[i];
      b.append(i == 0 ? "" : ", ").append(param.isEmpty() ? Long.toString(t.getShape()[i]) : param);
    }
    return b.append(']').toString();
  }

  OnnxModelMetadata metadata() throws OrtException {
    return session.getMetadata();
  }

  java.util.Set<String> outputNames() {
    return session.getOutputNames();
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
