package dev.fusebox.runtime.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and checks a safetensors header against the size of the data section that follows it. Every
 * check happens here, before any tensor data is read, so a bad file costs no more than its header.
 */
final class HeaderParser {
  // Duplicate names would otherwise silently keep the last entry; trailing tokens would hide garbage.
  private static final ObjectReader JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build()
      .reader();

  /** The tensors, sorted by where their data starts, and the metadata. */
  record Header(List<TensorEntry> entries, Map<String, String> metadata) {}

  private final Path file;

  private HeaderParser(Path file) {
    this.file = file;
  }

  static Header parse(Path file, byte[] header, long dataBytes) throws ParameterFileException {
    return new HeaderParser(file).parse(header, dataBytes);
  }

  private Header parse(byte[] bytes, long dataBytes) throws ParameterFileException {
    JsonNode root;
    try {
      root = JSON.readTree(decodeUtf8(bytes));
    } catch (JsonProcessingException e) {
      var at = e.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw fail("header is not valid JSON" + where + ": " + e.getOriginalMessage(), e);
    }
    if (root == null || root.isMissingNode()) throw fail("header is empty; expected a JSON object");
    if (!root.isObject()) throw fail("header must be a JSON object, got " + describe(root));

    Map<String, String> metadata = new LinkedHashMap<>();
    List<TensorEntry> entries = new ArrayList<>();
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      if (field.getKey().equals(HeaderFormat.METADATA_KEY)) {
        metadata = metadata(field.getValue());
      } else {
        entries.add(entry(field.getKey(), field.getValue(), dataBytes));
      }
    }
    // Stable sort: zero-length tensors may share an offset and then keep their header order.
    entries.sort(Comparator.comparingLong(TensorEntry::begin).thenComparingLong(TensorEntry::end));
    TensorEntry prev = null;
    for (TensorEntry next : entries) {
      if (next.begin() == next.end()) continue; // holds no bytes, so it cannot overlap anything
      if (prev != null && next.begin() < prev.end()) {
        throw fail("tensor '" + next.name() + "' (bytes " + range(next) + ") overlaps tensor '" + prev.name()
            + "' (bytes " + range(prev) + ")");
      }
      prev = next;
    }
    return new Header(List.copyOf(entries), metadata);
  }

  private String decodeUtf8(byte[] bytes) throws ParameterFileException {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult r = decoder.decode(in, out, true);
    if (r.isError()) throw fail("header is not valid UTF-8 (at header byte " + in.position() + ")");
    decoder.flush(out);
    return out.flip().toString();
  }

  private Map<String, String> metadata(JsonNode node) throws ParameterFileException {
    String field = "field '" + HeaderFormat.METADATA_KEY + "'";
    if (!node.isObject()) throw fail(field + " must be an object of strings, got " + describe(node));
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      if (!e.getValue().isTextual()) {
        throw fail(field + ": value of key '" + e.getKey() + "' must be a string, got " + describe(e.getValue()));
      }
      metadata.put(e.getKey(), e.getValue().textValue());
    }
    return metadata;
  }

  private TensorEntry entry(String name, JsonNode node, long dataBytes) throws ParameterFileException {
    String what = "tensor '" + name + "'";
    if (!node.isObject()) throw fail(what + ": entry must be a JSON object, got " + describe(node));
    JsonNode dtype = require(node, what, "dtype");
    if (!dtype.isTextual()) throw fail(what + ": field 'dtype' must be a string, got " + describe(dtype));
    if (!dtype.textValue().equals("F32")) {
      throw fail(what + ": dtype " + dtype.textValue() + " is not supported (expected F32)");
    }
    long[] dims = integers(require(node, what, "shape"), what, "shape", -1);
    int[] shape = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] < 0) throw fail(what + ": shape " + Arrays.toString(dims) + " has a negative dimension");
      if (dims[i] > Integer.MAX_VALUE) {
        throw fail(what + ": shape " + Arrays.toString(dims) + " has a dimension larger than " + Integer.MAX_VALUE);
      }
      shape[i] = (int) dims[i];
    }
    long count = count(dims);
    if (count > Integer.MAX_VALUE) {
      throw fail(what + ": shape " + Arrays.toString(dims) + " holds more values than a Java array can");
    }
    long[] offsets = integers(require(node, what, "data_offsets"), what, "data_offsets", 2);
    long begin = offsets[0];
    long end = offsets[1];
    String at = what + ": data_offsets [" + begin + ", " + end + "]";
    if (begin < 0 || end < 0) throw fail(at + ": offsets must not be negative");
    if (end < begin) throw fail(at + ": end is before begin");
    if (end - begin != count * Float.BYTES) {
      throw fail(at + " span " + (end - begin) + " bytes, but shape " + Arrays.toString(dims) + " of F32 needs "
          + count * Float.BYTES);
    }
    if (end > dataBytes) {
      throw fail(at + " run past the end of the data section (" + dataBytes
          + " bytes): the file is truncated or the offsets are wrong");
    }
    return new TensorEntry(name, shape, begin, end);
  }

  /** Product of the dimensions, saturating just above the int range: any zero dimension still wins. */
  private static long count(long[] dims) {
    long n = 1;
    for (long d : dims) if (d == 0) return 0;
    for (long d : dims) n = Math.min(n * d, Integer.MAX_VALUE + 1L);
    return n;
  }

  private JsonNode require(JsonNode entry, String what, String field) throws ParameterFileException {
    JsonNode value = entry.get(field);
    if (value == null) throw fail(what + ": missing field '" + field + "'");
    return value;
  }

  /** A JSON array of integers that fit in a long; {@code length} -1 means any length. */
  private long[] integers(JsonNode node, String what, String field, int length) throws ParameterFileException {
    String expected = length < 0 ? "an array of integers" : "an array of " + length + " integers";
    boolean ok = node.isArray() && (length < 0 || node.size() == length);
    for (int i = 0; ok && i < node.size(); i++) {
      ok = node.get(i).isIntegralNumber() && node.get(i).canConvertToLong();
    }
    if (!ok) throw fail(what + ": field '" + field + "' must be " + expected + ", got " + describe(node));
    long[] values = new long[node.size()];
    for (int i = 0; i < values.length; i++) values[i] = node.get(i).longValue();
    return values;
  }

  private static String range(TensorEntry e) {
    return e.begin() + ".." + e.end();
  }

  /** The node as JSON text, shortened so that a huge value cannot flood the message. */
  private static String describe(JsonNode node) {
    String text = node.toString();
    return text.length() <= 60 ? text : text.substring(0, 57) + "...";
  }

  private ParameterFileException fail(String detail) {
    return new ParameterFileException(file, detail);
  }

  private ParameterFileException fail(String detail, Throwable cause) {
    return new ParameterFileException(file, detail, cause);
  }
}
