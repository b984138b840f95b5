package io.gpuhot.smi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How one nvidia-smi field becomes one key of GPU Hot's wire format, and which raw values are
 * believable for it.
 *
 * @param key the wire-format key
 * @param kind how the text is read
 * @param min smallest plausible value (numbers only)
 * @param max largest plausible value (numbers only)
 * @param rank when several fields feed one key, the lower rank wins (power.draw over its variants)
 * @param identity whether the field names the device rather than measuring it
 */
record Column(String key, Kind kind, double min, double max, int rank, boolean identity) {

  /** How the raw text of a column is read. */
  enum Kind {
    /** Kept verbatim (names, versions, modes). */
    TEXT,
    /** A non-negative integer kept as a string (index, PCIe generation/width, pid). */
    DIGITS,
    /** A number; integral text becomes a JSON integer, anything else a double. */
    NUMBER,
    /** A performance state "P0".."P15". */
    PSTATE
  }

  /**
   * Values at or above this are "blank"/"not available" markers rather than readings: DCGM's
   * int32 blank 0x7FFFFFF0, its int64 and double blanks, and NVML's 2^64-1 are all larger, while
   * no real reading of a queried field (MiB, MHz, W, microseconds) gets near it.
   */
  static final double SENTINEL = 0x7FFFFFF0;

  private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  private static final Pattern DIGITS_TEXT = Pattern.compile("\\d+");
  private static final Pattern PSTATE_TEXT = Pattern.compile("P(\\d|1[0-5])");

  private static final Map<String, Column> GPU = new HashMap<>();
  private static final Map<String, Column> PROCESS = new HashMap<>();

  static {
    ident(GPU, "index", "index", Kind.DIGITS);
    ident(GPU, "name", "name", Kind.TEXT);
    ident(GPU, "uuid", "uuid", Kind.TEXT);
    ident(GPU, "driver_version", "driver_version", Kind.TEXT);
    ident(GPU, "vbios_version", "vbios_version", Kind.TEXT);
    ident(GPU, "pci.bus_id", "pci_bus_id", Kind.TEXT);
    number(GPU, "temperature.gpu", "temperature", -40, 150);
    percent(GPU, "utilization.gpu", "utilization");
    percent(GPU, "utilization.memory", "memory_utilization");
    percent(GPU, "utilization.encoder", "encoder_utilization");
    percent(GPU, "utilization.decoder", "decoder_utilization");
    amount(GPU, "memory.used", "memory_used");
    amount(GPU, "memory.total", "memory_total");
    amount(GPU, "memory.free", "memory_free");
    amount(GPU, "memory.reserved", "memory_reserved");
    amount(GPU, "power.draw", "power_draw");
    // Newer drivers split power.draw; on Turing the average is [N/A] and only instant is numeric.
    GPU.put("power.draw.average", new Column("power_draw", Kind.NUMBER, 0, SENTINEL, 1, false));
    GPU.put("power.draw.instant", new Column("power_draw", Kind.NUMBER, 0, SENTINEL, 2, false));
    amount(GPU, "power.limit", "power_limit");
    // NVML documents that fan speed may exceed 100 % of the nominal maximum.
    number(GPU, "fan.speed", "fan_speed", 0, 200);
    amount(GPU, "clocks.gr", "clock_graphics");
    amount(GPU, "clocks.sm", "clock_sm");
    amount(GPU, "clocks.mem", "clock_memory");
    amount(GPU, "clocks.video", "clock_video");
    amount(GPU, "clocks.max.gr", "clock_graphics_max");
    amount(GPU, "clocks.max.sm", "clock_sm_max");
    amount(GPU, "clocks.max.mem", "clock_memory_max");
    measured(GPU, "pcie.link.gen.current", "pcie_gen", Kind.DIGITS);
    measured(GPU, "pcie.link.gen.max", "pcie_gen_max", Kind.DIGITS);
    measured(GPU, "pcie.link.width.current", "pcie_width", Kind.DIGITS);
    measured(GPU, "pcie.link.width.max", "pcie_width_max", Kind.DIGITS);
    amount(GPU, "encoder.stats.sessionCount", "encoder_sessions");
    amount(GPU, "encoder.stats.averageFps", "encoder_fps");
    amount(GPU, "encoder.stats.averageLatency", "encoder_latency");
    measured(GPU, "pstate", "performance_state", Kind.PSTATE);
    measured(GPU, "compute_mode", "compute_mode", Kind.TEXT);
    measured(GPU, "mig.mode.current", "mig_mode_current", Kind.TEXT);
    measured(GPU, "mig.mode.pending", "mig_mode_pending", Kind.TEXT);
    ident(PROCESS, "pid", "pid", Kind.DIGITS);
    ident(PROCESS, "process_name", "name", Kind.TEXT);
    ident(PROCESS, "gpu_uuid", "gpu_uuid", Kind.TEXT);
    ident(PROCESS, "gpu_bus_id", "pci_bus_id", Kind.TEXT);
    amount(PROCESS, "used_gpu_memory", "memory");
    amount(PROCESS, "used_memory", "memory");
  }

  private static void ident(Map<String, Column> m, String field, String key, Kind kind) {
    m.put(field, new Column(key, kind, 0, 0, 0, true));
  }

  private static void measured(Map<String, Column> m, String field, String key, Kind kind) {
    m.put(field, new Column(key, kind, 0, 0, 0, false));
  }

  private static void number(Map<String, Column> m, String f, String key, double min, double max) {
    m.put(f, new Column(key, Kind.NUMBER, min, max, 0, false));
  }

  private static void percent(Map<String, Column> m, String field, String key) {
    number(m, field, key, 0, 100);
  }

  private static void amount(Map<String, Column> m, String field, String key) {
    number(m, field, key, 0, SENTINEL);
  }

  /** The column for a field of the given query target, or null when GPU Hot does not use it. */
  static Column of(SmiQuery.Target target, String field) {
    return (target == SmiQuery.Target.GPU ? GPU : PROCESS).get(field);
  }

  /** Why a raw value was not used; {@link #read} reports it through {@link Rejected}. */
  static final class Rejected extends Exception {
    Rejected(String why) {
      super(why, null, false, false);
    }
  }

  /**
   * Reads a raw cell that is not a not-available marker. Locale-independent on purpose: nvidia-smi
   * writes '.' decimals whatever the JVM's default locale says.
   */
  JsonNode read(String raw) throws Rejected {
    switch (kind) {
      case TEXT:
        return JsonNodeFactory.instance.textNode(raw);
      case DIGITS:
        return matched(DIGITS_TEXT, raw, "not a whole number");
      case PSTATE:
        return matched(PSTATE_TEXT, raw, "not a performance state");
      default:
        return numeric(raw);
    }
  }

  private static JsonNode matched(Pattern p, String raw, String why) throws Rejected {
    if (!p.matcher(raw).matches()) {
      throw new Rejected(why);
    }
    return JsonNodeFactory.instance.textNode(raw);
  }

  private JsonNode numeric(String raw) throws Rejected {
    if (INTEGER.matcher(raw).matches()) {
      BigInteger big = new BigInteger(raw);
      checkRange(big.doubleValue());
      long v = big.longValueExact();
      return v == (int) v
          ? JsonNodeFactory.instance.numberNode((int) v)
          : JsonNodeFactory.instance.numberNode(v);
    }
    if (DECIMAL.matcher(raw).matches()) {
      double v = Double.parseDouble(raw);
      checkRange(v);
      return JsonNodeFactory.instance.numberNode(v);
    }
    throw new Rejected("not a number");
  }

  private void checkRange(double v) throws Rejected {
    if (!Double.isFinite(v) || Math.abs(v) >= SENTINEL) {
      throw new Rejected("a blank/sentinel value");
    }
    if (v < min || v > max) {
      throw new Rejected(max == SENTINEL ? "negative"
          : "outside the plausible range " + plain(min) + ".." + plain(max));
    }
  }

  private static String plain(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
