package io.gpuhot.hub;

import io.gpuhot.net.Compression;
import java.net.URI;
import java.util.List;

/**
 * Validated settings of a hub. Built by the command line from flags and environment; every
 * field has a {@code DEFAULT_*} constant.
 *
 * @param nodeUrls the nodes to dial, as configured ({@code http://host:1312})
 * @param intervalS the update interval nodes are expected to keep, for staleness detection
 * @param reconnectMaxMs the cap of the reconnect back-off
 * @param maxMessageBytes the largest node message accepted; larger ones put the node in error
 * @param compatWindowMs how long changes are gathered before one full hub message is sent to
 *     clients of the original protocol
 * @param summaryWindowMs how long node summaries are gathered before one batch is sent
 * @param autoDetailGpus clusters up to this size are sent in full detail unless a client asks
 *     otherwise; larger ones start with summaries only
 * @param compression how permessage-deflate is offered to dashboards
 * @param stallTimeoutMs a dashboard that accepts nothing for this long is disconnected
 * @param history keep each node's recent history in memory ({@code NodeHistory})
 */
public record HubConfig(
    List<URI> nodeUrls,
    String host,
    int port,
    double intervalS,
    long reconnectBaseMs,
    long reconnectMaxMs,
    int maxMessageBytes,
    long compatWindowMs,
    long summaryWindowMs,
    int autoDetailGpus,
    Compression compression,
    boolean nodeDeflate,
    int ioThreads,
    long stallTimeoutMs,
    boolean history) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 1312;
  public static final double DEFAULT_INTERVAL_S = 0.5;
  public static final long DEFAULT_RECONNECT_BASE_MS = 250;
  public static final long DEFAULT_RECONNECT_MAX_MS = 5_000;
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 8 << 20;
  public static final long DEFAULT_COMPAT_WINDOW_MS = 250;
  public static final long DEFAULT_SUMMARY_WINDOW_MS = 100;
  public static final int DEFAULT_AUTO_DETAIL_GPUS = 512;
  public static final long DEFAULT_STALL_TIMEOUT_MS = 30_000;

  public HubConfig {
    nodeUrls = List.copyOf(nodeUrls);
    if (nodeUrls.isEmpty()) {
      throw new IllegalArgumentException("a hub needs at least one node URL");
    }
    if (!(intervalS > 0)) {
      throw new IllegalArgumentException("update interval must be > 0, got " + intervalS);
    }
    if (ioThreads < 1) {
      throw new IllegalArgumentException("io threads must be >= 1, got " + ioThreads);
    }
  }

  public static Builder builder(List<URI> nodeUrls) {
    return new Builder(nodeUrls);
  }

  /** Starts from the defaults; each setter replaces one of them. */
  public static final class Builder {
    private final List<URI> nodeUrls;
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private double intervalS = DEFAULT_INTERVAL_S;
    private long reconnectBaseMs = DEFAULT_RECONNECT_BASE_MS;
    private long reconnectMaxMs = DEFAULT_RECONNECT_MAX_MS;
    private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
    private long compatWindowMs = DEFAULT_COMPAT_WINDOW_MS;
    private long summaryWindowMs = DEFAULT_SUMMARY_WINDOW_MS;
    private int autoDetailGpus = DEFAULT_AUTO_DETAIL_GPUS;
    private Compression compression = Compression.SHARED;
    private boolean nodeDeflate = false;
    private int ioThreads = 1;
    private long stallTimeoutMs = DEFAULT_STALL_TIMEOUT_MS;
    private boolean history = true;

    private Builder(List<URI> nodeUrls) {
      this.nodeUrls = nodeUrls;
    }

    public Builder host(String v) {
      host = v;
      return this;
    }

    public Builder port(int v) {
      port = v;
      return this;
    }

    public Builder intervalS(double v) {
      intervalS = v;
      return this;
    }

    public Builder reconnect(long baseMs, long maxMs) {
      reconnectBaseMs = baseMs;
      reconnectMaxMs = maxMs;
      return this;
    }

    public Builder maxMessageBytes(int v) {
      maxMessageBytes = v;
      return this;
    }

    public Builder compatWindowMs(long v) {
      compatWindowMs = v;
      return this;
    }

    public Builder summaryWindowMs(long v) {
      summaryWindowMs = v;
      return this;
    }

    public Builder autoDetailGpus(int v) {
      autoDetailGpus = v;
      return this;
    }

    public Builder compression(Compression v) {
      compression = v;
      return this;
    }

    public Builder nodeDeflate(boolean v) {
      nodeDeflate = v;
      return this;
    }

    public Builder ioThreads(int v) {
      ioThreads = v;
      return this;
    }

    public Builder stallTimeoutMs(long v) {
      stallTimeoutMs = v;
      return this;
    }

    public Builder history(boolean v) {
      history = v;
      return this;
    }

    public HubConfig build() {
      return new HubConfig(nodeUrls, host, port, intervalS, reconnectBaseMs, reconnectMaxMs,
          maxMessageBytes, compatWindowMs, summaryWindowMs, autoDetailGpus, compression,
          nodeDeflate, ioThreads, stallTimeoutMs, history);
    }
  }

  /** The WebSocket address of a node URL: http becomes ws, https wss, plus {@code /socket.io/}. */
  static URI streamUri(URI node) {
    String scheme =
        switch (node.getScheme()) {
          case "https", "wss" -> "wss";
          default -> "ws";
        };
    String path = node.getPath() == null ? "" : node.getPath();
    if (!path.contains("/socket.io")) {
      path = (path.endsWith("/") ? path.substring(0, path.length() - 1) : path) + "/socket.io/";
    }
    int port = node.getPort() > 0 ? node.getPort() : DEFAULT_PORT;
    return URI.create(scheme + "://" + node.getHost() + ":" + port + path);
  }
}
