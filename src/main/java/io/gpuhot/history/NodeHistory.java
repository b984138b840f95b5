package io.gpuhot.history;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Recent history of one node's main figures, kept in memory whether or not anyone watches:
 * every sample for the last {@link #RAW_SAMPLES} samples (15 minutes at 0.5 s), 10-second
 * averages for 2 hours and 1-minute averages for 24 hours. Values are 16-bit, so a GPU costs
 * {@link #bytesPerGpu()} bytes whatever happens. Not thread-safe: the owner's loop calls it.
 */
public final class NodeHistory {
  public static final int RAW_SAMPLES = 1800;
  static final int TEN_SECOND_POINTS = 720;
  static final int MINUTE_POINTS = 1440;
  private static final String HOST = "host";
  private static final int HOST_CHANNELS = 2;

  private final List<Ring> rings = List.of(
      new Ring(0, RAW_SAMPLES, Metric.values().length, HOST_CHANNELS),
      new Ring(10_000, TEN_SECOND_POINTS, Metric.values().length, HOST_CHANNELS),
      new Ring(60_000, MINUTE_POINTS, Metric.values().length, HOST_CHANNELS));
  private long last = Long.MIN_VALUE;
  /** Reused between samples: rings copy what they need at once. */
  private final Map<String, short[]> scratch = new HashMap<>();
  private final Map<String, String> seriesKeys = new HashMap<>();

  /** Bytes one GPU's history takes once every ring is full. */
  public static long bytesPerGpu() {
    return (long) Metric.values().length * Short.BYTES
        * (RAW_SAMPLES + TEN_SECOND_POINTS + MINUTE_POINTS);
  }

  /** Records one sample taken at {@code tMs}; samples out of order are ignored. */
  public void record(long tMs, Map<String, ObjectNode> gpus, ObjectNode system) {
    if (tMs <= last) {
      return;
    }
    last = tMs;
    var values = scratch;
    if (values.size() != gpus.size() + 1) {
      values.clear();
    }
    for (var gpu : gpus.entrySet()) {
      String key = seriesKeys.computeIfAbsent(gpu.getKey(), id -> "gpu:" + id);
      short[] v = values.computeIfAbsent(key, k -> new short[METRICS.length]);
      for (Metric m : METRICS) {
        v[m.ordinal()] = m.encode(m.read(gpu.getValue()));
      }
    }
    short[] host = values.computeIfAbsent(HOST, k -> new short[HOST_CHANNELS]);
    host[0] = Metric.UTIL.encode(num(system, "cpu_percent"));
    host[1] = Metric.UTIL.encode(num(system, "memory_percent"));
    if (values.size() != gpus.size() + 1) {
      values.keySet().removeIf(k -> !k.equals(HOST) && !gpus.containsKey(k.substring(4)));
    }
    for (Ring r : rings) {
      r.add(tMs, values);
    }
  }

  private static final Metric[] METRICS = Metric.values();

  private static double num(ObjectNode o, String f) {
    JsonNode n = o.get(f);
    return n != null && n.isNumber() ? n.asDouble() : Double.NaN;
  }

  /**
   * The finest ring that covers the range back from the newest sample, give or take a little
   * (1800 samples at 0.5 s span 899.5 s, which still serves a 15-minute chart).
   */
  Ring ringFor(long rangeMs) {
    long from = last - rangeMs + Math.max(5_000, rangeMs / 100);
    for (Ring r : rings) {
      if (r.size() > 0 && (r.oldest() <= from || r.size() < r.capacity())) {
        return r;
      }
    }
    return rings.get(rings.size() - 1);
  }

  /**
   * Writes {@code {"step_s":…, "t":[…], "gpus":{id:{metric:[…]}}, "host":{"cpu":[…],"ram":[…]}}}
   * for the last {@code rangeMs}, times in epoch seconds, missing values as null.
   *
   * @param gpu only this GPU, or null for every GPU
   */
  public void write(JsonGenerator g, long rangeMs, String gpu, Set<Metric> metrics)
      throws IOException {
    Ring r = ringFor(rangeMs);
    long from = last - rangeMs;
    int first = 0;
    while (first < r.size() && r.time(first) < from) {
      first++;
    }
    g.writeStartObject();
    g.writeNumberField("step_s", r.bucketMs() / 1000.0);
    g.writeArrayFieldStart("t");
    for (int i = first; i < r.size(); i++) {
      g.writeNumber(seconds(r.time(i) + r.bucketMs() / 2));
    }
    g.writeEndArray();
    g.writeObjectFieldStart("gpus");
    var ids = new TreeSet<String>((a, b) -> compareIds(a, b));
    for (String key : r.keys()) {
      if (key.startsWith("gpu:")) {
        ids.add(key.substring(4));
      }
    }
    for (String id : ids) {
      if (gpu != null && !gpu.equals(id)) {
        continue;
      }
      g.writeObjectFieldStart(id);
      short[][] cols = r.series("gpu:" + id);
      for (Metric m : metrics) {
        writeColumn(g, m.key(), r, cols[m.ordinal()], first, m);
      }
      g.writeEndObject();
    }
    g.writeEndObject();
    short[][] host = r.series(HOST);
    g.writeObjectFieldStart("host");
    if (host != null) {
      writeColumn(g, "cpu", r, host[0], first, Metric.UTIL);
      writeColumn(g, "ram", r, host[1], first, Metric.UTIL);
    }
    g.writeEndObject();
    g.writeEndObject();
  }

  /** Epoch milliseconds as seconds in plain notation, such as {@code 1796378400.123}. */
  static String seconds(long ms) {
    long rest = Math.floorMod(ms, 1000L);
    return Math.floorDiv(ms, 1000L) + "." + (rest < 10 ? "00" : rest < 100 ? "0" : "") + rest;
  }

  private static void writeColumn(JsonGenerator g, String name, Ring r, short[] col, int first,
      Metric scale) throws IOException {
    g.writeArrayFieldStart(name);
    for (int i = first; i < r.size(); i++) {
      double v = scale.decode(col[r.index(i)]);
      if (Double.isNaN(v)) {
        g.writeNull();
      } else {
        g.writeNumber(Math.round(v * 10) / 10.0);
      }
    }
    g.writeEndArray();
  }

  private static int compareIds(String a, String b) {
    try {
      return Integer.compare(Integer.parseInt(a), Integer.parseInt(b));
    } catch (NumberFormatException e) {
      return a.compareTo(b);
    }
  }

  /** Every metric, for callers that do not choose. */
  public static Set<Metric> allMetrics() {
    return EnumSet.allOf(Metric.class);
  }

  /** Parses a comma-separated metric list; unknown names are an error. */
  public static Set<Metric> parseMetrics(String list) {
    if (list == null || list.isBlank() || list.equals("all")) {
      return allMetrics();
    }
    var out = EnumSet.noneOf(Metric.class);
    var unknown = new ArrayList<String>();
    for (String s : list.split(",")) {
      Metric m = Metric.byKey(s.trim());
      if (m == null) {
        unknown.add(s.trim());
      } else {
        out.add(m);
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown metric " + unknown + "; known: util, temp, mem, "
          + "power, fan, clock");
    }
    return out;
  }

  /** Bytes held now. */
  public long bytes() {
    long b = 0;
    for (Ring r : rings) {
      b += r.bytes();
    }
    return b;
  }
}
