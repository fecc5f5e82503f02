package dev.fusebox.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Strict reading of one JSON object of a spec: typed getters that name the key path in every error,
 * and a final check that no unknown key is left.
 */
final class SpecReader {
  private final String source;
  private final String path;
  private final JsonNode node;
  private final Set<String> read = new HashSet<>();

  SpecReader(String source, String path, JsonNode node) {
    this.source = source;
    this.path = path;
    this.node = node;
    if (node == null || !node.isObject()) throw error(path.isEmpty() ? "" : path, "must be a JSON object");
  }

  SpecException error(String key, String message) {
    String where = key.isEmpty() ? "" : key + ": ";
    return new SpecException(source + ": " + where + message);
  }

  String at(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  boolean has(String key) {
    return node.has(key) && !node.get(key).isNull();
  }

  JsonNode raw(String key) {
    read.add(key);
    return node.get(key);
  }

  int positiveInt(String key, Integer fallback) {
    JsonNode v = raw(key);
    if (v == null || v.isNull()) {
      if (fallback == null) throw error(at(key), "is required");
      return fallback;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() <= 0) {
      throw error(at(key), "must be a positive integer, got " + v);
    }
    return v.intValue();
  }

  long integer(String key, long fallback) {
    JsonNode v = raw(key);
    if (v == null || v.isNull()) return fallback;
    if (!v.isIntegralNumber() || !v.canConvertToLong()) throw error(at(key), "must be an integer, got " + v);
    return v.longValue();
  }

  double number(String key, double fallback) {
    JsonNode v = raw(key);
    if (v == null || v.isNull()) return fallback;
    if (!v.isNumber() || !Double.isFinite(v.doubleValue())) throw error(at(key), "must be a number, got " + v);
    return v.doubleValue();
  }

  double nonNegative(String key, double fallback) {
    double v = number(key, fallback);
    if (v < 0) throw error(at(key), "must not be negative, got " + v);
    return v;
  }

  boolean bool(String key, boolean fallback) {
    JsonNode v = raw(key);
    if (v == null || v.isNull()) return fallback;
    if (!v.isBoolean()) throw error(at(key), "must be true or false, got " + v);
    return v.booleanValue();
  }

  String text(String key, String fallback) {
    JsonNode v = raw(key);
    if (v == null || v.isNull()) {
      if (fallback == null) throw error(at(key), "is required");
      return fallback;
    }
    if (!v.isTextual()) throw error(at(key), "must be a string, got " + v);
    return v.textValue();
  }

  /** Fails on any key not read, listing the known ones. */
  void done(List<String> known) {
    Set<String> unknown = new TreeSet<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!read.contains(k) && !known.contains(k)) unknown.add(k);
    }
    if (!unknown.isEmpty()) {
      String k = unknown.iterator().next();
      throw error(at(k), "unknown key; known keys" + (path.isEmpty() ? "" : " of " + path) + ": " + String.join(", ", known));
    }
  }
}
