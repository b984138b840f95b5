package io.gpuhot.loadtest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.gpuhot.net.WsClient;
import io.gpuhot.support.Json;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * One dashboard of the load test. For every node update it receives it records the delay from
 * the node's sample time to now, and it counts updates per node by their sequence number, so a
 * gap is an update it never got. It reads only the head of each message (type, node, sequence,
 * sample time), as a browser's first step would, and skips the rest.
 */
final class Probe {
  private final Recorder latency;
  private final Recorder progress;
  private final LongAdder wireBytes = new LongAdder();
  private final double lateAfterMs;
  private final WsClient client;
  private long jsonBytes;
  private long[] lastSeq = new long[0];
  private long[] firstInWindow = new long[0];
  private long[] lastInWindow = new long[0];
  private long[] delivered = new long[0];
  private long late;
  private long messages;
  private long offlineEvents;
  private volatile boolean open;
  private volatile String closeReason;
  private volatile boolean snapshot;
  private double windowStartMs = Double.MAX_VALUE;
  private double windowEndMs = Double.MAX_VALUE;

  Probe(EventLoopGroup group, URI uri, boolean deflate, Recorder latency, Recorder progress,
      double lateAfterMs) {
    this.latency = latency;
    this.progress = progress;
    this.lateAfterMs = lateAfterMs;
    var options = new WsClient.Options(64 << 20, deflate, 10_000, wireBytes);
    client = WsClient.connect(group, uri, options, new WsClient.Listener() {
      @Override
      public void onOpen(WsClient c) {
        open = true;
      }

      @Override
      public void onMessage(WsClient c, ByteBuf data) {
        receive(data);
      }

      @Override
      public void onClose(WsClient c, String reason, Throwable cause) {
        open = false;
        closeReason = reason;
      }
    });
  }

  boolean open() {
    return open;
  }

  boolean hasSnapshot() {
    return snapshot;
  }

  String closeReason() {
    return closeReason;
  }

  long wireBytes() {
    return wireBytes.sum();
  }

  synchronized long jsonBytes() {
    return jsonBytes;
  }

  /** Counts updates whose sample time falls in [start, end) epoch ms. */
  synchronized void window(double startMs, double endMs) {
    windowStartMs = startMs;
    windowEndMs = endMs;
    Arrays.fill(firstInWindow, -1);
    Arrays.fill(lastInWindow, -1);
    Arrays.fill(delivered, 0);
    late = 0;
    offlineEvents = 0;
  }

  synchronized Counts counts() {
    int seen = 0;
    for (long s : lastSeq) {
      seen += s >= 0 ? 1 : 0;
    }
    return new Counts(firstInWindow.clone(), lastInWindow.clone(), delivered.clone(), late,
        messages, offlineEvents, seen);
  }

  /** What one client counted in the window, per node; {@code nodes} it has heard of at all. */
  record Counts(long[] first, long[] last, long[] delivered, long late, long messages,
      long offlineEvents, int nodes) {}

  void close() {
    client.close("load test done");
  }

  private void receive(ByteBuf data) {
    double nowMs = nowMs();
    int size = data.readableBytes();
    byte[] bytes = new byte[size];
    data.getBytes(data.readerIndex(), bytes);
    try (JsonParser p = Json.factory().createParser(bytes)) {
      synchronized (this) {
        messages++;
        jsonBytes += size;
        read(p, nowMs);
      }
    } catch (IOException | RuntimeException e) {
      // A message the probe cannot read counts as received but measures nothing.
    }
  }

  private static double nowMs() {
    Instant t = Instant.now();
    return t.getEpochSecond() * 1000.0 + t.getNano() / 1e6;
  }

  private void read(JsonParser p, double nowMs) throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT || !"type".equals(p.nextFieldName())) {
      return;
    }
    String type = p.nextTextValue();
    switch (type == null ? "" : type) {
      case "delta" -> head(p, nowMs, false);
      case "node" -> {
        if ("node".equals(p.nextFieldName()) && p.nextToken() == JsonToken.START_OBJECT) {
          head(p, nowMs, false);
        }
      }
      case "summaries" -> list(p, nowMs, "nodes");
      case "snapshot" -> {
        list(p, nowMs, "nodes");
        snapshot = true;
      }
      default -> { }
    }
  }

  /** Reads the array of node objects under the given field. */
  private void list(JsonParser p, double nowMs, String field) throws IOException {
    JsonToken t;
    while ((t = p.nextToken()) != null && t != JsonToken.END_OBJECT) {
      if (t == JsonToken.FIELD_NAME && p.currentName().equals(field)) {
        if (p.nextToken() != JsonToken.START_ARRAY) {
          return;
        }
        while (p.nextToken() == JsonToken.START_OBJECT) {
          head(p, nowMs, true);
        }
        return;
      }
      if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
        p.skipChildren();
      }
    }
  }

  /**
   * Reads id, seq, sample time and status of a node object. With {@code toEnd} the parser is left
   * after the object's end; without, reading stops at the first other field (the GPUs of a
   * delta), which saves parsing what the probe does not need.
   */
  private void head(JsonParser p, double nowMs, boolean toEnd) throws IOException {
    int id = -1;
    long seq = -1;
    double sampled = Double.NaN;
    String status = null;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      t = p.nextToken();
      switch (name) {
        case "id" -> id = p.getIntValue();
        case "seq" -> seq = p.getLongValue();
        case "sampled_at_ms" -> sampled = p.getDoubleValue();
        case "status" -> status = p.getText();
        case "v", "reason", "name", "status_since_ms", "url" -> { }
        default -> {
          if (!toEnd) {
            record(id, seq, sampled, status, nowMs);
            return;
          }
          if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            p.skipChildren();
          }
        }
      }
    }
    record(id, seq, sampled, status, nowMs);
  }

  private void record(int id, long seq, double sampled, String status, double nowMs) {
    if (id < 0) {
      return;
    }
    grow(id);
    if (status != null && !status.equals("online") && nowMs >= windowStartMs && nowMs < windowEndMs) {
      offlineEvents++;
    }
    if (seq <= lastSeq[id]) {
      return;
    }
    boolean first = lastSeq[id] < 0;
    lastSeq[id] = seq;
    if (first || Double.isNaN(sampled)) {
      return;
    }
    double delay = nowMs - sampled;
    long micros = Math.max(0, Math.round(delay * 1000));
    progress.recordValue(micros);
    if (sampled >= windowStartMs && sampled < windowEndMs) {
      latency.recordValue(micros);
      if (firstInWindow[id] < 0) {
        firstInWindow[id] = seq;
      }
      lastInWindow[id] = seq;
      delivered[id]++;
      if (delay > lateAfterMs) {
        late++;
      }
    }
  }

  private void grow(int id) {
    if (id < lastSeq.length) {
      return;
    }
    int n = Math.max(id + 1, lastSeq.length * 2);
    lastSeq = grow(lastSeq, n, -1);
    firstInWindow = grow(firstInWindow, n, -1);
    lastInWindow = grow(lastInWindow, n, -1);
    delivered = grow(delivered, n, 0);
  }

  private static long[] grow(long[] a, int n, long fill) {
    long[] b = Arrays.copyOf(a, n);
    Arrays.fill(b, a.length, n, fill);
    return b;
  }
}
