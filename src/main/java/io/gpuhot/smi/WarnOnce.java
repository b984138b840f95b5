package io.gpuhot.smi;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * Logs each distinct problem once: nvidia-smi is polled every second or two, and an unsupported
 * field or a wedged driver would otherwise fill the log with the same line.
 */
final class WarnOnce {
  /** Past this many distinct problems something is badly wrong; stop remembering (and logging). */
  private static final int MAX_REMEMBERED = 512;

  private final Logger log;
  private final Set<String> seen = ConcurrentHashMap.newKeySet();

  WarnOnce(Logger log) {
    this.log = log;
  }

  /** Logs the message at WARN unless a message with the same key was logged before. */
  void warn(String key, String format, Object... args) {
    if (seen.size() < MAX_REMEMBERED && seen.add(key)) {
      log.warn(format, args);
    }
  }
}
