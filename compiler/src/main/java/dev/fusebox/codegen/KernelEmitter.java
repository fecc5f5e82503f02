package dev.fusebox.codegen;

import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import dev.fusebox.ir.GraphPrinter;
import dev.fusebox.ir.Kernel;
import dev.fusebox.ir.Node;
import dev.fusebox.ops.Elementwise;
import dev.fusebox.ops.MatMul;
import dev.fusebox.ops.SumTo;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * Writes the methods of one kernel by its kind: an elementwise loop; a matmul with its epilogue; a
 * dense layer's backward (prologue with the bias gradient's column sums, then each matmul with its
 * epilogue, readers of variables updated in place first); or ops lowered one after another.
 */
final class KernelEmitter {
  private final Backend backend;
  private final Storage storage;
  private final Kernel kernel;
  private final String name;
  private final List<MethodSpec> methods = new ArrayList<>();
  private final List<String> tasks;

  /** {@code tasks} collects parallel tasks: entry t is the call that runs chunk {@code chunk} of task t. */
  KernelEmitter(Backend backend, Storage storage, Kernel kernel, String name, List<String> tasks) {
    this.backend = backend;
    this.storage = storage;
    this.kernel = kernel;
    this.name = name;
    this.tasks = tasks;
  }

  /** The kernel's methods; the first is the one the schedule calls. {@code members} restricts to a subset (forward runs). */
  List<MethodSpec> emit(List<Node> members, String methodName) {
    KernelWriter w = new KernelWriter(storage);
    switch (kernel.kind()) {
      case ELEMENTWISE -> new ElementwiseLoop(backend, storage, members.get(0).shape().rows(), members.get(0).shape().cols(), members).emitAll(w);
      case DENSE, DENSE_BACKWARD -> dense(w, members, methodName);
      default -> {
        for (Node n : members) w.lower(n, storage.array(n) != null ? storage.array(n) : storage.scratch(n));
      }
    }
    methods.add(0, MethodSpec.methodBuilder(methodName).addModifiers(Modifier.PRIVATE).addJavadoc(javadoc(members)).addCode(w.build()).build());
    return methods;
  }

  private String javadoc(List<Node> members) {
    StringBuilder b = new StringBuilder("Kernel " + name + " (" + kernel.kind().text() + "):\n<pre>\n");
    for (Node n : members) {
      b.append(n.name()).append(" = ").append(GraphPrinter.opText(n.op()).replace("$", "$$")).append(' ').append(n.shape());
      if (!n.site().isEmpty()) b.append("  at ").append(n.site());
      b.append('\n');
    }
    return b.append("</pre>\n").toString().replace("<=", "&lt;=").replace("*/", "*&#47;");
  }

  /** Matmuls and column sums ("heroes"), each followed by the elementwise members that depend on it alone. */
  private void dense(KernelWriter w, List<Node> members, String methodName) {
    Set<Node> set = identitySet(members);
    Node prologue = null;
    List<Node> heroes = new ArrayList<>();
    for (Node n : members) {
      if (n.op() instanceof MatMul || n.op() instanceof SumTo) heroes.add(n);
    }
    for (Node n : members) {
      if (n.op() instanceof Elementwise && heroes.stream().anyMatch(h -> h.input(0) == n)) prologue = n;
    }
    Map<Node, List<Node>> epilogues = new IdentityHashMap<>();
    for (Node h : heroes) epilogues.put(h, new ArrayList<>());
    for (Node n : members) {
      if (n == prologue || heroes.contains(n)) continue;
      epilogues.get(heroOf(n, set, heroes)).add(n);
    }
    // A hero whose epilogue overwrites a variable in place runs after the heroes that read that variable.
    heroes.sort((x, y) -> Boolean.compare(writesInPlace(epilogues.get(x)), writesInPlace(epilogues.get(y))));
    String dz = null;
    if (prologue != null) {
      dz = storage.array(prologue) != null ? storage.array(prologue) : storage.scratch(prologue);
      ElementwiseLoop loop = new ElementwiseLoop(backend, storage, prologue.shape().rows(), prologue.shape().cols(), List.of(prologue))
          .store(prologue, dz);
      for (Node h : heroes) {
        if (h.op() instanceof SumTo) {
          String sums = heroArray(h);
          w.statement("java.util.Arrays.fill($L, 0, $L, 0f)", sums, h.shape().size());
          loop.sumColumns(prologue, sums);
        }
      }
      w.comment("prologue: $L, and the column sums of it in the same pass", prologue.name());
      loop.emitAll(w);
    }
    int index = 0;
    for (Node h : heroes) {
      String input = h.input(0) == prologue ? dz : storage.array(h.input(0));
      if (h.op() instanceof SumTo) {
        if (prologue == null) columnSums(w, h, input);
        if (!epilogues.get(h).isEmpty()) {
          w.comment("epilogue of $L", h.name());
          new ElementwiseLoop(backend, storage, 1, h.shape().size(), epilogues.get(h))
              .operand(h, ElementwiseLoop.Operand.of(heroArray(h), h.shape(), 1, h.shape().size())).emitAll(w);
        }
      } else {
        String method = methodName + "_mm" + index++;
        matmul(h, input, epilogues.get(h), method);
        w.statement("$L()", method);
      }
    }
  }

  private String heroArray(Node h) {
    return storage.array(h) != null ? storage.array(h) : storage.scratch(h);
  }

  private void columnSums(KernelWriter w, Node sum, String input) {
    int rows = sum.input(0).shape().rows(), cols = sum.input(0).shape().cols();
    String out = heroArray(sum);
    w.statement("java.util.Arrays.fill($L, 0, $L, 0f)", out, cols);
    w.begin("for (int r = 0; r < $L; r++)", rows);
    w.begin("for (int c = 0; c < $L; c++)", cols);
    w.statement("$L[c] += $L[r * $L + c]", out, input, cols);
    w.end();
    w.end();
  }

  private void matmul(Node h, String a, List<Node> epilogue, String method) {
    MatmulEmitter mm = new MatmulEmitter(backend, storage, h, a, storage.array(h.input(1)));
    String tileSize = mm.tileSize();
    String tile = storage.scratch(h.name() + "_tile", "threads * (" + tileSize + ")");
    KernelWriter body = new KernelWriter(storage);
    KernelWriter rows = new KernelWriter(storage);
    mm.emit(body, rows, tile, method + "_epilogue");
    int m = h.shape().dim(0);
    if (mm.parallel()) {
      int task = tasks.size();
      int chunk = mm.chunkRows();
      tasks.add(String.format("%s_rows(chunk * %d, Math.min(%d, chunk * %d + %d), worker * (%s))", method, chunk, m, chunk, chunk,
          tileSize));
      body.begin("if (pool != null)");
      body.comment("row chunks of $L on the pool (task $L)", chunk, task);
      body.statement("pool.run(this, $L, $L)", task, mm.chunks());
      body.next("else");
      body.statement("$L_rows(0, $L, 0)", method, m);
      body.end();
    } else {
      body.statement("$L_rows(0, $L, 0)", method, m);
    }
    methods.add(MethodSpec.methodBuilder(method).addModifiers(Modifier.PRIVATE)
        .addJavadoc("$L = $L, tile by tile\n", h.name(), GraphPrinter.opText(h.op())).addCode(body.build()).build());
    methods.add(MethodSpec.methodBuilder(method + "_rows").addModifiers(Modifier.PRIVATE)
        .addParameter(TypeName.INT, "from").addParameter(TypeName.INT, "to").addParameter(TypeName.INT, "tileBase")
        .addJavadoc("Rows [from, to) of $L, with this thread's tile scratch at tileBase\n", h.name()).addCode(rows.build()).build());

    KernelWriter epi = new KernelWriter(storage);
    epi.reserve(List.of("i0", "i1", "j0", "j1", "tileBase", "r", "c"));
    String stride = mm.tileStride();
    String at = "tileBase + (r - i0) * " + stride + " + (c - j0)";
    if (storage.array(h) != null) {
      epi.comment("$L itself is read elsewhere: store it", h.name());
      copyTile(epi, tile, at, storage.array(h), h.shape().cols());
    }
    if (!epilogue.isEmpty()) {
      new ElementwiseLoop(backend, storage, h.shape().rows(), h.shape().cols(), epilogue)
          .operand(h, ElementwiseLoop.Operand.custom(tile, at)).emit(epi, "i0", "i1", "j0", "j1");
    }
    methods.add(MethodSpec.methodBuilder(method + "_epilogue").addModifiers(Modifier.PRIVATE)
        .addParameter(TypeName.INT, "i0").addParameter(TypeName.INT, "i1").addParameter(TypeName.INT, "j0").addParameter(TypeName.INT, "j1")
        .addParameter(TypeName.INT, "tileBase")
        .addJavadoc("On the tile rows [i0, i1) × columns [j0, j1) of $L: $L\n", h.name(),
            epilogue.isEmpty() ? "store it" : String.join(", ", epilogue.stream().map(Node::name).toList()))
        .addCode(epi.build()).build());
  }

  private void copyTile(KernelWriter w, String tile, String at, String out, int cols) {
    w.begin("for (int r = i0; r < i1; r++)");
    w.statement("int c = j0");
    if (backend == Backend.VECTOR) {
      w.begin("for (; c + LANES <= j1; c += LANES)");
      w.statement("FloatVector.fromArray(S, $L, $L).intoArray($L, r * $L + c)", tile, at, out, cols);
      w.end();
    }
    w.begin("for (; c < j1; c++)");
    w.statement("$L[r * $L + c] = $L[$L]", out, cols, tile, at);
    w.end();
    w.end();
  }

  private boolean writesInPlace(List<Node> epilogue) {
    for (Node n : epilogue) if (storage.plan().inPlace().containsKey(n)) return true;
    return false;
  }

  private static Node heroOf(Node n, Set<Node> members, List<Node> heroes) {
    List<Node> stack = new ArrayList<>(n.inputs());
    Set<Node> seen = identitySet(List.of());
    while (!stack.isEmpty()) {
      Node x = stack.remove(stack.size() - 1);
      if (heroes.contains(x)) return x;
      if (members.contains(x) && seen.add(x)) stack.addAll(x.inputs());
    }
    throw new IllegalStateException("bug in code generation: epilogue node '" + n.name() + "' depends on no matmul or reduction of its kernel");
  }

  private static Set<Node> identitySet(List<Node> nodes) {
    Set<Node> s = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    s.addAll(nodes);
    return s;
  }
}
