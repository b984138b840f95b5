package io.gpuhot.hub;

import com.fasterxml.jackson.core.JsonGenerator;
import io.gpuhot.support.Json;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Encodes the hub's outgoing messages, each once, into a buffer that is then written to every
 * client that needs it. The formats are described in {@code docs/protocol.md}.
 */
final class StreamEncoder {
  static final int PROTOCOL = 2;

  /** Writes the body of one message. */
  @FunctionalInterface
  interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private StreamEncoder() {}

  static ByteBuf encode(int sizeHint, Body body) {
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(sizeHint);
    try (var g = Json.factory().createGenerator((java.io.OutputStream) new ByteBufOutputStream(buf))) {
      body.write(g);
    } catch (IOException e) {
      buf.release();
      throw new UncheckedIOException("cannot encode a hub message", e);
    } catch (RuntimeException e) {
      buf.release();
      throw e;
    }
    return buf;
  }

  /** A change of one node against the version before: only what differs in the stream. */
  static ByteBuf delta(NodeEntry e, Tier tier, Changes changes, boolean statusChanged,
      ClusterStats stats) {
    return encode(1024, g -> {
      g.writeStartObject();
      g.writeStringField("type", "delta");
      writeHead(g, e);
      if (statusChanged) {
        writeStatus(g, e);
      }
      writeGpuChanges(g, changes, tier);
      StreamValues.writeChanges(g, "system", changes.system, tier, true);
      if (changes.processes) {
        g.writeFieldName("processes");
        g.writeTree(e.processes);
      }
      if (stats != null) {
        g.writeFieldName("cluster_stats");
        stats.write(g);
      }
      g.writeEndObject();
    });
  }

  private static void writeHead(JsonGenerator g, NodeEntry e) throws IOException {
    g.writeNumberField("id", e.id);
    g.writeNumberField("v", e.version);
    g.writeNumberField("seq", e.seq);
    if (!Double.isNaN(e.sampledAtMs)) {
      g.writeFieldName("sampled_at_ms");
      writeMillis(g, e.sampledAtMs);
    }
  }

  /** Writes epoch milliseconds in plain notation, keeping microseconds. */
  static void writeMillis(JsonGenerator g, double ms) throws IOException {
    long whole = (long) Math.floor(ms);
    long micros = Math.round((ms - whole) * 1000);
    if (micros == 1000) {
      whole++;
      micros = 0;
    }
    g.writeNumber(micros == 0 ? Long.toString(whole)
        : whole + "." + (micros < 10 ? "00" : micros < 100 ? "0" : "") + micros);
  }

  private static void writeStatus(JsonGenerator g, NodeEntry e) throws IOException {
    g.writeStringField("status", e.status.wire());
    g.writeStringField("reason", e.reason);
    g.writeStringField("name", e.displayName());
    g.writeNumberField("status_since_ms", e.statusSinceMs);
    if (e.nodeError == null) {
      g.writeNullField("node_error");
    } else {
      g.writeStringField("node_error", e.nodeError);
    }
  }

  private static void writeGpuChanges(JsonGenerator g, Changes changes, Tier tier)
      throws IOException {
    boolean open = false;
    for (var gpu : changes.gpus.entrySet()) {
      if (!StreamValues.carriesAny(gpu.getValue(), tier, false)) {
        continue;
      }
      if (!open) {
        g.writeObjectFieldStart("gpus");
        open = true;
      }
      StreamValues.writeChanges(g, gpu.getKey(), gpu.getValue(), tier, false);
    }
    for (var gpu : changes.added.entrySet()) {
      if (!open) {
        g.writeObjectFieldStart("gpus");
        open = true;
      }
      g.writeFieldName(gpu.getKey());
      StreamValues.writeObject(g, gpu.getValue(), tier, false);
    }
    for (String id : changes.removed) {
      if (!open) {
        g.writeObjectFieldStart("gpus");
        open = true;
      }
      g.writeNullField(id);
    }
    if (open) {
      g.writeEndObject();
    }
  }

  /** One node in full, replacing whatever the client held for it. */
  static ByteBuf node(NodeEntry e, Tier tier, ClusterStats stats) {
    return encode(2048 + 1500 * e.gpus.size(), g -> {
      g.writeStartObject();
      g.writeStringField("type", "node");
      g.writeFieldName("node");
      writeEntry(g, e, tier);
      g.writeFieldName("cluster_stats");
      stats.write(g);
      g.writeEndObject();
    });
  }

  /** A node entry; with a tier its GPUs, processes and host figures too, else its summary only. */
  static void writeEntry(JsonGenerator g, NodeEntry e, Tier tier) throws IOException {
    g.writeStartObject();
    writeHead(g, e);
    g.writeStringField("url", e.key);
    writeStatus(g, e);
    g.writeBooleanField("duplicate_name", e.duplicateName);
    if (e.lastMessageMs > 0) {
      g.writeNumberField("last_update_ms", e.lastMessageMs);
      g.writeStringField("last_update", Instant.ofEpochMilli(e.lastMessageMs).toString());
    } else {
      g.writeNullField("last_update");
    }
    if (!Double.isNaN(e.intervalS)) {
      g.writeNumberField("update_interval", e.intervalS);
    }
    g.writeFieldName("summary");
    writeSummary(g, e.summary);
    if (tier != null) {
      g.writeStringField("fields", tier.wire());
      g.writeObjectFieldStart("gpus");
      for (var gpu : e.gpus.entrySet()) {
        g.writeFieldName(gpu.getKey());
        StreamValues.writeObject(g, gpu.getValue(), tier, false);
      }
      g.writeEndObject();
      g.writeFieldName("processes");
      g.writeTree(e.processes);
      g.writeFieldName("system");
      StreamValues.writeObject(g, e.system, tier, true);
    }
    g.writeEndObject();
  }

  static void writeSummary(JsonGenerator g, NodeEntry.Summary s) throws IOException {
    g.writeStartObject();
    g.writeNumberField("gpu_count", s.gpus());
    writeNumberOrNull(g, "utilization", s.utilization(), 10);
    g.writeNumberField("memory_used", Math.round(s.memoryUsed()));
    g.writeNumberField("memory_total", Math.round(s.memoryTotal()));
    writeNumberOrNull(g, "power_draw", s.power(), 10);
    writeNumberOrNull(g, "power_limit", s.powerLimit(), 10);
    writeNumberOrNull(g, "temperature_max", s.maxTemperature(), 1);
    g.writeNumberField("throttled", s.throttled());
    g.writeNumberField("processes", s.processes());
    g.writeEndObject();
  }

  private static void writeNumberOrNull(JsonGenerator g, String key, double v, int scale)
      throws IOException {
    if (Double.isNaN(v)) {
      g.writeNullField(key);
    } else {
      g.writeFieldName(key);
      StreamValues.writeNumber(g, Math.round(v * scale) / (double) scale);
    }
  }

  /** The first message of a dashboard: every node, each in the tier the client views it (null: summary). */
  static ByteBuf snapshot(List<NodeEntry> nodes, IntFunction<Tier> tiers, ClusterStats stats,
      String mode, double intervalS, String version, List<EventLog.Event> events) {
    return encode(4096 + 1500 * stats.knownGpus(), g -> {
      g.writeStartObject();
      g.writeStringField("type", "snapshot");
      g.writeNumberField("protocol", PROTOCOL);
      g.writeStringField("mode", mode);
      g.writeStringField("server_version", version);
      g.writeNumberField("update_interval", intervalS);
      g.writeNumberField("server_time_ms", System.currentTimeMillis());
      g.writeFieldName("cluster_stats");
      stats.write(g);
      g.writeArrayFieldStart("nodes");
      for (var e : nodes) {
        writeEntry(g, e, tiers.apply(e.id));
      }
      g.writeEndArray();
      g.writeFieldName("events");
      EventLog.writeList(g, events);
      g.writeEndObject();
    });
  }

  /** Events, newest last: {@code {"type":"events","events":[…]}}. */
  static ByteBuf events(List<EventLog.Event> events) {
    return encode(256 * events.size() + 64, g -> {
      g.writeStartObject();
      g.writeStringField("type", "events");
      g.writeFieldName("events");
      EventLog.writeList(g, events);
      g.writeEndObject();
    });
  }

  /** Summaries of the given nodes, for clients that view them in the overview only. */
  static ByteBuf summaries(Collection<NodeEntry> nodes, ClusterStats stats) {
    return encode(256 + 220 * nodes.size(), g -> {
      g.writeStartObject();
      g.writeStringField("type", "summaries");
      g.writeArrayFieldStart("nodes");
      for (var e : nodes) {
        g.writeStartObject();
        writeHead(g, e);
        g.writeStringField("status", e.status.wire());
        g.writeFieldName("summary");
        writeSummary(g, e.summary);
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeFieldName("cluster_stats");
      stats.write(g);
      g.writeEndObject();
    });
  }

  static ByteBuf heartbeat() {
    return encode(64, g -> {
      g.writeStartObject();
      g.writeStringField("type", "heartbeat");
      g.writeNumberField("server_time_ms", System.currentTimeMillis());
      g.writeEndObject();
    });
  }

  /**
   * The hub message of the original protocol: every node keyed by its URL, with the GPUs,
   * processes and host figures as the node sent them (after normalisation), empty when offline.
   */
  static ByteBuf compat(List<NodeEntry> nodes, ClusterStats stats) {
    return encode(4096 + 2048 * stats.knownGpus(), g -> {
      g.writeStartObject();
      g.writeStringField("mode", "hub");
      g.writeObjectFieldStart("nodes");
      for (var e : nodes) {
        g.writeObjectFieldStart(e.key);
        g.writeStringField("status", e.status == NodeStatus.ONLINE ? "online" : "offline");
        boolean on = e.online();
        g.writeObjectFieldStart("gpus");
        if (on) {
          for (var gpu : e.gpus.entrySet()) {
            g.writeFieldName(gpu.getKey());
            g.writeTree(gpu.getValue());
          }
        }
        g.writeEndObject();
        g.writeFieldName("processes");
        if (on) {
          g.writeTree(e.processes);
        } else {
          g.writeStartArray();
          g.writeEndArray();
        }
        g.writeFieldName("system");
        if (on) {
          g.writeTree(e.system);
        } else {
          g.writeStartObject();
          g.writeEndObject();
        }
        if (e.lastMessageMs > 0) {
          g.writeStringField("last_update", Instant.ofEpochMilli(e.lastMessageMs).toString());
        } else {
          g.writeNullField("last_update");
        }
        g.writeStringField("node_name", e.displayName());
        g.writeStringField("url", e.key);
        g.writeStringField("state", e.status.wire());
        g.writeStringField("reason", e.reason);
        g.writeEndObject();
      }
      g.writeEndObject();
      g.writeFieldName("cluster_stats");
      stats.write(g);
      g.writeEndObject();
    });
  }
}
