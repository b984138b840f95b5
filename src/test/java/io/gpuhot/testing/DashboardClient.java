package io.gpuhot.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpuhot.net.WsClient;
import io.gpuhot.support.Json;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A dashboard played by a test: it connects to a hub's {@code /ws}, applies the snapshot and the
 * deltas to its own copy of every node as a browser would, and fails loudly (in {@link
 * #errors()}) when a delta does not follow the version it holds.
 */
public final class DashboardClient implements AutoCloseable {
  /** One node as this client sees it. */
  public static final class Node {
    public volatile int v;
    public volatile String status;
    public volatile String reason;
    public volatile String name;
    public volatile String url;
    public volatile long seq;
    public final Map<String, ObjectNode> gpus = new ConcurrentHashMap<>();
    public volatile JsonNode processes = JsonNodeFactory.instance.arrayNode();
    public volatile ObjectNode system = JsonNodeFactory.instance.objectNode();
    public final AtomicInteger updates = new AtomicInteger();
  }

  private final WsClient client;
  private final Map<Integer, Node> nodes = new ConcurrentHashMap<>();
  private final List<String> errors = new CopyOnWriteArrayList<>();
  private final List<String> types = new CopyOnWriteArrayList<>();
  private final AtomicReference<JsonNode> stats = new AtomicReference<>();
  private final AtomicInteger messages = new AtomicInteger();
  private volatile boolean open;
  private volatile String closeReason;

  private DashboardClient(EventLoopGroup group, URI uri, WsClient.Options options) {
    client = WsClient.connect(group, uri, options, new WsClient.Listener() {
      @Override
      public void onOpen(WsClient c) {
        open = true;
      }

      @Override
      public void onMessage(WsClient c, ByteBuf data) {
        handle(data.toString(StandardCharsets.UTF_8));
      }

      @Override
      public void onClose(WsClient c, String reason, Throwable cause) {
        open = false;
        closeReason = reason;
      }
    });
  }

  public static DashboardClient connect(EventLoopGroup group, int hubPort, String query) {
    return new DashboardClient(group, URI.create("ws://127.0.0.1:" + hubPort + "/ws" + query),
        WsClient.Options.defaults());
  }

  /**
   * A client with a tiny socket receive buffer and no compression, so that it stalls soon once it
   * stops reading.
   */
  public static DashboardClient connectSmallBuffer(EventLoopGroup group, int hubPort, String query) {
    return new DashboardClient(group, URI.create("ws://127.0.0.1:" + hubPort + "/ws" + query),
        new WsClient.Options(8 << 20, false, 3000, null, 4096));
  }

  public static DashboardClient connect(EventLoopGroup group, int hubPort) {
    return connect(group, hubPort, "");
  }

  public boolean isOpen() {
    return open;
  }

  public String closeReason() {
    return closeReason;
  }

  public Map<Integer, Node> nodes() {
    return nodes;
  }

  public Node node(int id) {
    return nodes.get(id);
  }

  /** The node's status, or "" before the client has heard of it. */
  public String status(int id) {
    var n = nodes.get(id);
    return n == null || n.status == null ? "" : n.status;
  }

  public String reason(int id) {
    var n = nodes.get(id);
    return n == null || n.reason == null ? "" : n.reason;
  }

  public String name(int id) {
    var n = nodes.get(id);
    return n == null || n.name == null ? "" : n.name;
  }

  public List<String> errors() {
    return errors;
  }

  public List<String> types() {
    return types;
  }

  public int messages() {
    return messages.get();
  }

  public JsonNode stats() {
    return stats.get();
  }

  public long online() {
    return nodes.values().stream().filter(n -> "online".equals(n.status)).count();
  }

  public int onlineGpus() {
    return nodes.values().stream().filter(n -> "online".equals(n.status))
        .mapToInt(n -> n.gpus.size()).sum();
  }

  public void send(String text) {
    client.send(text);
  }

  public void pauseReading(boolean paused) {
    client.pauseReading(paused);
  }

  private void handle(String text) {
    messages.incrementAndGet();
    JsonNode msg;
    try {
      msg = Json.MAPPER.readTree(text);
    } catch (Exception e) {
      errors.add("unreadable message: " + e.getMessage());
      return;
    }
    String type = msg.path("type").asText();
    types.add(type);
    if (msg.has("cluster_stats")) {
      stats.set(msg.get("cluster_stats"));
    }
    switch (type) {
      case "snapshot" -> msg.get("nodes").forEach(this::replace);
      case "node" -> replace(msg.get("node"));
      case "delta" -> delta(msg);
      case "summaries" -> msg.get("nodes").forEach(s -> {
        var n = nodes.computeIfAbsent(s.get("id").asInt(), k -> new Node());
        n.status = s.get("status").asText();
        n.seq = s.path("seq").asLong();
        n.updates.incrementAndGet();
      });
      default -> { }
    }
  }

  private void replace(JsonNode entry) {
    var n = nodes.computeIfAbsent(entry.get("id").asInt(), k -> new Node());
    n.v = entry.get("v").asInt();
    n.status = entry.get("status").asText();
    n.reason = entry.path("reason").asText();
    n.name = entry.path("name").asText();
    n.url = entry.path("url").asText();
    n.seq = entry.path("seq").asLong();
    if (entry.has("gpus")) {
      n.gpus.clear();
      entry.get("gpus").fields().forEachRemaining(e -> n.gpus.put(e.getKey(), (ObjectNode) e.getValue()));
      n.processes = entry.get("processes");
      n.system = (ObjectNode) entry.get("system");
    }
    n.updates.incrementAndGet();
  }

  private void delta(JsonNode msg) {
    int id = msg.get("id").asInt();
    var n = nodes.get(id);
    if (n == null) {
      errors.add("delta for unknown node " + id);
      return;
    }
    int v = msg.get("v").asInt();
    if (v != n.v + 1) {
      errors.add("node " + id + ": delta v" + v + " on top of v" + n.v);
      return;
    }
    n.v = v;
    n.seq = msg.path("seq").asLong();
    if (msg.has("status")) {
      n.status = msg.get("status").asText();
      n.reason = msg.path("reason").asText();
      n.name = msg.path("name").asText();
    }
    if (msg.has("gpus")) {
      for (Iterator<Map.Entry<String, JsonNode>> it = msg.get("gpus").fields(); it.hasNext(); ) {
        var e = it.next();
        if (e.getValue().isNull()) {
          n.gpus.remove(e.getKey());
          continue;
        }
        var gpu = n.gpus.computeIfAbsent(e.getKey(), k -> JsonNodeFactory.instance.objectNode());
        merge(gpu, e.getValue());
      }
    }
    if (msg.has("system")) {
      merge(n.system, msg.get("system"));
    }
    if (msg.has("processes")) {
      n.processes = msg.get("processes");
    }
    n.updates.incrementAndGet();
  }

  private static void merge(ObjectNode target, JsonNode change) {
    for (Iterator<Map.Entry<String, JsonNode>> it = change.fields(); it.hasNext(); ) {
      var f = it.next();
      if (f.getValue().isNull()) {
        target.remove(f.getKey());
      } else {
        target.set(f.getKey(), f.getValue());
      }
    }
  }

  /** The utilization of every GPU of a node, in id order. */
  public List<Integer> utilization(int id) {
    var out = new ArrayList<Integer>();
    var n = nodes.get(id);
    if (n != null) {
      n.gpus.values().forEach(g -> out.add(g.path("utilization").asInt(-1)));
    }
    return out;
  }

  @Override
  public void close() {
    client.close("test done");
  }
}
