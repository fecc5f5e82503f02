package dev.fusebox.ops;

import java.util.Locale;

/** What a reduction reduces over. Per-row and per-column results keep their dimension so they broadcast back. */
public enum Axis {
  /** Every element: the result is a scalar {@code []}. */
  ALL,
  /** Along each row (over the columns): {@code [r, c] → [r, 1]}. */
  PER_ROW,
  /** Down each column (over the rows): {@code [r, c] → [1, c]}. */
  PER_COLUMN;

  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }
}
