package io.gpuhot.smi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpuhot.support.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what nvidia-smi printed for a {@code --format=csv,noheader,nounits} query into GPU Hot's
 * per-GPU wire objects: values nvidia-smi could not read are left out (never 0, never "N/A"),
 * lost or broken GPUs carry an {@code "error"}, and output that is not data becomes a node-level
 * error instead of a GPU row.
 *
 * <p>Thread-safe. One instance per node keeps the log to one warning per distinct problem.
 */
public final class SmiParser {
  private static final Logger log = LoggerFactory.getLogger(SmiParser.class);
  private static final Set<String> NOT_AVAILABLE =
      Set.of("", "n/a", "not supported", "not available");
  /** GPU indices in numeric order; bus-id keys of lost GPUs without an index come last. */
  private static final Comparator<String> BY_INDEX =
      Comparator.comparingLong(SmiParser::index).thenComparing(Comparator.naturalOrder());

  private final WarnOnce warnings = new WarnOnce(log);

  /** A parser with its own memory of problems already logged. */
  public SmiParser() {}

  /**
   * Parses one nvidia-smi answer to {@code query}; never throws, whatever the bytes.
   *
   * @param exitCode nvidia-smi's exit status; rows are used even when it is not 0
   */
  public SmiResult parse(SmiQuery query, int exitCode, String stdout, String stderr) {
    String err = stderr == null ? "" : stderr;
    var layout = layout(query);
    var rows = new ArrayList<Row>();
    var messages = new ArrayList<String>();
    for (String line : lines(stdout)) {
      Row row = row(layout, line);
      if (row != null) {
        rows.add(row);
      } else if (!line.isBlank()) {
        messages.add(line.trim());
      }
    }
    if (query.target() == SmiQuery.Target.COMPUTE_APPS) {
      return processes(query, exitCode, rows, messages, err);
    }
    return gpus(query, exitCode, rows, messages, err);
  }

  private static List<String> lines(String text) {
    String t = text == null ? "" : text.startsWith("\uFEFF") ? text.substring(1) : text;
    return List.of(t.split("\\R"));
  }

  // ---- columns and rows

  /** The query's columns in order (null where GPU Hot ignores a field) and its free-text column. */
  private record Layout(SmiQuery query, Column[] columns, int freeText, int idColumn) {}

  private Layout layout(SmiQuery query) {
    List<String> fields = query.fields();
    var columns = new Column[fields.size()];
    for (int i = 0; i < columns.length; i++) {
      columns[i] = Column.of(query.target(), fields.get(i));
      if (columns[i] == null) {
        warnings.warn("unknown-field:" + fields.get(i),
            "nvidia-smi field {} has no GPU Hot key; its column is ignored", fields.get(i));
      }
    }
    boolean gpu = query.target() == SmiQuery.Target.GPU;
    return new Layout(query, columns,
        fields.indexOf(gpu ? "name" : "process_name"), fields.indexOf(gpu ? "index" : "pid"));
  }

  /** One parsed line: the wire object, and the error nvidia-smi printed in place of readings. */
  private record Row(ObjectNode values, String error) {}

  /** The line as a row, or null when it is a message (wrong shape, no identity, no values). */
  private Row row(Layout layout, String line) {
    String[] cells = Csv.split(line, layout.columns.length, layout.freeText);
    if (cells == null || (layout.idColumn >= 0 && !isIndex(cells[layout.idColumn]))) {
      return null;
    }
    var values = JsonNodeFactory.instance.objectNode();
    var ranks = new HashMap<String, Integer>();
    var errors = new LinkedHashSet<String>();
    boolean measured = false;
    for (int i = 0; i < cells.length; i++) {
      Column c = layout.columns[i];
      String field = layout.query.fields().get(i);
      if (c == null) {
        continue;
      }
      String marker = marker(cells[i]);
      if (marker != null) {
        if (!NOT_AVAILABLE.contains(marker.toLowerCase(Locale.ROOT))) {
          errors.add(marker);
        }
        continue;
      }
      JsonNode v = value(c, field, cells[i]);
      if (v != null && ranks.getOrDefault(c.key(), Integer.MAX_VALUE) > c.rank()) {
        values.set(c.key(), v);
        ranks.put(c.key(), c.rank());
        measured |= !c.identity();
      }
    }
    if (values.isEmpty()) {
      return null;
    }
    return new Row(values, rowError(values, errors, measured));
  }

  private static boolean isIndex(String cell) {
    return !cell.isEmpty() && cell.length() < 10 && cell.chars().allMatch(Character::isDigit);
  }

  /**
   * The text of a "could not read" cell, or null for a value: nvidia-smi brackets its markers
   * ({@code [N/A]}, {@code [Not Supported]}, {@code [GPU requires reset]}); older drivers and
   * the XML path write bare {@code N/A}; an empty cell says nothing either.
   */
  private static String marker(String cell) {
    if (cell.length() >= 2 && cell.startsWith("[") && cell.endsWith("]")) {
      return cell.substring(1, cell.length() - 1).trim();
    }
    return NOT_AVAILABLE.contains(cell.toLowerCase(Locale.ROOT)) ? cell : null;
  }

  private JsonNode value(Column c, String field, String cell) {
    try {
      return c.read(cell);
    } catch (Column.Rejected e) {
      warnings.warn("rejected:" + field + ":" + e.getMessage(),
          "nvidia-smi {} = \"{}\" is {}; reported as absent", field, Messages.quote(cell),
          e.getMessage());
      return null;
    }
  }

  /**
   * The GPU-level error of a row, or null. A reset or lost GPU is broken as a whole; other error
   * markers break it only when nothing but identity fields could be read, because one failing
   * sensor does not make a GPU unusable.
   */
  private String rowError(ObjectNode values, Set<String> errors, boolean measured) {
    if (errors.isEmpty()) {
      return null;
    }
    String joined = String.join("; ", errors);
    String lower = joined.toLowerCase(Locale.ROOT);
    if (!measured || lower.contains("reset") || lower.contains("lost")) {
      return joined;
    }
    warnings.warn("field-error:" + values.path("index").asText() + ":" + joined,
        "nvidia-smi reported \"{}\" for some fields of GPU {}; those fields are absent",
        Messages.quote(joined), values.path("index").asText("?"));
    return null;
  }

  // ---- GPU results

  private SmiResult gpus(
      SmiQuery query, int exit, List<Row> rows, List<String> messages, String stderr) {
    var gpus = new HashMap<String, ObjectNode>();
    var errors = new HashMap<String, String>();
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      String key = r.values.has("index") ? r.values.get("index").asText() : Integer.toString(i);
      if (gpus.putIfAbsent(key, r.values) != null) {
        warnings.warn("duplicate:" + key, "nvidia-smi printed GPU {} twice; kept the first", key);
        continue;
      }
      addReserved(r.values);
      if (r.error != null) {
        markBroken(r.values, errors, key, r.error);
        warnings.warn("broken:" + key + ":" + r.error, "nvidia-smi cannot read GPU {}: {}",
            key, Messages.quote(r.error));
      }
    }
    addLost(gpus, errors, messages, stderr);
    if (!rows.isEmpty()) {
      warnUnexplained(exit, messages);
    }
    var sorted = new LinkedHashMap<String, ObjectNode>();
    gpus.keySet().stream().sorted(BY_INDEX).forEach(k -> sorted.put(k, finish(gpus.get(k))));
    var sortedErrors = new LinkedHashMap<String, String>();
    errors.keySet().stream().sorted(BY_INDEX).forEach(k -> sortedErrors.put(k, errors.get(k)));
    String error = sorted.isEmpty() ? Messages.noGpus(exit, messages, stderr) : null;
    return new SmiResult(query, sorted, List.of(), sortedErrors, error, false, Duration.ZERO);
  }

  /**
   * Adds {@code memory_reserved} when nvidia-smi's own numbers leave a gap: recent drivers keep
   * a slice of the framebuffer, so used + free is short of total. The reported values stay as
   * they are; deriving free as total - used would over-state it.
   */
  private static void addReserved(ObjectNode gpu) {
    JsonNode used = gpu.get("memory_used");
    JsonNode total = gpu.get("memory_total");
    JsonNode free = gpu.get("memory_free");
    if (used == null || total == null || free == null || gpu.has("memory_reserved")) {
      return;
    }
    if (used.isIntegralNumber() && total.isIntegralNumber() && free.isIntegralNumber()) {
      long gap = total.asLong() - used.asLong() - free.asLong();
      if (gap > 0) {
        gpu.put("memory_reserved", gap);
      }
    } else {
      double gap = total.asDouble() - used.asDouble() - free.asDouble();
      if (gap > 0) {
        gpu.put("memory_reserved", gap);
      }
    }
  }

  private static void markBroken(
      ObjectNode gpu, Map<String, String> errors, String key, String reason) {
    gpu.put("error", reason);
    errors.put(key, reason);
  }

  /** Adds the GPUs that nvidia-smi named in "Unable to determine the device handle" lines. */
  private void addLost(
      Map<String, ObjectNode> gpus, Map<String, String> errors, List<String> messages,
      String stderr) {
    var candidates = new ArrayList<>(messages);
    candidates.addAll(lines(stderr));
    for (String line : candidates) {
      Messages.LostGpu lost = Messages.lost(line);
      if (lost == null) {
        continue;
      }
      // Without an index in the message the bus id is the only stable name for the GPU.
      String key = lost.index() != null ? lost.index() : lost.busId();
      ObjectNode gpu = gpus.computeIfAbsent(key, k -> lostGpu(lost));
      markBroken(gpu, errors, key, lost.reason());
      warnings.warn("lost:" + key + ":" + lost.reason(),
          "nvidia-smi cannot reach the GPU at {}{}: {}", lost.busId(),
          lost.index() == null ? "" : " (index " + lost.index() + ")", lost.reason());
    }
  }

  /** Rows were usable, yet something else went wrong: say so once, then use the rows. */
  private void warnUnexplained(int exit, List<String> messages) {
    String said = messages.stream().filter(m -> Messages.lost(m) == null).findFirst().orElse("");
    if (!said.isEmpty()) {
      warnings.warn("rows-with-message:" + exit + ":" + said,
          "nvidia-smi exited {} and printed \"{}\" besides its GPU rows; using the rows",
          exit, Messages.quote(said));
    } else if (exit != 0) {
      warnings.warn("rows-with-exit:" + exit,
          "nvidia-smi exited {} although it printed GPU rows; using the rows", exit);
    }
  }

  private static ObjectNode lostGpu(Messages.LostGpu lost) {
    ObjectNode gpu = Json.object();
    if (lost.index() != null) {
      gpu.put("index", lost.index());
    }
    gpu.put("pci_bus_id", lost.busId());
    return gpu;
  }

  private static ObjectNode finish(ObjectNode gpu) {
    gpu.put("_fallback_mode", true);
    return gpu;
  }

  private static long index(String key) {
    return isIndex(key) ? Long.parseLong(key) : Long.MAX_VALUE;
  }

  // ---- process results

  private static SmiResult processes(
      SmiQuery query, int exit, List<Row> rows, List<String> messages, String stderr) {
    var list = new ArrayList<ObjectNode>();
    for (Row r : rows) {
      list.add(r.values);
    }
    // No rows with exit 0 is the normal "no compute process" answer.
    String error = rows.isEmpty() && exit != 0 ? Messages.noGpus(exit, messages, stderr) : null;
    return new SmiResult(query, Map.of(), list, Map.of(), error, false, Duration.ZERO);
  }
}
