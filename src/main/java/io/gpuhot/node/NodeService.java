package io.gpuhot.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpuhot.hub.ClusterView;
import io.gpuhot.hub.HubConfig;
import io.gpuhot.net.HttpReply;
import io.gpuhot.net.StaticFiles;
import io.gpuhot.net.WebServer;
import io.gpuhot.net.WsMessage;
import io.gpuhot.net.WsSession;
import io.gpuhot.support.EventLoops;
import io.gpuhot.support.Json;
import io.gpuhot.support.Version;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import java.io.Closeable;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node: samples this machine's GPUs on a thread of its own and serves the node message
 * stream at {@code /socket.io/} (for hubs and clients of the original protocol), the dashboard and
 * protocol-2 stream at {@code /} and {@code /ws}, and the JSON API.
 *
 * <p>It samples every update interval while anyone is connected. With nobody connected it samples
 * only every {@link NodeConfig#idleSampleS()} seconds, to keep the history a page shows on load
 * (or not at all with history off), so an idle node costs next to nothing.
 */
public final class NodeService implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(NodeService.class);

  private final NodeConfig config;
  private final GpuSource source;
  private final NodeSampler sampler;
  private final EventLoopGroup group;
  private final ClusterView view;
  private final ScheduledExecutorService sampling;
  private final Set<WsSession> streams = ConcurrentHashMap.newKeySet();
  private final WebServer server;
  private volatile int dashboards;
  private volatile ObjectNode latest;
  private volatile long latestAtMs;
  private ScheduledFuture<?> next;

  private NodeService(NodeConfig config, GpuSource source, LongFunction<String> processNames) {
    this.config = config;
    this.source = source;
    this.sampler = new NodeSampler(config.name(), config.intervalS(), source, new HostMetrics(),
        processNames);
    this.group = EventLoops.create("node-io", 1);
    this.sampling = Executors.newSingleThreadScheduledExecutor(r -> {
      var t = new Thread(r, "gpu-sampler");
      t.setDaemon(true);
      return t;
    });
    String self = "http://" + (config.host().equals("0.0.0.0") ? "localhost" : config.host()) + ":"
        + config.port();
    var viewConfig = HubConfig.builder(List.of(URI.create(self))).intervalS(config.intervalS())
        .history(config.history()).build();
    this.view = new ClusterView(viewConfig.nodeUrls(), viewConfig, group.next(), "node");
    var files = new StaticFiles();
    try {
      this.server = view.routes(WebServer.builder("node"))
          .asyncRoute("/api/gpu-data", q -> snapshot())
          .route("/api/version", q -> HttpReply.json(Version.apiJson()))
          .websocket(List.of("/socket.io/", "/socket.io"), this::openStream)
          .fallback(files::lookup)
          .bind(group, config.host(), config.port());
    } catch (RuntimeException e) {
      EventLoops.shutdown(group);
      sampling.shutdownNow();
      throw e;
    }
  }

  /** Starts a node over the given GPU source. */
  public static NodeService start(NodeConfig config, GpuSource source,
      LongFunction<String> processNames) {
    var node = new NodeService(config, source, processNames);
    node.view.onClientsChanged(node::dashboardsChanged);
    node.sampling.execute(node::tick);
    log.info("node {} serving http://{}:{}/ with {}", config.name(), config.host(), node.port(),
        source.describe());
    if (source.problem() != null) {
      log.warn("node {}: {}{}", config.name(), source.problem(), source instanceof NoGpuSource
          ? " (to try GPU Hot without GPUs, run: gpu-hot node --simulate 4)" : "");
    }
    return node;
  }

  public int port() {
    return server.port();
  }

  private void dashboardsChanged() {
    dashboards = view.dashboardClients();
    sampling.execute(this::rescheduleNow);
  }

  private WsSession.Listener openStream(WsSession session) {
    streams.add(session);
    var last = latest;
    if (last != null) {
      session.send(last.toString());
    }
    sampling.execute(this::rescheduleNow);
    return new WsSession.Listener() {
      @Override
      public void onClose(WsSession s) {
        streams.remove(s);
      }
    };
  }

  private boolean watched() {
    return !streams.isEmpty() || dashboards > 0;
  }

  /** With a watcher arriving while idle, samples at once instead of after the idle wait. */
  private void rescheduleNow() {
    if (watched() && next != null && next.getDelay(TimeUnit.MILLISECONDS)
        > config.intervalS() * 1000) {
      next.cancel(false);
      tick();
    }
  }

  /** One sampling step and the planning of the next; runs on the sampling thread. */
  private void tick() {
    try {
      if (watched() || config.history() && config.idleSampleS() > 0) {
        publish(sampler.sample());
      }
    } catch (RuntimeException e) {
      log.warn("node {}: sampling failed; trying again at the next tick", config.name(), e);
    } finally {
      double delay = watched() ? config.intervalS()
          : config.history() && config.idleSampleS() > 0 ? config.idleSampleS() : 1;
      if (!sampling.isShutdown()) {
        next = sampling.schedule(this::tick, Math.round(delay * 1000), TimeUnit.MILLISECONDS);
      }
    }
  }

  private void publish(ObjectNode msg) {
    latest = msg;
    latestAtMs = System.currentTimeMillis();
    if (!streams.isEmpty()) {
      var bytes = Unpooled.wrappedBuffer(Json.MAPPER.valueToTree(msg).toString()
          .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      var out = new WsMessage(bytes);
      try {
        for (var s : streams) {
          if (s.isWritable()) {
            s.send(out);
          }
        }
      } finally {
        out.release();
      }
    }
    view.accept(0, msg, latestAtMs);
  }

  /** The newest node message, sampled afresh (off the event loop) when it is too old. */
  private CompletableFuture<HttpReply> snapshot() {
    var last = latest;
    if (last != null && System.currentTimeMillis() - latestAtMs < config.intervalS() * 2000) {
      return CompletableFuture.completedFuture(HttpReply.json(last.toString().getBytes(
          java.nio.charset.StandardCharsets.UTF_8)));
    }
    return CompletableFuture.supplyAsync(() -> {
      var msg = sampler.sample();
      publish(msg);
      return HttpReply.json(msg.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }, sampling);
  }

  @Override
  public void close() {
    sampling.shutdownNow();
    try {
      sampling.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    streams.forEach(WsSession::abort);
    server.close();
    source.close();
    EventLoops.shutdown(group);
  }
}
