package io.gpuhot.hub;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's picture of the cluster: one {@link NodeEntry} per configured URL, changed only on the
 * hub's state loop. Every change bumps the entry's version and goes to {@link Dashboards} at once,
 * encoded as a delta.
 *
 * <p>A node is online while its connection is open and fresh samples arrive; it goes offline when
 * the connection closes, when no message came for three update intervals, or when it keeps
 * re-sending one old sample; it is in error when it sent something unusable, with the reason.
 */
final class ClusterState {
  private static final Logger log = LoggerFactory.getLogger(ClusterState.class);
  static final int STALE_INTERVALS = 3;

  private final List<NodeEntry> nodes;
  private final double defaultIntervalS;
  private final LongSupplier clock;
  private Dashboards dashboards;
  private ClusterStats stats;
  private int changeCount;
  private volatile boolean closing;

  private final EventLog events = new EventLog();

  ClusterState(List<URI> urls, double defaultIntervalS, boolean keepHistory, LongSupplier clock) {
    var list = new ArrayList<NodeEntry>();
    for (int i = 0; i < urls.size(); i++) {
      list.add(new NodeEntry(i, urls.get(i), keepHistory));
    }
    this.nodes = List.copyOf(list);
    this.defaultIntervalS = defaultIntervalS;
    this.clock = clock;
    long now = clock.getAsLong();
    nodes.forEach(e -> e.statusSinceMs = now);
  }

  void attach(Dashboards dashboards) {
    this.dashboards = dashboards;
  }

  List<NodeEntry> nodes() {
    return nodes;
  }

  NodeEntry node(int id) {
    return nodes.get(id);
  }

  EventLog events() {
    return events;
  }

  /** Changes since start; a cache keyed by it is current while it stays the same. */
  int changes() {
    return changeCount;
  }

  ClusterStats stats() {
    if (stats == null) {
      stats = ClusterStats.of(nodes);
    }
    return stats;
  }

  /** Milliseconds of silence after which the node counts as offline. */
  long staleAfterMs(NodeEntry e) {
    double interval = Double.isNaN(e.intervalS) ? defaultIntervalS : e.intervalS;
    if (Double.isNaN(e.intervalS) && !Double.isNaN(e.observedGapMs)) {
      interval = Math.max(interval, e.observedGapMs / 1000);
    }
    return Math.round(interval * 1000 * STALE_INTERVALS) + 100;
  }

  /** Marks the hub as stopping, so connections it closes itself are not reported as faults. */
  void closing() {
    closing = true;
  }

  void connected(int id) {
    var e = nodes.get(id);
    e.connected = true;
    e.connectedAtMs = clock.getAsLong();
    if (!e.online() && e.status != NodeStatus.ERROR) {
      setStatus(e, NodeStatus.OFFLINE, "connected, waiting for the first message");
    }
  }

  void disconnected(int id, String reason) {
    var e = nodes.get(id);
    e.connected = false;
    if (e.status == NodeStatus.ERROR && e.lastFreshMs < e.statusSinceMs) {
      return;
    }
    if (e.online() && !closing) {
      log.warn("node {} ({}) went offline: {}", e.displayName(), e.key, reason);
    }
    setStatus(e, NodeStatus.OFFLINE, reason);
  }

  void malformed(int id, String reason) {
    var e = nodes.get(id);
    if (e.status != NodeStatus.ERROR || !reason.equals(e.reason)) {
      log.warn("node {} ({}) sent an unusable message: {}", e.displayName(), e.key, reason);
    }
    setStatus(e, NodeStatus.ERROR, reason);
  }

  /** Applies one normalised node message. */
  void message(int id, NodeMessage m, long receivedAtMs) {
    var e = nodes.get(id);
    if (e.lastMessageMs > 0) {
      double gap = receivedAtMs - e.lastMessageMs;
      e.observedGapMs = Double.isNaN(e.observedGapMs) ? gap : e.observedGapMs * 0.8 + gap * 0.2;
    }
    e.lastMessageMs = receivedAtMs;
    e.messages++;
    boolean fresh = m.freshness() == null || !m.freshness().equals(e.freshness);
    if (!fresh) {
      return;
    }
    e.freshness = m.freshness();
    e.lastFreshMs = receivedAtMs;
    boolean wasOnline = e.online();
    boolean renamed = !Objects.equals(e.name, m.name())
        || !Objects.equals(e.nodeError, m.error());
    e.name = m.name();
    e.nodeError = m.error();
    Changes changes = Changes.merge(e, m);
    e.seq = m.seq() >= 0 ? m.seq() : e.seq + 1;
    e.sampledAtMs = m.sampledAtMs();
    e.intervalS = m.intervalS();
    e.summary = NodeEntry.Summary.of(e.gpus, e.processes);
    if (!wasOnline) {
      if (e.everOnline) {
        log.info("node {} ({}) is online again", e.displayName(), e.key);
        event(e, "info", e.status == NodeStatus.ERROR ? "node_error" : "node_offline", null,
            "node is back online", false);
      }
      e.everOnline = true;
      e.status = NodeStatus.ONLINE;
      e.reason = "streaming";
      e.statusSinceMs = receivedAtMs;
    }
    if (e.history != null) {
      e.history.record(Double.isNaN(e.sampledAtMs) ? receivedAtMs : (long) e.sampledAtMs,
          e.gpus, e.system);
    }
    watch(e, changes, receivedAtMs);
    if (renamed) {
      for (var other : markDuplicateNames()) {
        if (other != e) {
          publish(other, Changes.NONE, true);
        }
      }
    }
    boolean statusChanged = !wasOnline || renamed;
    publish(e, changes, statusChanged || changes.gpuCountChanged());
  }

  /** Marks nodes offline whose stream went quiet or stale; returns the ones to reconnect. */
  List<NodeEntry> checkStale() {
    long now = clock.getAsLong();
    var quiet = new ArrayList<NodeEntry>();
    for (var e : nodes) {
      long limit = staleAfterMs(e);
      if (!e.online()) {
        long since = Math.max(e.connectedAtMs, e.lastMessageMs);
        if (e.connected && now - since > limit && e.status == NodeStatus.OFFLINE) {
          setStatus(e, NodeStatus.OFFLINE, String.format(java.util.Locale.ROOT,
              "connected, but no message for %.1f s", (now - since) / 1000.0));
          quiet.add(e);
        }
        continue;
      }
      if (now - e.lastMessageMs > limit) {
        String why = String.format(java.util.Locale.ROOT, "no message for %.1f s",
            (now - e.lastMessageMs) / 1000.0);
        log.warn("node {} ({}) went offline: {}", e.displayName(), e.key, why);
        setStatus(e, NodeStatus.OFFLINE, why);
        quiet.add(e);
      } else if (now - e.lastFreshMs > limit) {
        String why = String.format(java.util.Locale.ROOT, "repeats a sample from %.1f s ago",
            (now - e.lastFreshMs) / 1000.0);
        log.warn("node {} ({}) went offline: {}", e.displayName(), e.key, why);
        setStatus(e, NodeStatus.OFFLINE, why);
      }
    }
    return quiet;
  }

  private void setStatus(NodeEntry e, NodeStatus status, String reason) {
    if (e.status == status && e.reason.equals(reason)) {
      return;
    }
    if (e.status != status) {
      e.statusSinceMs = clock.getAsLong();
      if (status == NodeStatus.ERROR) {
        event(e, "critical", "node_error", null, "node sends unusable data: " + reason, true);
      } else if (status == NodeStatus.OFFLINE && e.online() && !closing) {
        event(e, "warning", "node_offline", null, "node offline: " + reason, true);
      }
    }
    e.status = status;
    e.reason = reason;
    publish(e, Changes.NONE, true);
  }

  /** Feeds the GPUs of a fresh sample to their watches and logs what they find. */
  private void watch(NodeEntry e, Changes changes, long nowMs) {
    for (String id : changes.removed) {
      e.watches.remove(id);
      event(e, "critical", "gpu_lost", id, "GPU " + id + " is no longer reported", true);
    }
    if (e.messages > 1) {
      for (String id : changes.added.keySet()) {
        event(e, "info", "gpu_lost", id, "GPU " + id + " is reported", false);
      }
    }
    for (var gpu : e.gpus.entrySet()) {
      e.watches.computeIfAbsent(gpu.getKey(), k -> new GpuWatch()).observe(gpu.getValue(), nowMs,
          f -> event(e, f.severity(), f.kind(), gpu.getKey(), f.message(), f.active()));
    }
  }

  private void event(NodeEntry e, String severity, String kind, String gpu, String message,
      boolean active) {
    var ev = events.add(clock.getAsLong(), severity, kind, e, gpu, message, active);
    if (!severity.equals("info") || !active) {
      log.debug("event on {} GPU {}: {}", e.displayName(), gpu, message);
    }
    if (dashboards != null) {
      dashboards.event(ev);
    }
  }

  /** Flags names reported by more than one node; returns the entries whose flag changed. */
  private List<NodeEntry> markDuplicateNames() {
    var changed = new ArrayList<NodeEntry>();
    var counts = new HashMap<String, Integer>();
    for (var e : nodes) {
      if (e.name != null) {
        counts.merge(e.name, 1, Integer::sum);
      }
    }
    for (var e : nodes) {
      boolean dup = e.name != null && counts.get(e.name) > 1;
      if (dup && !e.duplicateName) {
        log.warn("node name '{}' is reported by more than one node; showing {} by its address",
            e.name, e.key);
      }
      if (dup != e.duplicateName) {
        changed.add(e);
      }
      e.duplicateName = dup;
    }
    return changed;
  }

  private void publish(NodeEntry e, Changes changes, boolean countsMayChange) {
    e.version++;
    changeCount++;
    ClusterStats before = stats;
    stats = null;
    ClusterStats changedStats = null;
    if (countsMayChange) {
      ClusterStats now = stats();
      if (now.countsDiffer(before)) {
        changedStats = now;
      }
    }
    if (dashboards != null) {
      dashboards.nodeChanged(e, changes, countsMayChange, changedStats);
    }
  }
}
