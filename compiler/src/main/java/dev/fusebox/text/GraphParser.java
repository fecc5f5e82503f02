package dev.fusebox.text;

import dev.fusebox.ir.DType;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.GraphException;
import dev.fusebox.ir.GraphPrinter;
import dev.fusebox.ir.Kernel;
import dev.fusebox.ir.Node;
import dev.fusebox.ir.Stage;
import dev.fusebox.ir.Op;
import dev.fusebox.ir.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Locale;

/**
 * Reads the text {@link GraphPrinter} writes, so that pass tests can start from graph
 * text: {@code name = op[attrs]{body}(inputs) : type[dims]  # grad of n, site}, then
 * {@code output role = name} and {@code update variable <- name} lines. Blank lines and lines
 * starting with {@code //} are skipped. Every error names the line.
 */
public final class GraphParser {
  private GraphParser() {}

  public static Graph parse(String text) {
    Graph.Builder b = Graph.builder();
    List<String> kernels = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("//")) continue;
      try {
        if (line.startsWith("output ")) {
          String[] p = line.substring(7).split(" = ", 2);
          b.output(p[0].trim(), node(b, p[1].trim()));
        } else if (line.startsWith("kernel ")) {
          kernels.add(line.substring(7));
        } else if (line.startsWith("update ")) {
          String[] p = line.substring(7).split(" <- ", 2);
          b.update(node(b, p[0].trim()), node(b, p[1].trim()));
        } else {
          parseNode(b, line);
        }
      } catch (RuntimeException e) {
        throw new GraphException("line " + (i + 1) + ": " + e.getMessage() + "\n  " + lines[i]);
      }
    }
    for (String k : kernels) b.kernel(kernel(b, k));
    return b.build();
  }

  private static final Pattern STAGE = Pattern.compile("(loop|matmul|single)\\(([^)]*)\\)(\\[([^]]*)])?");

  /** {@code dense_backward: loop(dz; sums db) matmul(dx) matmul(dw; w.next)}, as {@code Kernel.toString} prints it. */
  private static Kernel kernel(Graph.Builder b, String text) {
    int colon = text.indexOf(':');
    if (colon < 0) throw new IllegalArgumentException("expected 'kernel KIND: STAGE...'");
    Kernel.Kind kind = Kernel.Kind.valueOf(text.substring(0, colon).trim().toUpperCase(Locale.ROOT));
    List<Stage> stages = new ArrayList<>();
    Matcher m = STAGE.matcher(text.substring(colon + 1));
    int at = 0;
    while (m.find()) {
      if (!text.substring(colon + 1).substring(at, m.start()).isBlank()) throw new IllegalArgumentException("expected a stage at '" + text.substring(colon + 1 + at).trim() + "'");
      at = m.end();
      String[] parts = m.group(2).split(";", -1);
      List<Node> first = nodes(b, parts[0]);
      List<Node> second = parts.length > 1 ? nodes(b, parts[1].strip().replaceFirst("^sums ", "")) : List.of();
      String flags = m.group(4) == null ? "" : m.group(4);
      boolean rows = flags.contains("valid rows"), depth = flags.contains("valid depth");
      stages.add(switch (m.group(1)) {
        case "loop" -> new Stage.Loop(first, second, rows);
        case "matmul" -> new Stage.Matmul(first.get(0), second, rows, depth);
        default -> new Stage.Single(first.get(0));
      });
    }
    if (stages.isEmpty() || !text.substring(colon + 1 + at).isBlank()) throw new IllegalArgumentException("expected stages like loop(a, b), matmul(x; y) or single(z)");
    return new Kernel(kind, stages);
  }

  private static List<Node> nodes(Graph.Builder b, String names) {
    List<Node> out = new ArrayList<>();
    for (String name : names.split(",")) if (!name.isBlank()) out.add(node(b, name.trim()));
    return out;
  }

  private static Node node(Graph.Builder b, String name) {
    Node n = b.find(name);
    if (n == null) throw new IllegalArgumentException("no node named '" + name + "' before this line");
    return n;
  }

  private static void parseNode(Graph.Builder b, String line) {
    String note = null;
    int hash = line.indexOf("  # ");
    if (hash >= 0) {
      note = line.substring(hash + 4).trim();
      line = line.substring(0, hash).stripTrailing();
    }
    int eq = line.indexOf(" = ");
    if (eq < 0) throw new IllegalArgumentException("expected 'name = op(...) : type'");
    String name = line.substring(0, eq).trim();
    String rest = line.substring(eq + 3);
    int colon = rest.lastIndexOf(" : ");
    if (colon < 0) throw new IllegalArgumentException("missing ' : type[dims]'");
    String type = rest.substring(colon + 3).trim();
    String call = rest.substring(0, colon).trim();

    int p = 0;
    while (p < call.length() && "[{(".indexOf(call.charAt(p)) < 0) p++;
    String opName = call.substring(0, p);
    String attrs = "";
    String body = null;
    List<String> args = new ArrayList<>();
    if (p < call.length() && call.charAt(p) == '[') {
      int end = close(call, p, '[', ']');
      attrs = call.substring(p + 1, end);
      p = end + 1;
    }
    if (p < call.length() && call.charAt(p) == '{') {
      int end = close(call, p, '{', '}');
      body = call.substring(p + 1, end);
      p = end + 1;
    }
    if (p < call.length() && call.charAt(p) == '(') {
      int end = close(call, p, '(', ')');
      for (String a : call.substring(p + 1, end).split(",")) if (!a.isBlank()) args.add(a.trim());
      p = end + 1;
    }
    if (p != call.length()) throw new IllegalArgumentException("unexpected '" + call.substring(p) + "'");

    DType dtype = type.startsWith("i32") ? DType.I32 : DType.F32;
    Shape shape = Shape.parse(type.substring(3));
    Op op = OpText.parse(opName, attrs, body, args.size(), dtype, shape);
    List<Node> inputs = new ArrayList<>();
    for (String a : args) inputs.add(node(b, a));
    String gradOf = null, site = "";
    if (note != null) {
      if (note.startsWith("grad of ")) {
        int comma = note.indexOf(", ");
        gradOf = note.substring(8, comma < 0 ? note.length() : comma);
        site = comma < 0 ? "" : note.substring(comma + 2);
      } else {
        site = note;
      }
    }
    Node n = b.add(op, inputs, name, site, gradOf);
    if (!n.shape().equals(shape) || n.dtype() != dtype) {
      throw new IllegalArgumentException("'" + name + "' is annotated " + type + " but its op gives " + n.dtype() + n.shape());
    }
  }

  private static int close(String s, int open, char o, char c) {
    int depth = 0;
    for (int i = open; i < s.length(); i++) {
      if (s.charAt(i) == o) depth++;
      else if (s.charAt(i) == c && --depth == 0) return i;
    }
    throw new IllegalArgumentException("unbalanced '" + o + "'");
  }
}
