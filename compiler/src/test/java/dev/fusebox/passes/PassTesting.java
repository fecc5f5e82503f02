package dev.fusebox.passes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.ir.Graph;
import dev.fusebox.ir.GraphPrinter;
import dev.fusebox.ir.GraphVerifier;
import dev.fusebox.text.GraphParser;

/** Runs a pass on graph text and checks the printed result FileCheck-style; also checks idempotence. */
public final class PassTesting {
  private PassTesting() {}

  public static Graph check(Pass pass, String input, String checks) {
    Graph in = GraphParser.parse(input);
    Graph out = pass.apply(in, PassContext.quiet());
    GraphVerifier.verify(out);
    String text = GraphPrinter.print(out);
    String failure = FileCheck.check(text, checks);
    assertThat(failure).as("%s on%n%s", pass.name(), input).isNull();
    Graph again = pass.apply(out, PassContext.quiet());
    assertThat(again).as("%s is idempotent", pass.name()).isSameAs(out);
    return out;
  }
}
