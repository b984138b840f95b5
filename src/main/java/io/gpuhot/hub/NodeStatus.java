package io.gpuhot.hub;

/** What the hub knows of a node's stream. */
public enum NodeStatus {
  /** Connected and sending fresh samples. */
  ONLINE,
  /** Not connected, not yet heard from, or silent for longer than three update intervals. */
  OFFLINE,
  /** Sending something the hub cannot use: malformed JSON, a wrong shape, an oversized message. */
  ERROR;

  public String wire() {
    return name().toLowerCase();
  }
}
