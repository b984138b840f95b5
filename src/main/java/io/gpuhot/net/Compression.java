package io.gpuhot.net;

import java.util.Locale;

/** How a server answers a client's offer of permessage-deflate. */
public enum Compression {
  /** Declined: messages go uncompressed. */
  OFF,
  /** Each message compressed once, the same bytes to every client ({@link SharedDeflate}). */
  SHARED,
  /**
   * Netty's standard extension: every message compressed again for each client, continuing that
   * client's own stream. Smallest on the wire, most CPU; kept to measure against.
   */
  PER_CONNECTION;

  public String wire() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static Compression parse(String s) {
    for (Compression c : values()) {
      if (c.wire().equals(s.trim().toLowerCase(Locale.ROOT))) {
        return c;
      }
    }
    throw new IllegalArgumentException("expected shared, per-connection or off");
  }
}
