package io.gpuhot.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The per-GPU figures kept as history, each stored as a 16-bit value at a fixed scale. A reading
 * the GPU does not report is stored as "missing", never as 0.
 */
public enum Metric {
  UTIL("util", 100) {
    @Override
    double read(ObjectNode gpu) {
      return num(gpu, "utilization");
    }
  },
  TEMP("temp", 100) {
    @Override
    double read(ObjectNode gpu) {
      return num(gpu, "temperature");
    }
  },
  MEM("mem", 100) {
    @Override
    double read(ObjectNode gpu) {
      double used = num(gpu, "memory_used");
      double total = num(gpu, "memory_total");
      return total > 0 ? used / total * 100 : Double.NaN;
    }
  },
  POWER("power", 10) {
    @Override
    double read(ObjectNode gpu) {
      return num(gpu, "power_draw");
    }
  },
  FAN("fan", 100) {
    @Override
    double read(ObjectNode gpu) {
      return num(gpu, "fan_speed");
    }
  },
  CLOCK("clock", 1) {
    @Override
    double read(ObjectNode gpu) {
      return num(gpu, "clock_graphics");
    }
  };

  /** Stored for a reading that is absent. */
  static final short MISSING = Short.MIN_VALUE;

  private final String key;
  private final double scale;

  Metric(String key, double scale) {
    this.key = key;
    this.scale = scale;
  }

  public String key() {
    return key;
  }

  abstract double read(ObjectNode gpu);

  short encode(double v) {
    if (Double.isNaN(v)) {
      return MISSING;
    }
    long s = Math.round(v * scale);
    return (short) Math.max(Short.MIN_VALUE + 1, Math.min(Short.MAX_VALUE, s));
  }

  double decode(int stored) {
    return stored == MISSING ? Double.NaN : stored / scale;
  }

  private static double num(ObjectNode gpu, String field) {
    JsonNode n = gpu.get(field);
    return n != null && n.isNumber() ? n.asDouble() : Double.NaN;
  }

  public static Metric byKey(String key) {
    for (Metric m : values()) {
      if (m.key.equals(key)) {
        return m;
      }
    }
    return null;
  }
}
