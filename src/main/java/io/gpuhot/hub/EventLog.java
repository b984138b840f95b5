package io.gpuhot.hub;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The last {@link #CAPACITY} events of the cluster: GPUs that start or stop throttling, run hot,
 * fill their memory or get lost; nodes that go offline, come back or fail. A condition that
 * starts and later ends gives two events with the same kind, node and GPU, the second with
 * {@code active} false. Only the state loop touches it.
 */
final class EventLog {
  static final int CAPACITY = 500;

  /** One event. {@code gpu} is null for node events. */
  record Event(long id, long timeMs, String severity, String kind, int nodeId, String node,
      String url, String gpu, String message, boolean active) {

    void write(JsonGenerator g) throws IOException {
      g.writeStartObject();
      g.writeNumberField("id", id);
      g.writeNumberField("time_ms", timeMs);
      g.writeStringField("time", Instant.ofEpochMilli(timeMs).toString());
      g.writeStringField("severity", severity);
      g.writeStringField("kind", kind);
      g.writeNumberField("node_id", nodeId);
      g.writeStringField("node", node);
      g.writeStringField("url", url);
      if (gpu == null) {
        g.writeNullField("gpu");
      } else {
        g.writeStringField("gpu", gpu);
      }
      g.writeStringField("message", message);
      g.writeBooleanField("active", active);
      g.writeEndObject();
    }
  }

  private final ArrayDeque<Event> events = new ArrayDeque<>();
  private long nextId = 1;

  Event add(long timeMs, String severity, String kind, NodeEntry node, String gpu,
      String message, boolean active) {
    var e = new Event(nextId++, timeMs, severity, kind, node.id, node.displayName(), node.key, gpu,
        message, active);
    events.addLast(e);
    if (events.size() > CAPACITY) {
      events.removeFirst();
    }
    return e;
  }

  /** Events with an id above {@code afterId}, oldest first, at most {@code limit}. */
  List<Event> since(long afterId, int limit) {
    var out = new ArrayList<Event>();
    for (var e : events) {
      if (e.id() > afterId) {
        out.add(e);
      }
    }
    return out.size() > limit ? out.subList(out.size() - limit, out.size()) : out;
  }

  static void writeList(JsonGenerator g, List<Event> list) throws IOException {
    g.writeStartArray();
    for (var e : list) {
      e.write(g);
    }
    g.writeEndArray();
  }
}
