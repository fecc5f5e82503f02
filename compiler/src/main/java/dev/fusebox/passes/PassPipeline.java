package dev.fusebox.passes;

import dev.fusebox.ir.Graph;
import dev.fusebox.ir.GraphPrinter;
import dev.fusebox.ir.GraphVerifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * An ordered list of passes. Passes named in {@code disabled} are skipped; other names there are
 * ignored (a compiler runs several pipelines and checks the names against all of their passes). With
 * {@code verify} (always in tests, and at debug level 1 and above) the graph is verified before and
 * after every pass, so a broken invariant names the pass that broke it.
 */
public final class PassPipeline {
  private final List<Pass> passes;
  private final Set<String> disabled;
  private final boolean verify;

  public PassPipeline(List<Pass> passes, Set<String> disabled, boolean verify) {
    this.passes = List.copyOf(passes);
    this.disabled = new TreeSet<>(disabled);
    this.verify = verify;
  }

  public List<String> names() {
    List<String> names = new ArrayList<>();
    for (Pass p : passes) names.add(p.name());
    return names;
  }

  public Graph run(Graph graph, PassContext ctx) {
    boolean check = verify || ctx.debug() >= 1;
    Graph g = graph;
    for (Pass pass : passes) {
      if (disabled.contains(pass.name())) {
        ctx.decide(pass.name(), "disabled");
        continue;
      }
      if (check) verify(g, "before " + pass.name());
      long start = System.nanoTime();
      Graph next = pass.apply(g, ctx);
      double ms = (System.nanoTime() - start) / 1e6;
      if (check) verify(next, "after " + pass.name());
      if (ctx.debug() >= 1) {
        ctx.print(String.format("[fusebox] pass %-28s %7.2f ms  %4d -> %4d nodes%s", pass.name(), ms, g.size(), next.size(),
            next == g ? "  (no change)" : ""));
      }
      if (ctx.debug() >= 2 && next != g) ctx.print(GraphPrinter.print(next));
      g = next;
    }
    return g;
  }

  private static void verify(Graph g, String when) {
    try {
      GraphVerifier.verify(g);
    } catch (IllegalStateException e) {
      throw new IllegalStateException("bug in pass: graph invalid " + when + ": " + e.getMessage(), e);
    }
  }
}
