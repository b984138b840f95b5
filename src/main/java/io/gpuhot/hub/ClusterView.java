package io.gpuhot.hub;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpuhot.net.HttpReply;
import io.gpuhot.net.WebServer;
import io.gpuhot.support.Json;
import io.gpuhot.support.ProcessStats;
import io.gpuhot.support.Version;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The cluster as dashboards see it: the state of each node, its history and events, and the
 * protocol-2 stream and JSON API over them. A hub feeds it from its node links; a node feeds it
 * its own samples. All of it runs on one state loop.
 */
public final class ClusterView {
  private final HubConfig config;
  private final EventLoop stateLoop;
  private final String mode;
  private final ClusterState state;
  private final Dashboards dashboards;

  public ClusterView(List<URI> nodes, HubConfig config, EventLoop stateLoop, String mode) {
    this.config = config;
    this.stateLoop = stateLoop;
    this.mode = mode;
    this.state = new ClusterState(nodes, config.intervalS(), config.history(),
        System::currentTimeMillis);
    this.dashboards = new Dashboards(state, stateLoop, config, mode, Version.current());
    state.attach(dashboards);
  }

  ClusterState state() {
    return state;
  }

  Dashboards dashboards() {
    return dashboards;
  }

  /** Adds the stream and API of this view to a server under construction. */
  public WebServer.Builder routes(WebServer.Builder b) {
    return b
        .route("/api/cluster", q -> onState(() -> bytes(StreamEncoder.snapshot(state.nodes(),
            id -> Tier.FULL, state.stats(), mode, config.intervalS(), Version.current(),
            state.events().since(0, 100)))))
        .route("/api/history", q -> onState(() -> HistoryRoute.answer(state, q)))
        .route("/api/events", q -> onState(() -> HistoryRoute.events(state, q)))
        .route("/api/health", q -> onState(this::health))
        .websocket(List.of("/ws"), dashboards::openV2);
  }

  /**
   * Feeds one node message made in this process, as if it had arrived from node {@code id};
   * may be called from any thread. A message that is not a node message is reported as the
   * node's error.
   */
  public void accept(int id, ObjectNode message, long receivedAtMs) {
    NodeMessage m;
    try {
      m = NodeMessage.of(message);
    } catch (NodeMessage.Malformed e) {
      stateLoop.execute(() -> state.malformed(id, e.getMessage()));
      return;
    }
    stateLoop.execute(() -> state.message(id, m, receivedAtMs));
  }

  /** Marks node {@code id} offline with a reason; may be called from any thread. */
  public void offline(int id, String reason) {
    stateLoop.execute(() -> state.disconnected(id, reason));
  }

  /** Runs after every connect and disconnect of a dashboard (on the state loop). */
  public void onClientsChanged(Runnable listener) {
    stateLoop.execute(() -> dashboards.onClientsChanged(listener));
  }

  /** Protocol-2 dashboards and original-protocol clients connected now. */
  public int dashboardClients() {
    return call(dashboards::clientCount);
  }

  public long messagesSent() {
    return dashboards.messagesSent();
  }

  public long messagesSkipped() {
    return dashboards.messagesSkipped();
  }

  public long maxBacklogBytes() {
    return call(dashboards::maxBacklogBytes);
  }

  void closing() {
    state.closing();
  }

  void release() {
    stateLoop.execute(() -> {
      dashboards.close();
      state.nodes().forEach(NodeEntry::release);
    });
  }

  private <T> T call(Callable<T> read) {
    try {
      return stateLoop.inEventLoop() ? read.call() : stateLoop.submit(read).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the state loop did not answer", e);
    }
  }

  /** Runs a read of the state on the state loop; routes already run there. */
  HttpReply onState(Callable<HttpReply> read) throws Exception {
    if (stateLoop.inEventLoop()) {
      return read.call();
    }
    return stateLoop.submit(read).get(5, TimeUnit.SECONDS);
  }

  private HttpReply health() {
    var s = state.stats();
    var only = state.nodes().get(0);
    boolean noGpus = mode.equals("node") && only.online() && only.gpus.isEmpty();
    String status = noGpus ? "no GPUs" + (only.nodeError == null ? "" : ": " + only.nodeError)
        : s.onlineNodes() > 0 ? "ok" : "no node online";
    String body = "{\"status\":" + Json.MAPPER.valueToTree(status)
        + ",\"mode\":\"" + mode + "\",\"online_nodes\":" + s.onlineNodes() + ",\"total_nodes\":"
        + s.totalNodes() + ",\"dashboards\":" + dashboards.clientCount() + ",\"messages_sent\":"
        + dashboards.messagesSent() + ",\"messages_skipped\":" + dashboards.messagesSkipped()
        + ",\"process\":" + ProcessStats.json() + "}";
    var bytes = body.getBytes(StandardCharsets.UTF_8);
    return s.onlineNodes() > 0 && !noGpus
        ? HttpReply.json(bytes)
        : HttpReply.json(HttpResponseStatus.SERVICE_UNAVAILABLE, bytes);
  }

  static HttpReply bytes(ByteBuf buf) {
    try {
      return HttpReply.json(ByteBufUtil.getBytes(buf));
    } finally {
      buf.release();
    }
  }
}
