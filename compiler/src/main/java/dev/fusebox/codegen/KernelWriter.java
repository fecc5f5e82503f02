package dev.fusebox.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.fusebox.ir.Lowering;
import dev.fusebox.ir.Node;
import dev.fusebox.ir.Shape;
import java.util.List;

/**
 * The statements of one generated method, with fresh local names. For an op's lowering it also
 * stands for that op: its inputs' and output's arrays come from the program's storage.
 */
final class KernelWriter implements Lowering {
  private final CodeBlock.Builder code = CodeBlock.builder();
  private final java.util.Set<String> taken = new java.util.HashSet<>();
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

  /** {@code base} itself if free, else base2, base3, ... */
  @Override
  public String local(String base) {
    String name = base;
    for (int i = 2; !taken.add(name); i++) name = base + i;
    return name;
  }

  @Override
  public void begin(String format, Object... args) {
    code.beginControlFlow(format, args);
  }

  /** {@code } else {}: closes a block and opens the next. */
  void next(String format, Object... args) {
    code.nextControlFlow(format, args);
  }

  @Override
  public void end() {
    code.endControlFlow();
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
