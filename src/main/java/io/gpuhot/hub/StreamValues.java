package io.gpuhot.hub;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * How node values appear in the dashboard stream (protocol 2): a few fields that change on every
 * sample but that no one reads at full precision are rounded (power to 0.1 W, memory to 1 MiB,
 * PCIe throughput to three significant digits), and fields the browser derives or does not need
 * (per-GPU timestamps, the energy counter in joules next to the one in Wh) are left out. Only the
 * dashboard stream is shaped this way; the hub's state and its original-format stream stay as the
 * node sent them.
 */
final class StreamValues {
  private static final Set<String> SKIPPED =
      Set.of("timestamp", "energy_consumption", "memory_change_rate");
  private static final Map<String, Integer> DECIMALS =
      Map.ofEntries(
          Map.entry("power_draw", 1),
          Map.entry("power_limit", 1),
          Map.entry("power_default_limit", 1),
          Map.entry("power_limit_min", 1),
          Map.entry("power_limit_max", 1),
          Map.entry("memory_used", 0),
          Map.entry("memory_total", 0),
          Map.entry("memory_free", 0),
          Map.entry("energy_consumption_wh", 0));
  private static final Set<String> SIGNIFICANT_3 =
      Set.of("pcie_tx_throughput", "pcie_rx_throughput");

  private StreamValues() {}

  static boolean skipped(String key) {
    return SKIPPED.contains(key);
  }

  /** Whether two values look the same in the stream (after rounding). */
  static boolean same(String key, JsonNode a, JsonNode b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a.isNumber() && b.isNumber() && shaped(key)) {
      return shape(key, a.asDouble()) == shape(key, b.asDouble());
    }
    return a.equals(b);
  }

  static void write(JsonGenerator g, String key, JsonNode v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v.isNumber() && shaped(key)) {
      writeNumber(g, shape(key, v.asDouble()));
    } else {
      g.writeTree(v);
    }
  }

  /** Writes every streamed field of an object. */
  static void writeObject(JsonGenerator g, JsonNode obj) throws IOException {
    g.writeStartObject();
    for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
      var e = it.next();
      if (!skipped(e.getKey())) {
        g.writeFieldName(e.getKey());
        write(g, e.getKey(), e.getValue());
      }
    }
    g.writeEndObject();
  }

  /** Whether any streamed field differs between two versions of an object. */
  static boolean changed(JsonNode before, JsonNode after) {
    for (Iterator<Map.Entry<String, JsonNode>> it = after.fields(); it.hasNext(); ) {
      var e = it.next();
      if (!skipped(e.getKey()) && !same(e.getKey(), before.get(e.getKey()), e.getValue())) {
        return true;
      }
    }
    for (Iterator<String> it = before.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!skipped(k) && !after.has(k)) {
        return true;
      }
    }
    return false;
  }

  /** Writes the fields that changed; a field that disappeared is written as null. */
  static void writeChanges(JsonGenerator g, JsonNode before, JsonNode after) throws IOException {
    g.writeStartObject();
    for (Iterator<Map.Entry<String, JsonNode>> it = after.fields(); it.hasNext(); ) {
      var e = it.next();
      String k = e.getKey();
      if (!skipped(k) && !same(k, before.get(k), e.getValue())) {
        g.writeFieldName(k);
        write(g, k, e.getValue());
      }
    }
    for (Iterator<String> it = before.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!skipped(k) && !after.has(k)) {
        g.writeNullField(k);
      }
    }
    g.writeEndObject();
  }

  private static boolean shaped(String key) {
    return DECIMALS.containsKey(key) || SIGNIFICANT_3.contains(key);
  }

  static double shape(String key, double v) {
    Integer decimals = DECIMALS.get(key);
    if (decimals != null) {
      double scale = decimals == 0 ? 1 : Math.pow(10, decimals);
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
