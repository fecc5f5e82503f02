package dev.fusebox.text;

import dev.fusebox.ir.DType;
import dev.fusebox.ir.Op;
import dev.fusebox.ir.Shape;
import dev.fusebox.ops.Attributes;
import dev.fusebox.ops.Catalogue;
import dev.fusebox.ops.Elementwise;
import dev.fusebox.ops.alu.ExprParser;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Rebuilds an op from its printed form: name, attributes, body, and the node's printed type. The
 * inverse of {@link Op#name()}, {@link Op#attributes()} and {@link Op#body()}: an elementwise body is
 * parsed as an expression, every other op is the {@link Catalogue}'s.
 */
final class OpText {
  private OpText() {}

  static Op parse(String name, String attrs, String body, int arity, DType dtype, Shape shape) {
    if (body != null) return Elementwise.plain(name, arity, ExprParser.parse(body));
    return Catalogue.fromText(name, new Attributes(attrs, attributes(attrs), shape))
        .orElseThrow(() -> new IllegalArgumentException("unknown op '" + name + "'"));
  }

  /** {@code a=1,b=[2, 3],transB} → {a: 1, b: [2, 3], transB: ""}, splitting at top-level commas. */
  static Map<String, String> attributes(String attrs) {
    Map<String, String> out = new LinkedHashMap<>();
    int depth = 0, start = 0;
    for (int i = 0; i <= attrs.length(); i++) {
      char c = i < attrs.length() ? attrs.charAt(i) : ',';
      if (c == '[') depth++;
      else if (c == ']') depth--;
      else if (c == ',' && depth == 0) {
        String part = attrs.substring(start, i).trim();
        if (!part.isEmpty()) {
          int eq = part.indexOf('=');
          out.put(eq < 0 ? part : part.substring(0, eq), eq < 0 ? "" : part.substring(eq + 1));
        }
        start = i + 1;
      }
    }
    return out;
  }
}
