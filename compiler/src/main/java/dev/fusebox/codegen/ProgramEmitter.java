package dev.fusebox.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.fusebox.ir.DType;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.GraphPrinter;
import dev.fusebox.ir.Kernel;
import dev.fusebox.ir.Node;
import dev.fusebox.ir.Stage;
import dev.fusebox.ops.Constant;
import dev.fusebox.ops.Input;
import dev.fusebox.ops.Variable;
import dev.fusebox.passes.memory.MemoryPlan;
import dev.fusebox.runtime.ConstantData;
import dev.fusebox.runtime.GeneratedProgram;
import dev.fusebox.runtime.InputKind;
import dev.fusebox.runtime.SplitMix64;
import dev.fusebox.runtime.init.Initializers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.lang.model.element.Modifier;

/**
 * Writes the Java source of a fused, planned graph: a {@link GeneratedProgram} whose fields are the
 * graph's arrays (shapes are constants), whose private methods are its kernels, and whose
 * {@code runForward} and {@code runStep} are the schedules. Deterministic: the same graph and backend
 * give byte-identical source. The source depends only on the runtime and the JDK.
 *
 * <p>A program of more than {@link #KERNELS_PER_CLASS} kernels is a chain of classes, each extending the
 * one before and holding a stretch of the schedule: its kernels, the arrays they are the first to use
 * (allocated and registered by its constructor) and the methods running its stretch. The JVM limits a
 * class to 65,535 constants and a method to 64 KB of bytecode; a 1000-layer network would exceed
 * both in one class.
 */
public final class ProgramEmitter {
  /** The package of every generated class. */
  public static final String PACKAGE = "dev.fusebox.generated";
  private static final ClassName FLOAT_VECTOR = VectorExprs.FLOAT_VECTOR;
  private static final TypeName FLOATS = ArrayTypeName.of(TypeName.FLOAT);
  private static final TypeName INTS = ArrayTypeName.of(TypeName.INT);
  /** Kernels per class of the chain: some 40 constants each, so a class stays far from the JVM's limit. */
  static final int KERNELS_PER_CLASS = 250;

  private ProgramEmitter() {}

  /**
   * The generated source.
   *
   * @param className the program's class name, in {@link #PACKAGE}, derived from a hash of the graph and backend
   * @param code the Java text: the program's class, after the rest of its chain
   */
  public record Source(String className, String code) {
    /** {@return the program class's fully qualified name} */
    public String qualifiedName() {
      return PACKAGE + "." + className;
    }
  }

  /** One kernel's methods, the calls that run it in a step and in a forward run, its parallel tasks and the arrays it reads or writes. */
  private record EmittedKernel(List<MethodSpec> methods, CodeBlock step, CodeBlock forward, List<String> tasks, Set<String> uses) {}

  /**
   * {@return the source of a program running {@code g}}
   *
   * @param g a fused graph, as {@code Compilation.fused()} gives it
   * @param plan its memory plan
   * @param backend the kind of kernels to write
   */
  public static Source emit(Graph g, MemoryPlan plan, Backend backend) {
    int batch = g.batchSize();
    Storage storage = new Storage(g, plan, batch);
    String className = "Program_" + Hashes.sha256(GraphPrinter.print(g) + backend).substring(0, 12);
    Set<Node> forwardNodes = Collections.newSetFromMap(new IdentityHashMap<>());
    forwardNodes.addAll(g.forwardNodes());
    List<EmittedKernel> emitted = new ArrayList<>();
    int taskCount = 0;
    for (int k = 0; k < g.kernels().size(); k++) {
      Kernel kernel = g.kernels().get(k);
      String name = "k" + k + "_" + kernel.kind().text();
      List<String> tasks = new ArrayList<>(Collections.nCopies(taskCount, ""));
      storage.track();
      List<MethodSpec> methods = new ArrayList<>(new KernelEmitter(backend, storage, kernel, Integer.toString(k), tasks).emit(kernel.stages(), name));
      List<Stage> fwd = Schedules.forwardStages(kernel, forwardNodes);
      CodeBlock forward = null;
      if (fwd.equals(kernel.stages())) {
        forward = CodeBlock.of("$L();\n", name);
      } else if (!fwd.isEmpty()) {
        methods.addAll(new KernelEmitter(backend, storage, kernel, k + " (forward)", tasks).emit(fwd, name + "_forward"));
        forward = CodeBlock.of("$L_forward();\n", name);
      }
      Set<String> uses = storage.uses();
      emitted.add(new EmittedKernel(methods, CodeBlock.of("$L();\n", name), forward, tasks.subList(taskCount, tasks.size()), uses));
      taskCount = tasks.size();
    }

    int parts = Math.max(1, (emitted.size() + KERNELS_PER_CLASS - 1) / KERNELS_PER_CLASS);
    Map<String, Integer> partOf = new HashMap<>(); // array field → the part declaring it: its first user's
    for (int k = 0; k < emitted.size(); k++) for (String f : emitted.get(k).uses()) partOf.putIfAbsent(f, k / KERNELS_PER_CLASS);
    List<TypeSpec> classes = new ArrayList<>();
    List<List<Declaration>> declarations = fields(g, plan, storage, backend, partOf, parts);
    List<List<CodeBlock>> registrations = registrations(g, storage, partOf, parts, emitted);
    int firstTask = 0;
    for (int p = 0; p < parts; p++) {
      boolean last = p == parts - 1;
      List<EmittedKernel> mine = emitted.subList(p * KERNELS_PER_CLASS, Math.min(emitted.size(), (p + 1) * KERNELS_PER_CLASS));
      TypeSpec.Builder type = last
          ? TypeSpec.classBuilder(className).addModifiers(Modifier.PUBLIC, Modifier.FINAL)
              .addJavadoc("Generated by Fusebox from a graph of $L nodes in $L kernels ($L backend). Do not edit.\n",
                  g.size(), g.kernels().size(), backend.name().toLowerCase(Locale.ROOT))
          : TypeSpec.classBuilder(partName(className, p)).addModifiers(Modifier.ABSTRACT)
              .addJavadoc("Part $L of $L: kernels $L to $L.\n", p + 1, parts, p * KERNELS_PER_CLASS, p * KERNELS_PER_CLASS + mine.size() - 1);
      type.superclass(p == 0 ? ClassName.get(GeneratedProgram.class) : ClassName.get(PACKAGE, partName(className, p - 1)));
      if (p == 0 && backend == Backend.VECTOR) constants(type);
      List<CodeBlock> init = declare(type, declarations.get(p));
      init.addAll(registrations.get(p));
      MethodSpec.Builder constructor = MethodSpec.constructorBuilder().addParameter(TypeName.INT, "threads")
          .addStatement(p == 0 ? "super(" + batch + ", threads)" : "super(threads)");
      if (last) {
        for (Map.Entry<String, Node> o : g.outputs().entrySet()) {
          if (!o.getKey().equals(o.getValue().name())) init.add(CodeBlock.of("output($S, $S);\n", o.getKey(), o.getValue().name()));
        }
        List<CodeBlock> refreshes = new ArrayList<>();
        storage.refreshes().values().forEach(refreshes::addAll);
        if (!refreshes.isEmpty()) {
          type.addMethod(MethodSpec.methodBuilder("variablesChanged").addAnnotation(Override.class).addModifiers(Modifier.PROTECTED)
              .addJavadoc("Refreshes the parameters' packed copies.\n").addCode(chunked(type, "refresh", refreshes)).build());
          init.add(CodeBlock.of("variablesChanged();\n"));
        }
        type.addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC).addStatement("this(1)")
            .addJavadoc("A program running on the calling thread alone.\n").build());
        constructor.addModifiers(Modifier.PUBLIC)
            .addJavadoc("A program whose large matmuls run on {@code threads} threads; results do not depend on it.\n");
      }
      type.addMethod(constructor.addCode(chunked(type, "init" + (parts > 1 ? p + "_" : ""), init)).build());

      List<CodeBlock> step = new ArrayList<>(), forward = new ArrayList<>();
      List<String> tasks = new ArrayList<>();
      for (EmittedKernel k : mine) {
        step.add(k.step());
        if (k.forward() != null) forward.add(k.forward());
        type.addMethods(k.methods());
        tasks.addAll(k.tasks());
      }
      if (!tasks.isEmpty()) type.addMethod(runChunk(firstTask, tasks));
      firstTask += tasks.size();
      if (parts == 1) {
        runs(type, g, storage, chunked(type, "forward", forward), chunked(type, "step", step));
      } else {
        type.addMethod(MethodSpec.methodBuilder("forwardPart" + p).addModifiers(Modifier.FINAL)
            .addJavadoc("The forward run's kernels of part $L.\n", p + 1).addCode(chunked(type, "forward" + p + "_", forward)).build());
        type.addMethod(MethodSpec.methodBuilder("stepPart" + p).addModifiers(Modifier.FINAL)
            .addJavadoc("The training step's kernels of part $L.\n", p + 1).addCode(chunked(type, "step" + p + "_", step)).build());
        if (last) {
          CodeBlock.Builder f = CodeBlock.builder(), s = CodeBlock.builder();
          for (int q = 0; q < parts; q++) {
            f.addStatement("forwardPart$L()", q);
            s.addStatement("stepPart$L()", q);
          }
          runs(type, g, storage, f.build(), s.build());
        }
      }
      classes.add(type.build());
    }
    return new Source(className, join(classes));
  }

  private static String partName(String className, int part) {
    return className + "_Part" + (part + 1);
  }

  /** The vector backend's shape constants, in the first class of the chain. */
  private static void constants(TypeSpec.Builder type) {
    type.addField(FieldSpec.builder(VectorExprs.VECTOR_SPECIES, "S", Modifier.STATIC, Modifier.FINAL)
        .initializer("$T.SPECIES_PREFERRED", FLOAT_VECTOR).build());
    type.addField(FieldSpec.builder(TypeName.INT, "LANES", Modifier.STATIC, Modifier.FINAL).initializer("S.length()").build());
    type.addField(FieldSpec.builder(TypeName.INT, "PANEL", Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("Columns of B one wide matmul tile reads.\n")
        .initializer("$T.TILE_VECTORS * LANES", MatmulEmitter.GEMM).build());
    type.addField(FieldSpec.builder(TypeName.INT, "NARROW_PANEL", Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("Columns of B one narrow matmul tile reads.\n")
        .initializer("$L * LANES", MatmulEmitter.NARROW_VECTORS).build());
  }

  /** {@code runForward} and {@code runStep}: the kernels' calls, then the updates not written in place, and the loss. */
  private static void runs(TypeSpec.Builder type, Graph g, Storage storage, CodeBlock forward, CodeBlock step) {
    Node loss = g.outputs().get("loss");
    type.addMethod(MethodSpec.methodBuilder("runForward").addAnnotation(Override.class).addModifiers(Modifier.PROTECTED)
        .addCode(forward).build());
    type.addMethod(MethodSpec.methodBuilder("runStep").addAnnotation(Override.class).addModifiers(Modifier.PROTECTED)
        .returns(TypeName.FLOAT).addCode(step).addCode(chunked(type, "update", applyUpdates(g, storage)))
        .addCode(chunked(type, "repack", repacks(g, storage)))
        .addStatement("return $L", loss == null ? "Float.NaN" : storage.array(loss) + "[0]").build());
  }

  /**
   * The classes as one compilation unit: their imports merged, the program's (public) class last. Only
   * one class of a chain is public, so they may share a file.
   */
  private static String join(List<TypeSpec> classes) {
    TreeSet<String> imports = new TreeSet<>();
    StringBuilder bodies = new StringBuilder();
    for (TypeSpec t : classes) {
      List<String> lines = JavaFile.builder(PACKAGE, t).skipJavaLangImports(true).indent("  ").build().toString().lines().toList();
      int start = 0;
      for (; start < lines.size(); start++) {
        String line = lines.get(start);
        if (line.startsWith("import ")) imports.add(line);
        else if (!line.isEmpty() && !line.startsWith("package ")) break;
      }
      if (bodies.length() > 0) bodies.append('\n');
      for (String line : lines.subList(start, lines.size())) bodies.append(line).append('\n');
    }
    Set<String> simple = new HashSet<>();
    for (String i : imports) {
      if (!simple.add(i.substring(i.lastIndexOf('.') + 1))) throw new IllegalStateException("bug in code generation: two imports named like " + i);
    }
    StringBuilder out = new StringBuilder("package " + PACKAGE + ";\n\n");
    for (String i : imports) out.append(i).append('\n');
    return out.append(imports.isEmpty() ? "" : "\n").append(bodies).toString();
  }

  /**
   * Copies the new values not written in place into their variables. A new value that is itself a
   * variable (a simplified update, such as an accumulator plus a gradient that folded to zero) is read
   * before any variable is overwritten, and a variable's update to itself is no copy at all.
   */
  private static List<CodeBlock> applyUpdates(Graph g, Storage storage) {
    List<Map.Entry<Node, Node>> copies = new ArrayList<>();
    for (Map.Entry<Node, Node> u : g.updates().entrySet()) {
      if (u.getKey() != u.getValue() && !storage.plan().inPlace().containsKey(u.getValue())) copies.add(u);
    }
    copies.sort(Comparator.comparing(u -> !u.getValue().op().isVariable()));
    List<CodeBlock> out = new ArrayList<>();
    for (Map.Entry<Node, Node> u : copies) {
      out.add(CodeBlock.of("// $L <- $L, not written in place\nSystem.arraycopy($L, 0, $L, 0, $L);\n", u.getKey().name(),
          u.getValue().name(), storage.array(u.getValue()), storage.array(u.getKey()), u.getKey().shape().size()));
    }
    return out;
  }

  /** After a step's updates: the packed copies of the parameters it changed. */
  private static List<CodeBlock> repacks(Graph g, Storage storage) {
    List<CodeBlock> out = new ArrayList<>();
    storage.refreshes().forEach((variable, calls) -> {
      if (g.updates().containsKey(variable) && g.updates().get(variable) != variable) {
        out.add(CodeBlock.of("// $L changed: its packed copies follow\n", variable.name()));
        out.addAll(calls);
      }
    });
    return out;
  }

  /**
   * At most this many statements per generated method: a method's bytecode is limited to 64 KB (a
   * constructor registering thousands of values would exceed it) and the JIT compiles only methods of
   * under 8,000 bytes.
   */
  static final int STATEMENTS_PER_METHOD = 200;

  /**
   * The statements as they are, or, when there are more than {@link #STATEMENTS_PER_METHOD}, as calls
   * to methods {@code prefix0}, {@code prefix1}... added to {@code type} that run them in order.
   */
  private static CodeBlock chunked(TypeSpec.Builder type, String prefix, List<CodeBlock> statements) {
    CodeBlock.Builder out = CodeBlock.builder();
    if (statements.size() <= STATEMENTS_PER_METHOD) {
      statements.forEach(out::add);
      return out.build();
    }
    for (int c = 0; c * STATEMENTS_PER_METHOD < statements.size(); c++) {
      CodeBlock.Builder body = CodeBlock.builder();
      statements.subList(c * STATEMENTS_PER_METHOD, Math.min(statements.size(), (c + 1) * STATEMENTS_PER_METHOD)).forEach(body::add);
      type.addMethod(MethodSpec.methodBuilder(prefix + c).addModifiers(Modifier.PRIVATE).addCode(body.build()).build());
      out.addStatement("$L$L()", prefix, c);
    }
    return out.build();
  }

  /**
   * Array sizes in vector code get one more vector of padding: on JDK 17 a masked load near an
   * array's end and any masked store fall back to slow, allocating Java code, so tails load whole
   * vectors (the padding keeps them in bounds) and store by blending into what is there.
   */
  private static String padded(Backend backend, Object size) {
    return backend == Backend.VECTOR ? size + " + LANES" : size.toString();
  }

  /** A field of the generated program: its declaration and the statement allocating it (null for constants). */
  private record Declaration(FieldSpec field, CodeBlock allocation) {}

  /**
   * The arrays, by the part of the chain that declares them: constants as static fields with their
   * values; inputs, variables, buffers and scratch as fields allocated by a statement of that part's
   * constructor (not by initialisers, which all land in the constructor, whose bytecode is limited).
   */
  private static List<List<Declaration>> fields(Graph g, MemoryPlan plan, Storage storage, Backend backend, Map<String, Integer> partOf,
      int parts) {
    List<List<Declaration>> out = new ArrayList<>();
    for (int p = 0; p < parts; p++) out.add(new ArrayList<>());
    for (Node n : g.nodes()) {
      if (!n.op().isSource()) continue;
      String f = storage.fieldOf(n);
      List<Declaration> part = out.get(partOf.getOrDefault(f, 0));
      if (n.op() instanceof Constant c) {
        part.add(new Declaration(FieldSpec.builder(FLOATS, f, Modifier.STATIC, Modifier.FINAL)
            .addJavadoc("$L: constant $L\n", n.name(), n.shape()).initializer(constant(c, backend)).build(), null));
      } else {
        boolean labels = n.dtype() == DType.I32;
        part.add(new Declaration(FieldSpec.builder(labels ? INTS : FLOATS, f).addJavadoc("$L: $L $L\n", n.name(), GraphPrinter.opText(n.op()),
            n.shape()).build(), CodeBlock.of("$L = new $L[$L];\n", f, labels ? "int" : "float",
            labels ? Integer.toString(n.shape().size()) : padded(backend, n.shape().size()))));
      }
    }
    for (int b = 0; b < plan.buffers().size(); b++) {
      MemoryPlan.Slot slot = plan.buffers().get(b);
      String f = Storage.bufferName(b);
      out.get(partOf.getOrDefault(f, 0)).add(new Declaration(FieldSpec.builder(FLOATS, f)
          .addJavadoc("holds, in turn: $L\n", String.join(", ", slot.values().stream().map(Node::name).toList())).build(),
          CodeBlock.of("$L = new float[$L];\n", f, padded(backend, slot.capacity()))));
    }
    for (Map.Entry<String, String> s : storage.scratchArrays().entrySet()) {
      out.get(partOf.getOrDefault(s.getKey(), 0)).add(new Declaration(FieldSpec.builder(FLOATS, s.getKey()).build(),
          CodeBlock.of("$L = new float[$L];\n", s.getKey(), padded(backend, s.getValue()))));
    }
    for (Map.Entry<String, String> s : storage.keptCopies().entrySet()) {
      out.get(partOf.getOrDefault(s.getKey(), 0)).add(new Declaration(FieldSpec.builder(FLOATS, s.getKey())
          .addJavadoc("a parameter in the layout its matmuls read, refreshed whenever it changes\n").build(),
          CodeBlock.of("$L = new float[$L];\n", s.getKey(), padded(backend, s.getValue()))));
    }
    return out;
  }

  /** Adds the fields to the class; returns their allocations. */
  private static List<CodeBlock> declare(TypeSpec.Builder type, List<Declaration> declarations) {
    List<CodeBlock> allocations = new ArrayList<>();
    for (Declaration d : declarations) {
      type.addField(d.field());
      if (d.allocation() != null) allocations.add(d.allocation());
    }
    return allocations;
  }

  /** A constant's initialiser: an array literal, or for a large constant its data as text (see {@link ConstantData}). */
  private static CodeBlock constant(Constant c, Backend backend) {
    double[] values = c.values();
    if (values.length > LITERAL_ELEMENTS) {
      float[] f = new float[values.length];
      for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
      CodeBlock.Builder b = CodeBlock.builder().add("$T.decode($L", ConstantData.class, padded(backend, values.length));
      for (String chunk : ConstantData.encode(f)) b.add(",\n$S", chunk);
      return b.add(")").build();
    }
    String literal = "new float[] " + floats(values);
    return CodeBlock.of(backend == Backend.VECTOR ? "java.util.Arrays.copyOf(" + literal + ", " + padded(backend, values.length) + ")" : literal);
  }

  /** Constants larger than this are written as text: an array literal costs about seven bytes of bytecode per element. */
  static final int LITERAL_ELEMENTS = 256;

  private static String floats(double[] values) {
    StringBuilder b = new StringBuilder("{");
    for (int i = 0; i < values.length; i++) b.append(i == 0 ? "" : ", ").append(ScalarExprs.literal(values[i]));
    return b.append('}').toString();
  }

  /**
   * Dispatches the pool's chunks to this class's parallel kernels, tasks {@code first} on (a switch:
   * generated code has no lambdas); other tasks go to the class before it in the chain.
   */
  private static MethodSpec runChunk(int first, List<String> tasks) {
    CodeBlock.Builder c = CodeBlock.builder().beginControlFlow("switch (task)");
    for (int t = 0; t < tasks.size(); t++) {
      c.add("case $L:\n", first + t).indent().addStatement("$L", tasks.get(t)).addStatement("break").unindent();
    }
    c.add("default:\n").indent().addStatement("super.runChunk(task, chunk, worker)").unindent().endControlFlow();
    return MethodSpec.methodBuilder("runChunk").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
        .addParameter(TypeName.INT, "task").addParameter(TypeName.INT, "chunk").addParameter(TypeName.INT, "worker")
        .addCode(c.build()).build();
  }

  /**
   * Registers inputs, variables (initialised) and values with the base class, in graph order, each in
   * the part of the chain that declares its array (a value kept in registers: the part computing it).
   */
  private static List<List<CodeBlock>> registrations(Graph g, Storage storage, Map<String, Integer> partOf, int parts,
      List<EmittedKernel> emitted) {
    List<List<CodeBlock>> out = new ArrayList<>();
    List<ValueTable> tables = new ArrayList<>();
    for (int p = 0; p < parts; p++) {
      out.add(new ArrayList<>());
      tables.add(new ValueTable());
    }
    int[] kernelPart = new int[g.size()];
    for (int k = 0; k < g.kernels().size(); k++) for (Node n : g.kernels().get(k).nodes()) kernelPart[n.id()] = k / KERNELS_PER_CLASS;
    for (Node n : g.nodes()) {
      if (!n.op().isSource()) continue;
      String f = storage.fieldOf(n);
      List<CodeBlock> c = out.get(partOf.getOrDefault(f, 0));
      if (n.op() instanceof Input in) {
        if (in.kind() == InputKind.LABELS) {
          c.add(CodeBlock.of("labelInput($S, $L, $L, $L);\n", n.name(), in.classes(), dims(n), f));
        } else {
          c.add(CodeBlock.of("floatInput($S, $T.$L, $L, $L);\n", n.name(), InputKind.class, in.kind().name(), dims(n), f));
          if (in.kind() == InputKind.SCALAR && in.initial() != 0) c.add(CodeBlock.of("$L[0] = $L;\n", f, ScalarExprs.literal(in.initial())));
        }
      } else if (n.op() instanceof Variable v) {
        c.add(CodeBlock.of("$T.byName($S).fill($L, $L, new $T($LL));\n", Initializers.class, v.init().name(), f, dims(n), SplitMix64.class,
            v.seed()));
        c.add(CodeBlock.of("variable($S, $L, $L, $L);\n", n.name(), v.trainable(), dims(n), f));
      }
    }
    for (Node n : g.nodes()) {
      if (n.op().isConstant()) {
        int p = partOf.getOrDefault(storage.fieldOf(n), 0);
        tables.get(p).add(n, storage.fieldOf(n), null, out.get(p));
      }
      if (n.op().isSource()) continue;
      boolean readable = storage.readableAfterRun(n);
      String f = readable ? storage.fieldOf(n) : null;
      int p = f != null ? partOf.getOrDefault(f, 0) : kernelPart[n.id()];
      tables.get(p).add(n, f, readable ? null : storage.whyNotReadable(n), out.get(p));
    }
    for (int p = 0; p < parts; p++) tables.get(p).flush(out.get(p));
    return out;
  }

  /** Computed values and constants registered {@link #ROWS} at a time by {@code values(table, arrays...)}. */
  private static final class ValueTable {
    static final int ROWS = 100;
    private final StringBuilder table = new StringBuilder();
    private final List<String> arrays = new ArrayList<>();
    private int rows;

    void add(Node n, String array, String why, List<CodeBlock> out) {
      if (n.name().contains("\t") || n.name().contains("\n")) {
        out.add(CodeBlock.of("value($S, $L, $L, $S);\n", n.name(), dims(n), array == null ? "null" : array, why));
        return;
      }
      String dims = String.join(",", Arrays.stream(n.shape().dims()).mapToObj(Integer::toString).toList());
      int index = array == null ? -1 : arrays.indexOf(array);
      if (array != null && index < 0) {
        arrays.add(array);
        index = arrays.size() - 1;
      }
      table.append(n.name()).append('\t').append(dims).append('\t').append(array == null ? why : Integer.toString(index)).append('\n');
      if (++rows == ROWS) flush(out);
    }

    void flush(List<CodeBlock> out) {
      if (rows == 0) return;
      CodeBlock.Builder call = CodeBlock.builder().add("values($S", table.toString());
      for (String a : arrays) call.add(", $L", a);
      out.add(call.add(");\n").build());
      table.setLength(0);
      arrays.clear();
      rows = 0;
    }
  }

  private static String dims(Node n) {
    return "new int[] {" + String.join(", ", Arrays.stream(n.shape().dims()).mapToObj(Integer::toString).toList()) + "}";
  }
}
