package dev.fusebox.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.fusebox.ir.Lowering;
import dev.fusebox.ir.Node;
import dev.fusebox.ir.Shape;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.lang.model.SourceVersion;

/**
 * The statements of one generated method, with fresh local names. For an op's lowering it also
 * stands for that op: its inputs' and output's arrays come from the program's storage.
 */
final class KernelWriter implements Lowering {
  private final CodeBlock.Builder code = CodeBlock.builder();
  /** Names the method reserves (parameters, loop variables, the base class's fields), free in no block. */
  private final Set<String> taken = new HashSet<>(List.of("validRows", "training", "steps", "threads", "pool", "r", "c"));
  /** Locals of the open blocks, innermost first. */
  private final Deque<Set<String>> blocks = new ArrayDeque<>(List.of(new HashSet<>()));
  private final Storage storage;
  private Node node;
  private String output;

  KernelWriter(Storage storage) {
    this.storage = storage;
  }

  /** Lowers one op: its inputs from storage, its output into {@code outputArray}. */
  void lower(Node n, String outputArray) {
    this.node = n;
    this.output = outputArray;
    code.add("// $L = $L\n", n.name(), dev.fusebox.ir.GraphPrinter.opText(n.op()));
    n.op().lower(this);
    this.node = null;
  }

  CodeBlock build() {
    return code.build();
  }

  @Override
  public String input(int i) {
    return storage.array(node.input(i));
  }

  @Override
  public Shape inputShape(int i) {
    return node.input(i).shape();
  }

  @Override
  public String output() {
    return output;
  }

  @Override
  public Shape outputShape() {
    return node.shape();
  }

  @Override
  public String validRows(int rows) {
    return storage.validRows(rows);
  }

  @Override
  public String training() {
    return "training";
  }

  @Override
  public String step() {
    return "steps";
  }

  /**
   * {@code base} itself if free, else base2, base3, ...: free of the class's fields, of the names the
   * method reserves and of the locals of this block and the blocks around it (a sibling block's may be
   * reused: the vector loop and its scalar tail name a node's value alike).
   */
  @Override
  public String local(String base) {
    String stem = SourceVersion.isKeyword(base) ? base + "_" : base;
    String name = stem;
    for (int i = 2; !free(name); i++) name = stem + i;
    blocks.peek().add(name);
    return name;
  }

  private boolean free(String name) {
    if (taken.contains(name) || storage.isField(name)) return false;
    for (Set<String> block : blocks) if (block.contains(name)) return false;
    return true;
  }

  @Override
  public void begin(String format, Object... args) {
    code.beginControlFlow(format, args);
    blocks.push(new HashSet<>());
  }

  /** {@code } else {}: closes a block and opens the next. */
  void next(String format, Object... args) {
    code.nextControlFlow(format, args);
    blocks.pop();
    blocks.push(new HashSet<>());
  }

  @Override
  public void end() {
    code.endControlFlow();
    blocks.pop();
  }

  @Override
  public void statement(String format, Object... args) {
    code.addStatement(format, args);
  }

  void comment(String format, Object... args) {
    code.add("// " + format + "\n", args);
  }

  /** Reserves names used by the enclosing method (parameters, loop variables) so locals never clash. */
  void reserve(List<String> names) {
    taken.addAll(names);
  }
}
