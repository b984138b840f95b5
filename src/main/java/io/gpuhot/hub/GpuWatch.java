package io.gpuhot.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Turns one GPU's samples into events, with enough hysteresis that a value hovering at a limit
 * does not flood the log: throttling must be seen in two samples running to start (a power cap
 * alone, routine under full load, must last 30 s) and be gone for ten seconds to end; temperature
 * and memory clear a few points below where they started.
 */
final class GpuWatch {
  static final double DEFAULT_HOT_C = 85;
  static final double MEMORY_FULL = 0.95;
  static final double MEMORY_CLEAR = 0.92;
  static final long THROTTLE_CLEAR_MS = 10_000;
  /** A power cap alone is routine under load; it becomes an event only when it lasts. */
  static final long POWER_CAP_EVENT_MS = 30_000;

  /** What the watch found, for the caller to log. */
  record Finding(String severity, String kind, String message, boolean active) {}

  private int throttleSamples;
  private long throttleSinceMs = -1;
  private String throttleReasons;
  private long clearSinceMs = -1;
  private boolean hot;
  private boolean memoryFull;
  private String error;

  void observe(ObjectNode gpu, long nowMs, Consumer<Finding> out) {
    watchError(gpu, out);
    if (error != null) {
      return;
    }
    watchThrottle(gpu.path("throttle_reasons").asText("None"), nowMs, out);
    watchTemperature(gpu, out);
    watchMemory(gpu, out);
  }

  private void watchError(ObjectNode gpu, Consumer<Finding> out) {
    String now = gpu.hasNonNull("error") ? gpu.get("error").asText() : null;
    if (now != null && !now.equals(error)) {
      out.accept(new Finding("critical", "gpu_error", "GPU failed: " + now, true));
    } else if (now == null && error != null) {
      out.accept(new Finding("info", "gpu_error", "GPU reports again", false));
    }
    error = now;
  }

  private void watchThrottle(String reasons, long nowMs, Consumer<Finding> out) {
    boolean on = !reasons.isBlank() && !reasons.equals("None");
    if (on) {
      clearSinceMs = -1;
      throttleSamples++;
      if (throttleSinceMs < 0) {
        throttleSinceMs = nowMs;
      }
      long needed = severity(reasons).equals("info") ? POWER_CAP_EVENT_MS : 0;
      if (throttleReasons == null && throttleSamples >= 2 && nowMs - throttleSinceMs >= needed) {
        throttleReasons = reasons;
        out.accept(new Finding(severity(reasons), "throttle", "throttling: " + reasons, true));
      } else if (throttleReasons != null && !reasons.equals(throttleReasons)) {
        throttleReasons = reasons;
        out.accept(new Finding(severity(reasons), "throttle", "throttling: " + reasons, true));
      }
      return;
    }
    throttleSamples = 0;
    throttleSinceMs = -1;
    if (throttleReasons == null) {
      return;
    }
    if (clearSinceMs < 0) {
      clearSinceMs = nowMs;
    } else if (nowMs - clearSinceMs >= THROTTLE_CLEAR_MS) {
      out.accept(new Finding("info", "throttle", "no longer throttling (was: " + throttleReasons
          + ")", false));
      throttleReasons = null;
      clearSinceMs = -1;
    }
  }

  /** A power cap is routine under load; thermal and hardware slowdowns are not. */
  static String severity(String reasons) {
    return reasons.replace("SW Power Cap", "").replace(",", "").isBlank() ? "info" : "warning";
  }

  private void watchTemperature(ObjectNode gpu, Consumer<Finding> out) {
    JsonNode t = gpu.get("temperature");
    if (t == null || !t.isNumber()) {
      return;
    }
    JsonNode limit = gpu.get("temperature_slowdown");
    double threshold = limit != null && limit.isNumber() ? limit.asDouble() : DEFAULT_HOT_C;
    double temp = t.asDouble();
    if (!hot && temp >= threshold) {
      hot = true;
      out.accept(new Finding("warning", "temperature", String.format(Locale.ROOT,
          "temperature %.0f °C at or above its threshold of %.0f °C", temp, threshold), true));
    } else if (hot && temp <= threshold - 3) {
      hot = false;
      out.accept(new Finding("info", "temperature", String.format(Locale.ROOT,
          "temperature back to %.0f °C", temp), false));
    }
  }

  private void watchMemory(ObjectNode gpu, Consumer<Finding> out) {
    JsonNode used = gpu.get("memory_used");
    JsonNode total = gpu.get("memory_total");
    if (used == null || total == null || !used.isNumber() || !(total.asDouble() > 0)) {
      return;
    }
    double share = used.asDouble() / total.asDouble();
    if (!memoryFull && share >= MEMORY_FULL) {
      memoryFull = true;
      out.accept(new Finding("warning", "memory", String.format(Locale.ROOT,
          "memory nearly full: %.0f %% used", share * 100), true));
    } else if (memoryFull && share < MEMORY_CLEAR) {
      memoryFull = false;
      out.accept(new Finding("info", "memory", String.format(Locale.ROOT,
          "memory back to %.0f %% used", share * 100), false));
    }
  }
}
