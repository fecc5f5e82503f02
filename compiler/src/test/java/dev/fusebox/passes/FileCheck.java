package dev.fusebox.passes;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A small FileCheck, after LLVM's: checks text against directive lines.
 *
 * <ul>
 *   <li>{@code CHECK: s} — a later line contains s;
 *   <li>{@code CHECK-NEXT: s} — the very next line contains s;
 *   <li>{@code CHECK-NOT: s} — no line between the previous match and the next one (or the end) contains s.
 * </ul>
 *
 * Within s, {@code {{regex}}} matches a regular expression; the rest is literal.
 */
public final class FileCheck {
  private FileCheck() {}

  /** Returns null if the text passes, else a message naming the failed directive and showing the text. */
  public static String check(String text, String directives) {
    String[] lines = text.split("\n", -1);
    int pos = 0; // next line to search
    List<Pattern> pendingNot = new ArrayList<>();
    for (String raw : directives.split("\n")) {
      String d = raw.strip();
      if (d.startsWith("// ")) d = d.substring(3);
      if (d.startsWith("CHECK-NOT:")) {
        pendingNot.add(pattern(d.substring(10).strip()));
      } else if (d.startsWith("CHECK-NEXT:")) {
        Pattern p = pattern(d.substring(11).strip());
        if (pos >= lines.length || !p.matcher(lines[pos]).find()) return fail(d, text, pos);
        pos++;
      } else if (d.startsWith("CHECK:")) {
        Pattern p = pattern(d.substring(6).strip());
        int found = -1;
        for (int i = pos; i < lines.length && found < 0; i++) if (p.matcher(lines[i]).find()) found = i;
        if (found < 0) return fail(d, text, pos);
        String bad = firstMatch(pendingNot, lines, pos, found);
        if (bad != null) return bad + "\n" + text;
        pendingNot.clear();
        pos = found + 1;
      }
    }
    String bad = firstMatch(pendingNot, lines, pos, lines.length);
    return bad == null ? null : bad + "\n" + text;
  }

  private static String firstMatch(List<Pattern> nots, String[] lines, int from, int to) {
    for (Pattern p : nots) {
      for (int i = from; i < to; i++) {
        if (p.matcher(lines[i]).find()) return "CHECK-NOT: '" + p + "' matched line " + (i + 1) + ": " + lines[i];
      }
    }
    return null;
  }

  private static Pattern pattern(String s) {
    StringBuilder regex = new StringBuilder();
    int i = 0;
    while (i < s.length()) {
      int open = s.indexOf("{{", i);
      if (open < 0) {
        regex.append(Pattern.quote(s.substring(i)));
        break;
      }
      regex.append(Pattern.quote(s.substring(i, open)));
      int close = s.indexOf("}}", open);
      regex.append('(').append(s, open + 2, close).append(')');
      i = close + 2;
    }
    return Pattern.compile(regex.toString());
  }

  private static String fail(String directive, String text, int from) {
    return "'" + directive + "' not found from line " + (from + 1) + " of:\n" + text;
  }
}
