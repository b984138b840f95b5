package io.gpuhot.hub;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpuhot.net.WsSession;
import io.gpuhot.support.Json;
import io.gpuhot.net.WsMessage;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
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
  private static final int SNAPSHOT_EVENTS = 100;

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
  private Runnable clientsChanged = () -> { };
  private boolean summaryFlushScheduled;
  private boolean compatFlushScheduled;
  private boolean compatMissed;
  private final WsMessage[] snapshots = new WsMessage[Tier.values().length];
  private final int[] snapshotChanges = {-1, -1};

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
    final Tier[] tiers;
    final Tier listTier;
    boolean summariesMissed;
    long lastSentMs = System.currentTimeMillis();
    long blockedSinceMs;

    Client(WsSession session, Tier listTier) {
      this.session = session;
      this.listTier = listTier;
      this.held = new int[state.nodes().size()];
      this.tiers = new Tier[state.nodes().size()];
      Arrays.fill(held, -1);
    }

    boolean detailed(int id) {
      return tiers[id] != null;
    }

    boolean wantsSummaries() {
      for (Tier t : tiers) {
        if (t == null) {
          return true;
        }
      }
      return false;
    }

    /** The one tier every node is viewed in, or null when they differ. */
    Tier uniformTier() {
      Tier first = tiers.length == 0 ? listTier : tiers[0];
      for (Tier t : tiers) {
        if (t != first) {
          return null;
        }
      }
      return first;
    }

    void send(WsMessage message) {
      session.send(message);
      lastSentMs = System.currentTimeMillis();
      messagesSent.increment();
    }
  }

  int clientCount() {
    return clients.size() + compatClients.size();
  }

  /** Runs after every connect and disconnect of a dashboard, on the state loop. */
  void onClientsChanged(Runnable r) {
    clientsChanged = r;
  }

  long messagesSent() {
    return messagesSent.sum();
  }

  long messagesSkipped() {
    return messagesSkipped.sum();
  }

  /** The most bytes Netty holds for any one dashboard, waiting for its socket. */
  long maxBacklogBytes() {
    long max = 0;
    for (var c : clients) {
      max = Math.max(max, c.session.pendingBytes());
    }
    for (var s : compatClients) {
      max = Math.max(max, s.pendingBytes());
    }
    return max;
  }

  // Connections (called on the state loop).

  WsSession.Listener openV2(WsSession session) {
    var client = new Client(session, Tier.parse(session.param("fields", "full"), Tier.FULL));
    String detail = session.param("detail", "auto");
    boolean all = switch (detail) {
      case "all" -> true;
      case "none" -> false;
      default -> state.stats().knownGpus() <= config.autoDetailGpus();
    };
    Arrays.fill(client.tiers, all ? client.listTier : null);
    clients.add(client);
    clientsChanged.run();
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
        clientsChanged.run();
      }
    };
  }

  WsSession.Listener openCompat(WsSession session) {
    compatClients.add(session);
    var full = new WsMessage(StreamEncoder.compat(state.nodes(), state.stats()));
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
    WsMessage snapshot;
    Tier uniform = client.uniformTier();
    if (uniform != null) {
      int slot = uniform.ordinal();
      if (snapshots[slot] == null || snapshotChanges[slot] != state.changes()) {
        if (snapshots[slot] != null) {
          snapshots[slot].release();
        }
        snapshots[slot] = new WsMessage(StreamEncoder.snapshot(state.nodes(), id -> uniform,
            state.stats(), mode, config.intervalS(), version, recentEvents()));
        snapshotChanges[slot] = state.changes();
      }
      snapshot = snapshots[slot].retain();
    } else {
      snapshot = new WsMessage(StreamEncoder.snapshot(state.nodes(), id -> client.tiers[id],
          state.stats(), mode, config.intervalS(), version, recentEvents()));
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

  private List<EventLog.Event> recentEvents() {
    return state.events().since(0, SNAPSHOT_EVENTS);
  }

  /**
   * Reads a client's view request: {@code {"type":"view","detail":"all"|[ids],"full":[ids]}}.
   * Nodes in {@code detail} are sent in the client's list tier, those in {@code full} with every
   * field, the rest as summaries.
   */
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
    int n = state.nodes().size();
    JsonNode detail = msg.get("detail");
    var next = new Tier[n];
    if (detail != null && detail.isTextual() && detail.asText().equals("all")) {
      Arrays.fill(next, client.listTier);
    } else if (detail != null && detail.isArray()) {
      for (JsonNode id : detail) {
        if (id.canConvertToInt() && id.asInt() >= 0 && id.asInt() < n) {
          next[id.asInt()] = client.listTier;
        }
      }
    } else {
      System.arraycopy(client.tiers, 0, next, 0, n);
    }
    JsonNode full = msg.get("full");
    if (full != null && full.isArray()) {
      for (int i = 0; i < n; i++) {
        if (next[i] == Tier.FULL && client.listTier != Tier.FULL) {
          next[i] = client.listTier;
        }
      }
      for (JsonNode id : full) {
        if (id.canConvertToInt() && id.asInt() >= 0 && id.asInt() < n) {
          next[id.asInt()] = Tier.FULL;
        }
      }
    }
    for (int i = 0; i < n; i++) {
      if (next[i] != client.tiers[i]) {
        if (next[i] == null) {
          client.summariesMissed = true;
        }
        client.held[i] = -1;
        client.tiers[i] = next[i];
      }
    }
    catchUp(client);
  }

  // Fan-out (called by ClusterState on the state loop).

  /** Sends one event to every protocol-2 dashboard that can take it now. */
  void event(EventLog.Event e) {
    if (clients.isEmpty()) {
      return;
    }
    var msg = new WsMessage(StreamEncoder.events(List.of(e)));
    try {
      for (var c : clients) {
        if (c.session.isWritable()) {
          c.send(msg);
        }
      }
    } finally {
      msg.release();
    }
  }

  void nodeChanged(NodeEntry e, Changes changes, boolean statusChanged,
      ClusterStats changedStats) {
    if (!clients.isEmpty()) {
      fanOut(e, changes, statusChanged, changedStats);
    }
    if (!compatClients.isEmpty()) {
      scheduleCompatFlush();
    }
  }

  private void fanOut(NodeEntry e, Changes changes, boolean statusChanged,
      ClusterStats changedStats) {
    var deltas = new WsMessage[Tier.values().length];
    boolean anySummary = false;
    try {
      for (var c : clients) {
        Tier tier = c.tiers[e.id];
        if (tier == null) {
          anySummary = true;
          continue;
        }
        if (!c.session.isWritable()) {
          messagesSkipped.increment();
          blocked(c);
          continue;
        }
        if (c.held[e.id] == e.version - 1) {
          int slot = tier.ordinal();
          if (deltas[slot] == null) {
            deltas[slot] = new WsMessage(StreamEncoder.delta(e, tier, changes, statusChanged,
                changedStats));
          }
          c.send(deltas[slot]);
        } else {
          c.send(full(e, tier));
        }
        c.held[e.id] = e.version;
      }
    } finally {
      for (var d : deltas) {
        if (d != null) {
          d.release();
        }
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

  private WsMessage full(NodeEntry e, Tier tier) {
    WsMessage cached = e.cachedFull(tier);
    if (cached == null) {
      cached = new WsMessage(StreamEncoder.node(e, tier, state.stats()));
      e.cacheFull(tier, cached);
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
        c.send(full(e, c.tiers[e.id]));
        c.held[e.id] = e.version;
      }
    }
    if (c.summariesMissed && c.session.isWritable()) {
      var list = state.nodes().stream().filter(n -> !c.detailed(n.id)).toList();
      var all = new WsMessage(StreamEncoder.summaries(list, state.stats()));
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
    var batch = new WsMessage(StreamEncoder.summaries(dirty, state.stats()));
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
    var full = new WsMessage(StreamEncoder.compat(state.nodes(), state.stats()));
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
    WsMessage beat = null;
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
            beat = new WsMessage(StreamEncoder.heartbeat());
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
    for (int i = 0; i < snapshots.length; i++) {
      if (snapshots[i] != null) {
        snapshots[i].release();
        snapshots[i] = null;
      }
    }
  }
}
