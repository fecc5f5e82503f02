package dev.fusebox.ops.alu;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reads the text {@link Expr#toString()} prints: {@code add(x0, mul(x1, 0.5))}. */
public final class ExprParser {
  private final String text;
  private int pos;

  private ExprParser(String text) {
    this.text = text;
  }

  public static Expr parse(String text) {
    ExprParser p = new ExprParser(text);
    Expr e = p.expr();
    p.skipSpace();
    if (p.pos != text.length()) throw p.error("unexpected '" + text.substring(p.pos) + "'");
    return e;
  }

  private Expr expr() {
    skipSpace();
    int start = pos;
    while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || "+-.".indexOf(text.charAt(pos)) >= 0)) pos++;
    String word = text.substring(start, pos);
    if (word.isEmpty()) throw error("expected an expression");
    if (word.matches("x\\d+")) {
      try {
        return Expr.x(Integer.parseInt(word.substring(1)));
      } catch (NumberFormatException e) {
        throw errorAt(start, "input index '" + word + "' is too large");
      }
    }
    if (Character.isDigit(word.charAt(0)) || word.charAt(0) == '-' || word.charAt(0) == '+' || word.charAt(0) == '.'
        || word.equals("Infinity")) {
      try {
        return Expr.c(Double.parseDouble(word));
      } catch (NumberFormatException e) {
        throw errorAt(start, "'" + word + "' is not a number");
      }
    }
    Alu op;
    try {
      op = Alu.valueOf(word.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw errorAt(start, "unknown primitive '" + word + "'");
    }
    if (op == Alu.INPUT || op == Alu.CONST) {
      throw errorAt(start, "'" + word + "' is not a function: write inputs as x0, x1, ... and constants as numbers");
    }
    skipSpace();
    expect('(');
    List<Expr> args = new ArrayList<>();
    skipSpace();
    if (peek() != ')') {
      args.add(expr());
      skipSpace();
      while (peek() == ',') {
        pos++;
        args.add(expr());
        skipSpace();
      }
    }
    expect(')');
    if (args.size() != op.arity()) throw error(word + " takes " + op.arity() + " arguments, got " + args.size());
    return Expr.of(op, args.toArray(new Expr[0]));
  }

  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private void expect(char c) {
    if (peek() != c) throw error("expected '" + c + "'");
    pos++;
  }

  private void skipSpace() {
    while (pos < text.length() && text.charAt(pos) == ' ') pos++;
  }

  private IllegalArgumentException error(String what) {
    return errorAt(pos, what);
  }

  private IllegalArgumentException errorAt(int column, String what) {
    return new IllegalArgumentException("expression '" + text + "' at column " + (column + 1) + ": " + what);
  }
}
