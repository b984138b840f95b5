package io.gpuhot.support;

import java.time.Instant;

/** Time formats of the wire protocol. */
public final class Times {
  private Times() {}

  /**
   * Writes an instant as epoch milliseconds with a microsecond fraction, such as {@code
   * 1733300000123.456}: a JSON number that every client reads as milliseconds, precise enough
   * to measure sub-millisecond latency on one machine.
   */
  public static String epochMillis(Instant t) {
    long micros = t.getNano() / 1000 % 1000;
    long millis = t.toEpochMilli();
    return millis + "." + (micros < 10 ? "00" : micros < 100 ? "0" : "") + micros;
  }

  /** The current time as epoch milliseconds with a microsecond fraction. */
  public static double nowMillis() {
    Instant t = Instant.now();
    return t.getEpochSecond() * 1000.0 + t.getNano() / 1e6;
  }
}
