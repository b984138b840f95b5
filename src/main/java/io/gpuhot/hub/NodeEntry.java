package io.gpuhot.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpuhot.history.NodeHistory;
import io.gpuhot.net.WsMessage;
import java.net.URI;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The hub's state of one configured node, keyed by its URL. Only the hub's state loop touches
 * it. {@link #version} grows with every change the dashboards must see, so a client that holds
 * version {@code v - 1} can apply the delta of version {@code v}.
 */
final class NodeEntry {
  final int id;
  final URI url;
  final String key;
  final String address;

  String name;
  String nodeError;
  boolean duplicateName;
  NodeStatus status = NodeStatus.OFFLINE;
  String reason = "connecting";
  boolean connected;
  long connectedAtMs;
  final Map<String, ObjectNode> gpus = new LinkedHashMap<>();
  ArrayNode processes = JsonNodeFactory.instance.arrayNode();
  final ObjectNode system = JsonNodeFactory.instance.objectNode();
  long seq = -1;
  double sampledAtMs = Double.NaN;
  double intervalS = Double.NaN;
  double observedGapMs = Double.NaN;
  long lastMessageMs;
  long lastFreshMs;
  String freshness;
  long messages;
  long statusSinceMs;
  int version;
  Summary summary = Summary.EMPTY;
  boolean everOnline;
  final NodeHistory history;
  final Map<String, GpuWatch> watches = new HashMap<>();

  private final WsMessage[] fullCache = new WsMessage[Tier.values().length];
  private final int[] fullCacheVersion = {-1, -1};

  NodeEntry(int id, URI url, boolean keepHistory) {
    this.id = id;
    this.url = url;
    this.history = keepHistory ? new NodeHistory() : null;
    String s = url.toString();
    this.key = s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    this.address = url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : "");
  }

  /** The name people see: the reported one, qualified by address when two nodes share it. */
  String displayName() {
    if (name == null) {
      return address;
    }
    return duplicateName ? name + " (" + address + ")" : name;
  }

  boolean online() {
    return status == NodeStatus.ONLINE;
  }

  /** The encoded entry of the current version in the given tier, if one was made. */
  WsMessage cachedFull(Tier tier) {
    int i = tier.ordinal();
    return fullCacheVersion[i] == version ? fullCache[i] : null;
  }

  void cacheFull(Tier tier, WsMessage encoded) {
    int i = tier.ordinal();
    if (fullCache[i] != null) {
      fullCache[i].release();
    }
    fullCache[i] = encoded;
    fullCacheVersion[i] = version;
  }

  void release() {
    for (int i = 0; i < fullCache.length; i++) {
      if (fullCache[i] != null) {
        fullCache[i].release();
        fullCache[i] = null;
      }
    }
  }

  /** The figures the cluster overview shows for one node, derived from its GPUs. */
  record Summary(
      int gpus,
      double utilization,
      double memoryUsed,
      double memoryTotal,
      double power,
      double powerLimit,
      double maxTemperature,
      int throttled,
      int processes) {
    static final Summary EMPTY = new Summary(0, Double.NaN, 0, 0, 0, 0, Double.NaN, 0, 0);

    static Summary of(Map<String, ObjectNode> gpus, ArrayNode processes) {
      double util = 0;
      int utilCount = 0;
      double used = 0;
      double total = 0;
      double power = 0;
      double limit = 0;
      double maxTemp = Double.NaN;
      int throttled = 0;
      for (ObjectNode gpu : gpus.values()) {
        JsonNode u = gpu.get("utilization");
        if (u != null && u.isNumber()) {
          util += u.asDouble();
          utilCount++;
        }
        used += num(gpu, "memory_used");
        total += num(gpu, "memory_total");
        power += num(gpu, "power_draw");
        limit += num(gpu, "power_limit");
        JsonNode t = gpu.get("temperature");
        if (t != null && t.isNumber() && !(t.asDouble() <= maxTemp)) {
          maxTemp = t.asDouble();
        }
        String reasons = gpu.path("throttle_reasons").asText("None");
        if (!reasons.isEmpty() && !reasons.equals("None")) {
          throttled++;
        }
      }
      return new Summary(gpus.size(), utilCount == 0 ? Double.NaN : util / utilCount, used, total,
          power, limit, maxTemp, throttled, processes.size());
    }

    private static double num(ObjectNode gpu, String field) {
      JsonNode n = gpu.get(field);
      return n != null && n.isNumber() ? n.asDouble() : 0;
    }
  }
}
