package dev.fusebox.codegen;

import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import dev.fusebox.ir.GraphPrinter;
import dev.fusebox.ir.Kernel;
import dev.fusebox.ir.Node;
import dev.fusebox.ir.Shape;
import dev.fusebox.ir.Stage;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * Writes the methods of one kernel from its planned stages, in their order: a loop (with column sums
 * in the same pass), a matmul with its epilogue, or an op's own lowering. Everything here is decided
 * by the plan: which nodes each stage computes and in what order, and (in the memory plan) which
 * values have arrays.
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

  /**
   * The kernel's methods; the first is the one the schedule calls. {@code stages} are the kernel's, or
   * the part of them a forward run needs.
   */
  List<MethodSpec> emit(List<Stage> stages, String methodName) {
    KernelWriter w = new KernelWriter(storage);
    int matmuls = 0;
    for (Stage stage : stages) {
      if (stage instanceof Stage.Loop loop) {
        loop(w, loop);
      } else if (stage instanceof Stage.Matmul m) {
        matmul(w, m.matmul(), m.epilogue(), methodName + "_mm" + matmuls++);
      } else if (stage instanceof Stage.Single single) {
        w.lower(single.node(), storage.array(single.node()));
      }
    }
    List<Node> members = stages.stream().flatMap(s -> s.nodes().stream()).toList();
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

  /** A loop stage: its members element by element, and the column sums of members in the same pass. */
  private void loop(KernelWriter w, Stage.Loop loop) {
    Shape space = loop.space();
    ElementwiseLoop l = new ElementwiseLoop(backend, storage, space.rows(), space.cols(), loop.members());
    for (Node sum : loop.columnSums()) {
      w.statement("java.util.Arrays.fill($L, 0, $L, 0f)", storage.array(sum), sum.shape().size());
      l.sumColumns(sum.input(0), storage.array(sum));
    }
    if (!loop.columnSums().isEmpty()) {
      w.comment("$L, and the column sums of it in the same pass", names(loop.members()));
    }
    l.emitAll(w);
  }

  private static String names(List<Node> nodes) {
    return String.join(", ", nodes.stream().map(Node::name).toList());
  }

  /**
   * A matmul stage: copies of its operands into {@code body}, then the matmul tile by tile, in methods
   * {@code method_rows} (a range of rows, the unit threads share) and {@code method_epilogue} (what
   * each finished tile goes through).
   */
  private void matmul(KernelWriter body, Node h, List<Node> epilogue, String method) {
    MatmulEmitter mm = new MatmulEmitter(backend, storage, h, storage.array(h.input(0)), storage.array(h.input(1)));
    String tileSize = mm.tileSize();
    String tile = storage.scratch("tile", "threads * (" + tileSize + ")");
    body.comment("$L = $L, tile by tile", h.name(), GraphPrinter.opText(h.op()));
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
    methods.add(MethodSpec.methodBuilder(method + "_rows").addModifiers(Modifier.PRIVATE)
        .addParameter(TypeName.INT, "from").addParameter(TypeName.INT, "to").addParameter(TypeName.INT, "tileBase")
        .addJavadoc("Rows [from, to) of $L, with this thread's tile scratch at tileBase\n", h.name()).addCode(rows.build()).build());

    KernelWriter epi = new KernelWriter(storage);
    epi.reserve(List.of("i0", "i1", "j0", "j1", "tileBase", "r", "c"));
    String stride = mm.tileStride();
    String at = "tileBase + (r - i0) * " + stride + " + (c - j0)";
    if (storage.hasArray(h)) {
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

}
