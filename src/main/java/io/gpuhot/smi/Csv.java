package io.gpuhot.smi;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one line of nvidia-smi's CSV. nvidia-smi does not quote: a comma inside a value is
 * indistinguishable from a separator, so the known column count decides, and only the free-text
 * column (the product or process name) may absorb the surplus.
 */
final class Csv {
  private Csv() {}

  /**
   * The trimmed cells of {@code line}, or null when it does not have {@code columns} cells and
   * no free-text column can take the extra separators.
   *
   * @param freeText index of the column allowed to contain commas, or -1
   */
  static String[] split(String line, int columns, int freeText) {
    List<Integer> commas = new ArrayList<>();
    for (int i = line.indexOf(','); i >= 0; i = line.indexOf(',', i + 1)) {
      commas.add(i);
    }
    int surplus = commas.size() + 1 - columns;
    if (surplus < 0 || (surplus > 0 && freeText < 0)) {
      return null;
    }
    var cells = new String[columns];
    for (int c = 0; c < columns; c++) {
      // Cells after the free-text one are counted from the end of the line.
      int first = c <= freeText || freeText < 0 ? c : c + surplus;
      int last = c == freeText ? c + surplus : first;
      int from = first == 0 ? 0 : commas.get(first - 1) + 1;
      int to = last == commas.size() ? line.length() : commas.get(last);
      cells[c] = line.substring(from, to).strip();
    }
    return cells;
  }
}
