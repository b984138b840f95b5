package io.gpuhot.hub;

import com.fasterxml.jackson.core.JsonGenerator;
import io.gpuhot.history.NodeHistory;
import io.gpuhot.net.HttpReply;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.util.List;

/**
 * {@code GET /api/history} and {@code GET /api/events}.
 *
 * <p>History: {@code node} (an id, or {@code all}), {@code range} in seconds (default 300, at most
 * a day), {@code gpu} (one GPU only) and {@code metrics} (comma-separated: util, temp, mem, power,
 * fan, clock). Events: {@code since} (an event id; default 0) and {@code limit} (default 200).
 */
final class HistoryRoute {
  static final long MAX_RANGE_S = 86_400;

  private HistoryRoute() {}

  static HttpReply answer(ClusterState state, QueryStringDecoder q) {
    String node = param(q, "node", "all");
    long range = longParam(q, "range", 300, 1, MAX_RANGE_S);
    String gpu = param(q, "gpu", null);
    var metrics = NodeHistory.parseMetrics(param(q, "metrics", "all"));
    List<NodeEntry> nodes;
    if (node.equals("all")) {
      nodes = state.nodes();
    } else {
      int id;
      try {
        id = (int) longParam(q, "node", 0, 0, state.nodes().size() - 1);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("node must be 'all' or a node id from 0 to "
            + (state.nodes().size() - 1));
      }
      nodes = List.of(state.node(id));
    }
    if (nodes.stream().anyMatch(e -> e.history == null)) {
      return HttpReply.text(HttpResponseStatus.NOT_FOUND, "history is turned off (HISTORY=off)");
    }
    var buf = StreamEncoder.encode(4096, g -> {
      g.writeStartObject();
      g.writeNumberField("range_s", range);
      g.writeObjectFieldStart("nodes");
      for (var e : nodes) {
        g.writeFieldName(Integer.toString(e.id));
        e.history.write(g, range * 1000, gpu, metrics);
      }
      g.writeEndObject();
      g.writeEndObject();
    });
    try {
      return HttpReply.json(ByteBufUtil.getBytes(buf));
    } finally {
      buf.release();
    }
  }

  static HttpReply events(ClusterState state, QueryStringDecoder q) {
    long since = longParam(q, "since", 0, 0, Long.MAX_VALUE);
    int limit = (int) longParam(q, "limit", 200, 1, EventLog.CAPACITY);
    var list = state.events().since(since, limit);
    var buf = StreamEncoder.encode(256 * list.size() + 64, g -> writeEvents(g, list));
    try {
      return HttpReply.json(ByteBufUtil.getBytes(buf));
    } finally {
      buf.release();
    }
  }

  private static void writeEvents(JsonGenerator g, List<EventLog.Event> list) throws IOException {
    g.writeStartObject();
    g.writeFieldName("events");
    EventLog.writeList(g, list);
    g.writeEndObject();
  }

  private static String param(QueryStringDecoder q, String name, String fallback) {
    var v = q.parameters().get(name);
    return v == null || v.isEmpty() ? fallback : v.get(0);
  }

  private static long longParam(QueryStringDecoder q, String name, long fallback, long min,
      long max) {
    String v = param(q, name, null);
    if (v == null) {
      return fallback;
    }
    try {
      long n = Long.parseLong(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException(name + " must be a whole number from " + min + " to " + max);
  }
}
