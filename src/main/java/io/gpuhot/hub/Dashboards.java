package io.gpuhot.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpuhot.net.WsSession;
import io.gpuhot.support.Json;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboards connected to the hub and what each has been sent. Runs on the state loop, which
 * also owns every dashboard connection, so a fan-out is a plain loop over local sockets.
 *
 * <p>Each change is encoded once and the same bytes go to every client that views the node. A
 * client that cannot keep up is skipped, never queued for: it keeps the version it last got, and
 * once its socket drains it is sent the current state of what it missed, in full. Memory per
 * client is therefore bounded by Netty's write buffer, whatever the client does.
 *
 * <p>Clients of the original protocol ({@code /socket.io/}) get the full hub message, gathered
 * over a short window and encoded once per window.
 */
final class Dashboards {
  private static final Logger log = LoggerFactory.getLogger(Dashboards.class);
  private static final long HEARTBEAT_MS = 5_000;

  private final ClusterState state;
  private final EventLoop loop;
  private final HubConfig config;
  private final String mode;
  private final String version;
  private final List<Client> clients = new ArrayList<>();
  private final List<WsSession> compatClients = new ArrayList<>();
  private final BitSet summaryDirty = new BitSet();
  private final LongAdder messagesSent = new LongAdder();
  private final LongAdder messagesSkipped = new LongAdder();
  private boolean summaryFlushScheduled;
  private boolean compatFlushScheduled;
  private boolean compatMissed;
  private ByteBuf snapshotAll;
  private int snapshotAllChanges = -1;

  Dashboards(ClusterState state, EventLoop loop, HubConfig config, String mode, String version) {
    this.state = state;
    this.loop = loop;
    this.config = config;
    this.mode = mode;
    this.version = version;
    loop.scheduleAtFixedRate(this::housekeeping, 1, 1, TimeUnit.SECONDS);
  }

  /** One protocol-2 dashboard and what it holds. */
  private final class Client {
    final WsSession session;
    final int[] held;
    final BitSet detail = new BitSet();
    boolean detailAll;
    boolean summariesMissed;
    long lastSentMs = System.currentTimeMillis();
    long blockedSinceMs;

    Client(WsSession session) {
      this.session = session;
      this.held = new int[state.nodes().size()];
      Arrays.fill(held, -1);
    }

    boolean detailed(int id) {
      return detailAll || detail.get(id);
    }

    boolean wantsSummaries() {
      return !detailAll;
    }

    void send(ByteBuf message) {
      session.send(message);
      lastSentMs = System.currentTimeMillis();
      messagesSent.increment();
    }
  }

  int clientCount() {
    return clients.size() + compatClients.size();
  }

  long messagesSent() {
    return messagesSent.sum();
  }

  long messagesSkipped() {
    return messagesSkipped.sum();
  }

  // Connections (called on the state loop).

  WsSession.Listener openV2(WsSession session) {
    var client = new Client(session);
    String detail = session.param("detail", "auto");
    switch (detail) {
      case "all" -> client.detailAll = true;
      case "none" -> client.detailAll = false;
      default -> client.detailAll = state.stats().knownGpus() <= config.autoDetailGpus();
    }
    clients.add(client);
    sendSnapshot(client);
    return new WsSession.Listener() {
      @Override
      public void onText(WsSession s, String text) {
        view(client, text);
      }

      @Override
      public void onWritabilityChanged(WsSession s) {
        if (s.isWritable()) {
          catchUp(client);
        }
      }

      @Override
      public void onClose(WsSession s) {
        clients.remove(client);
      }
    };
  }

  WsSession.Listener openCompat(WsSession session) {
    compatClients.add(session);
    ByteBuf full = StreamEncoder.compat(state.nodes(), state.stats());
    try {
      session.send(full);
    } finally {
      full.release();
    }
    return new WsSession.Listener() {
      @Override
      public void onWritabilityChanged(WsSession s) {
        if (s.isWritable() && compatMissed) {
          scheduleCompatFlush();
        }
      }

      @Override
      public void onClose(WsSession s) {
        compatClients.remove(s);
      }
    };
  }

  private void sendSnapshot(Client client) {
    ByteBuf snapshot;
    if (client.detailAll) {
      if (snapshotAllChanges != state.changes() || snapshotAll == null) {
        if (snapshotAll != null) {
          snapshotAll.release();
        }
        snapshotAll = StreamEncoder.snapshot(state.nodes(), id -> true, state.stats(), mode,
            config.intervalS(), version);
        snapshotAllChanges = state.changes();
      }
      snapshot = snapshotAll.retain();
    } else {
      snapshot = StreamEncoder.snapshot(state.nodes(), client.detail::get, state.stats(), mode,
          config.intervalS(), version);
    }
    try {
      client.send(snapshot);
    } finally {
      snapshot.release();
    }
    for (var e : state.nodes()) {
      client.held[e.id] = client.detailed(e.id) ? e.version : -1;
    }
  }

  /** Reads a client's view request: {@code {"type":"view","detail":"all"|[ids]}}. */
  private void view(Client client, String text) {
    JsonNode msg;
    try {
      msg = Json.MAPPER.readTree(text);
    } catch (Exception e) {
      log.debug("dashboard {} sent unreadable text; ignored", client.session);
      return;
    }
    if (!"view".equals(msg.path("type").asText())) {
      return;
    }
    JsonNode detail = msg.get("detail");
    boolean before = client.detailAll;
    BitSet old = (BitSet) client.detail.clone();
    if (detail != null && detail.isTextual() && detail.asText().equals("all")) {
      client.detailAll = true;
    } else if (detail != null && detail.isArray()) {
      client.detailAll = false;
      client.detail.clear();
      for (JsonNode id : detail) {
        if (id.canConvertToInt() && id.asInt() >= 0 && id.asInt() < state.nodes().size()) {
          client.detail.set(id.asInt());
        }
      }
    } else {
      return;
    }
    for (var e : state.nodes()) {
      boolean was = before || old.get(e.id);
      if (client.detailed(e.id) && !was) {
        client.held[e.id] = -1;
      } else if (!client.detailed(e.id)) {
        client.held[e.id] = -1;
      }
    }
    if (before && !client.detailAll) {
      client.summariesMissed = true;
    }
    catchUp(client);
  }

  // Fan-out (called by ClusterState on the state loop).

  void nodeChanged(NodeEntry e, Map<String, ObjectNode> oldGpus, ArrayNode oldProcesses,
      ObjectNode oldSystem, boolean statusChanged, ClusterStats changedStats) {
    if (!clients.isEmpty()) {
      fanOut(e, oldGpus, oldProcesses, oldSystem, statusChanged, changedStats);
    }
    if (!compatClients.isEmpty()) {
      scheduleCompatFlush();
    }
  }

  private void fanOut(NodeEntry e, Map<String, ObjectNode> oldGpus, ArrayNode oldProcesses,
      ObjectNode oldSystem, boolean statusChanged, ClusterStats changedStats) {
    ByteBuf delta = null;
    boolean anySummary = false;
    try {
      for (var c : clients) {
        if (!c.detailed(e.id)) {
          anySummary = true;
          continue;
        }
        if (!c.session.isWritable()) {
          messagesSkipped.increment();
          blocked(c);
          continue;
        }
        if (c.held[e.id] == e.version - 1) {
          if (delta == null) {
            delta = StreamEncoder.delta(e, oldGpus, oldProcesses, oldSystem, statusChanged,
                changedStats);
          }
          c.send(delta);
        } else {
          c.send(full(e));
        }
        c.held[e.id] = e.version;
      }
    } finally {
      if (delta != null) {
        delta.release();
      }
    }
    if (anySummary) {
      summaryDirty.set(e.id);
      if (!summaryFlushScheduled) {
        summaryFlushScheduled = true;
        loop.schedule(this::flushSummaries, config.summaryWindowMs(), TimeUnit.MILLISECONDS);
      }
    }
  }

  private ByteBuf full(NodeEntry e) {
    ByteBuf cached = e.cachedFull();
    if (cached == null) {
      cached = StreamEncoder.node(e, state.stats());
      e.cacheFull(cached);
    }
    return cached;
  }

  private void blocked(Client c) {
    if (c.blockedSinceMs == 0) {
      c.blockedSinceMs = System.currentTimeMillis();
    }
  }

  /** Sends a client that drained its socket what changed while it was blocked. */
  private void catchUp(Client c) {
    c.blockedSinceMs = 0;
    for (var e : state.nodes()) {
      if (!c.session.isWritable()) {
        blocked(c);
        return;
      }
      if (c.detailed(e.id) && c.held[e.id] != e.version) {
        c.send(full(e));
        c.held[e.id] = e.version;
      }
    }
    if (c.summariesMissed && c.session.isWritable()) {
      var list = state.nodes().stream().filter(n -> !c.detailed(n.id)).toList();
      ByteBuf all = StreamEncoder.summaries(list, state.stats());
      try {
        c.send(all);
      } finally {
        all.release();
      }
      c.summariesMissed = false;
    }
  }

  private void flushSummaries() {
    summaryFlushScheduled = false;
    var dirty = new ArrayList<NodeEntry>();
    for (int id = summaryDirty.nextSetBit(0); id >= 0; id = summaryDirty.nextSetBit(id + 1)) {
      dirty.add(state.node(id));
    }
    summaryDirty.clear();
    if (dirty.isEmpty()) {
      return;
    }
    ByteBuf batch = StreamEncoder.summaries(dirty, state.stats());
    try {
      for (var c : clients) {
        if (!c.wantsSummaries()) {
          continue;
        }
        if (c.session.isWritable()) {
          c.send(batch);
        } else {
          c.summariesMissed = true;
          messagesSkipped.increment();
          blocked(c);
        }
      }
    } finally {
      batch.release();
    }
  }

  private void scheduleCompatFlush() {
    if (!compatFlushScheduled) {
      compatFlushScheduled = true;
      loop.schedule(this::flushCompat, config.compatWindowMs(), TimeUnit.MILLISECONDS);
    }
  }

  private void flushCompat() {
    compatFlushScheduled = false;
    compatMissed = false;
    if (compatClients.isEmpty()) {
      return;
    }
    ByteBuf full = StreamEncoder.compat(state.nodes(), state.stats());
    try {
      for (var s : compatClients) {
        if (s.isWritable()) {
          s.send(full);
          messagesSent.increment();
        } else {
          compatMissed = true;
          messagesSkipped.increment();
        }
      }
    } finally {
      full.release();
    }
  }

  /** Heartbeats for quiet clients, and disconnects clients that stopped reading long ago. */
  private void housekeeping() {
    long now = System.currentTimeMillis();
    ByteBuf beat = null;
    try {
      for (var c : new ArrayList<>(clients)) {
        if (c.blockedSinceMs > 0 && now - c.blockedSinceMs > config.stallTimeoutMs()) {
          log.warn("dashboard {} accepted nothing for {} s; disconnecting it", c.session,
              (now - c.blockedSinceMs) / 1000);
          c.session.abort();
          clients.remove(c);
          continue;
        }
        if (now - c.lastSentMs >= HEARTBEAT_MS && c.session.isWritable()) {
          if (beat == null) {
            beat = StreamEncoder.heartbeat();
          }
          c.send(beat);
        }
      }
    } catch (RuntimeException e) {
      log.warn("dashboard housekeeping failed; it runs again in a second", e);
    } finally {
      if (beat != null) {
        beat.release();
      }
    }
  }

  void close() {
    if (snapshotAll != null) {
      snapshotAll.release();
      snapshotAll = null;
    }
  }
}
