package io.gpuhot.hub;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * How node values appear in the dashboard stream (protocol 2): a few fields that change on every
 * sample but that no one reads at full precision are rounded (power to 0.1 W, memory to 1 MiB,
 * PCIe throughput to three significant digits), and fields the browser derives or does not need
 * (per-GPU timestamps, the energy counter in joules next to the one in Wh) are left out. Only the
 * dashboard stream is shaped this way; the hub's state and its original-format stream stay as the
 * node sent them.
 *
 * <p>Every known field name maps to one {@link Field}, so the delta loop does one hash lookup per
 * field whatever it needs to know about it.
 */
final class StreamValues {
  /** What the stream does with one field name. */
  record Field(boolean skipped, int decimals, boolean threeDigits, boolean cardGpu,
      boolean cardSystem) {
    static final Field PLAIN = new Field(false, -1, false, false, false);

    boolean shaped() {
      return decimals >= 0 || threeDigits;
    }
  }

  private static final Map<String, Field> FIELDS = new HashMap<>();

  static {
    for (String k : List.of("timestamp", "energy_consumption", "memory_change_rate")) {
      FIELDS.put(k, new Field(true, -1, false, false, false));
    }
    for (String k : List.of("index", "name", "uuid", "utilization", "temperature",
        "temperature_slowdown", "fan_speed", "clock_graphics", "clock_memory",
        "performance_state", "throttle_reasons", "_fallback_mode", "error")) {
      FIELDS.put(k, new Field(false, -1, false, true, false));
    }
    for (String k : List.of("power_draw", "power_limit")) {
      FIELDS.put(k, new Field(false, 1, false, true, false));
    }
    for (String k : List.of("memory_used", "memory_total")) {
      FIELDS.put(k, new Field(false, 0, false, true, false));
    }
    for (String k : List.of("power_default_limit", "power_limit_min", "power_limit_max")) {
      FIELDS.put(k, new Field(false, 1, false, false, false));
    }
    for (String k : List.of("memory_free", "energy_consumption_wh")) {
      FIELDS.put(k, new Field(false, 0, false, false, false));
    }
    for (String k : List.of("pcie_tx_throughput", "pcie_rx_throughput")) {
      FIELDS.put(k, new Field(false, -1, true, false, false));
    }
    for (String k : List.of("cpu_percent", "cpu_count", "memory_percent", "memory_used_gb",
        "memory_total_gb", "load_avg_1", "net_bytes_recv", "disk_read_bytes")) {
      FIELDS.put(k, new Field(false, -1, false, false, true));
    }
  }

  private StreamValues() {}

  static Field field(String key) {
    return FIELDS.getOrDefault(key, Field.PLAIN);
  }

  static boolean skipped(String key) {
    return field(key).skipped();
  }

  /** Whether two values look the same in the stream (after rounding). */
  static boolean same(Field f, JsonNode a, JsonNode b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (f.shaped() && a.isNumber() && b.isNumber()) {
      return shape(f, a.asDouble()) == shape(f, b.asDouble());
    }
    return a.equals(b);
  }

  static void write(JsonGenerator g, Field f, JsonNode v) throws IOException {
    if (v == null || v.isNull()) {
      g.writeNull();
    } else if (f.shaped() && v.isNumber()) {
      writeNumber(g, shape(f, v.asDouble()));
    } else {
      g.writeTree(v);
    }
  }

  /** Writes the fields of an object that the tier carries. */
  static void writeObject(JsonGenerator g, JsonNode obj, Tier tier, boolean system)
      throws IOException {
    g.writeStartObject();
    for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
      var e = it.next();
      Field f = field(e.getKey());
      if (tier.carries(f, system)) {
        g.writeFieldName(e.getKey());
        write(g, f, e.getValue());
      }
    }
    g.writeEndObject();
  }

  /** Whether any of the changes shows in the tier, after rounding. */
  static boolean carriesAny(List<Changes.Field> changes, Tier tier, boolean system) {
    for (var c : changes) {
      Field f = field(c.key());
      if (tier.carries(f, system) && !same(f, c.before(), c.after())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Writes, under {@code name}, the changes that show in the tier after rounding ({@code null}
   * for a field that is gone); writes nothing when none do. Returns whether it wrote.
   */
  static boolean writeChanges(JsonGenerator g, String name, List<Changes.Field> changes,
      Tier tier, boolean system) throws IOException {
    boolean open = false;
    for (var c : changes) {
      Field f = field(c.key());
      if (!tier.carries(f, system) || same(f, c.before(), c.after())) {
        continue;
      }
      if (!open) {
        g.writeObjectFieldStart(name);
        open = true;
      }
      g.writeFieldName(c.key());
      write(g, f, c.after());
    }
    if (open) {
      g.writeEndObject();
    }
    return open;
  }

  static double shape(Field f, double v) {
    if (f.decimals() >= 0) {
      double scale = f.decimals() == 0 ? 1 : Math.pow(10, f.decimals());
      return Math.round(v * scale) / scale;
    }
    if (Math.abs(v) < 1000 || !Double.isFinite(v)) {
      return Double.isFinite(v) ? Math.round(v) : v;
    }
    double magnitude = Math.pow(10, Math.floor(Math.log10(Math.abs(v))) - 2);
    return Math.round(v / magnitude) * magnitude;
  }

  static void writeNumber(JsonGenerator g, double v) throws IOException {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      g.writeNumber((long) v);
    } else {
      g.writeNumber(v);
    }
  }
}
