package io.gpuhot.smi;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises what nvidia-smi prints instead of data and turns it into one sentence a person can
 * act on. The message goes to stdout on most drivers, so both streams are searched.
 */
final class Messages {
  private static final Pattern INVALID_FIELD =
      Pattern.compile("Field \"([^\"]+)\" is not a valid field to query");
  // Wordings seen across drivers: "GPU 0000:02:00.0: ...", "GPU0000:A1:00.0: ...",
  // "GPU1: 0000:1B:00.0: ...". The bus id needs domain:bus:device.function, which is what stops
  // the optional index from swallowing the domain.
  private static final Pattern LOST =
      Pattern.compile(
          "Unable to determine the device handle for GPU\\s*(?:(\\d+):\\s*)?"
              + "([0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\\.[0-9A-Fa-f])\\s*:?\\s*(.*)");
  private static final Pattern LIBRARY_VERSION =
      Pattern.compile("NVML library version:\\s*(\\S+)");
  private static final int QUOTE_LIMIT = 200;

  /** A GPU that nvidia-smi named in an error line instead of printing its row. */
  record LostGpu(String index, String busId, String reason) {}

  private Messages() {}

  /** The field named by an "is not a valid field to query" answer, or null. */
  static String invalidField(String text) {
    Matcher m = INVALID_FIELD.matcher(text);
    return m.find() ? m.group(1) : null;
  }

  /** The lost GPU described by this line, or null when the line is about something else. */
  static LostGpu lost(String line) {
    Matcher m = LOST.matcher(line.trim());
    if (!m.find()) {
      return null;
    }
    String reason = m.group(3).trim();
    return new LostGpu(m.group(1), m.group(2), reason.isEmpty() ? "GPU is lost" : reason);
  }

  /**
   * The node-level error when no GPU row could be read: one sentence naming the cause, the
   * driver's own words where they help, and the exit status.
   */
  static String noGpus(int exit, List<String> messages, String stderr) {
    String all = String.join("\n", messages) + "\n" + stderr;
    String lower = all.toLowerCase(Locale.ROOT);
    String status = " (nvidia-smi exit " + exit + ")";
    String field = invalidField(all);
    if (field != null) {
      return "nvidia-smi does not support the query field \"" + field + "\"" + status + ".";
    }
    if (lower.contains("driver/library version mismatch")) {
      Matcher v = LIBRARY_VERSION.matcher(all);
      String version = v.find() ? "; NVML library version " + v.group(1) : "";
      return "NVIDIA driver/library version mismatch: reboot or reload the nvidia kernel module"
          + " (the driver was updated without a reboot" + version + ", nvidia-smi exit "
          + exit + ").";
    }
    if (lower.contains("couldn't communicate with the nvidia driver") || exit == 9) {
      return "NVIDIA driver not reachable: nvidia-smi could not communicate with the driver;"
          + " check that the nvidia kernel module is loaded" + status + ".";
    }
    if (lower.contains("no supported gpus") || lower.contains("no devices were found")
        || exit == 6) {
      return "No NVIDIA GPU available on this node: " + quote(firstLine(messages, stderr))
          + status + ".";
    }
    if (lower.contains("nvml shared library not found") || exit == 12) {
      return "NVML library not found: the NVIDIA driver's user-space libraries are missing"
          + status + ".";
    }
    String said = firstLine(messages, stderr);
    if (exit == 0) {
      return said.isEmpty()
          ? "nvidia-smi printed no GPU rows" + status + "."
          : "nvidia-smi printed no GPU rows, only: " + quote(said) + status + ".";
    }
    return said.isEmpty()
        ? "nvidia-smi failed with no message" + status + "."
        : "nvidia-smi failed: " + quote(said) + status + ".";
  }

  private static String firstLine(List<String> messages, String stderr) {
    for (String m : messages) {
      if (!m.isBlank()) {
        return m.trim();
      }
    }
    for (String line : stderr.split("\\R")) {
      if (!line.isBlank()) {
        return line.trim();
      }
    }
    return "";
  }

  /** Driver text goes into logs and the UI; keep it short and without a doubled full stop. */
  static String quote(String text) {
    String t = text.length() > QUOTE_LIMIT ? text.substring(0, QUOTE_LIMIT) + "..." : text;
    return t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
  }
}
