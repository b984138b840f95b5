package io.gpuhot.hub;

import io.gpuhot.net.HttpReply;
import io.gpuhot.net.StaticFiles;
import io.gpuhot.net.WebServer;
import io.gpuhot.support.EventLoops;
import io.gpuhot.support.Version;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running hub: links to every node, the cluster state, and the web server for dashboards.
 *
 * <p>Threads: node connections run on an I/O group ({@link HubConfig#ioThreads()} threads) where
 * their messages are parsed; the cluster state, every dashboard connection and the HTTP routes
 * share one state loop, so no state is shared between threads and a fan-out never crosses one.
 */
public final class Hub implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(Hub.class);
  private static final long STALE_CHECK_MS = 100;
  /** Kernel send buffer per dashboard: enough for a burst, and a bound on a stalled client. */
  static final int DASHBOARD_SEND_BUFFER = 128 * 1024;

  private final HubConfig config;
  private final EventLoopGroup ioGroup;
  private final EventLoopGroup stateGroup;
  private final EventLoop stateLoop;
  private final ClusterView view;
  private final List<NodeLink> links = new ArrayList<>();
  private final WebServer server;

  private Hub(HubConfig config) {
    this.config = config;
    this.ioGroup = EventLoops.create("hub-io", config.ioThreads());
    this.stateGroup = EventLoops.create("hub-state", 1);
    this.stateLoop = stateGroup.next();
    this.view = new ClusterView(config.nodeUrls(), config, stateLoop, "hub");
    var state = view.state();
    var files = new StaticFiles();
    WebServer bound;
    try {
      bound = view.routes(WebServer.builder("hub"))
          .route("/api/gpu-data", q -> view.onState(() -> ClusterView.bytes(StreamEncoder.compat(
              state.nodes(), state.stats()))))
          .route("/api/version", q -> HttpReply.json(Version.apiJson()))
          .websocket(List.of("/socket.io/", "/socket.io"), view.dashboards()::openCompat)
          .fallback(files::lookup)
          .compression(config.compression())
          .sendBuffer(DASHBOARD_SEND_BUFFER)
          .bind(stateGroup, config.host(), config.port());
    } catch (RuntimeException e) {
      EventLoops.shutdown(stateGroup);
      EventLoops.shutdown(ioGroup);
      throw e;
    }
    this.server = bound;
  }

  /** Starts the hub: binds its port, then dials every node. */
  public static Hub start(HubConfig config) {
    var hub = new Hub(config);
    hub.startLinks();
    log.info("hub listening on http://{}:{}/ for {} node(s)", config.host(), hub.port(),
        config.nodeUrls().size());
    return hub;
  }

  private void startLinks() {
    var state = view.state();
    for (var e : state.nodes()) {
      var link = new NodeLink(e.id, e.url, ioGroup.next(), stateLoop, state, config);
      links.add(link);
      link.start();
    }
    stateLoop.scheduleAtFixedRate(this::checkStale, STALE_CHECK_MS, STALE_CHECK_MS,
        TimeUnit.MILLISECONDS);
  }

  private void checkStale() {
    try {
      for (var quiet : view.state().checkStale()) {
        links.get(quiet.id).reconnect("no message for three update intervals");
      }
    } catch (RuntimeException e) {
      log.warn("stale check failed; it runs again in {} ms", STALE_CHECK_MS, e);
    }
  }

  public int port() {
    return server.port();
  }

  public HubConfig config() {
    return config;
  }

  /** Dashboards connected now, of both protocols. */
  public int dashboardClients() {
    return view.dashboardClients();
  }

  /** The most bytes the hub holds for one dashboard that has not taken them yet. */
  public long maxDashboardBacklogBytes() {
    return view.maxBacklogBytes();
  }

  /** Dashboard messages written so far (protocol 2 and original protocol). */
  public long messagesSent() {
    return view.messagesSent();
  }

  /** Dashboard messages skipped because the client could not take them yet. */
  public long messagesSkipped() {
    return view.messagesSkipped();
  }

  @Override
  public void close() {
    view.closing();
    links.forEach(NodeLink::close);
    server.close();
    view.release();
    EventLoops.shutdown(ioGroup);
    EventLoops.shutdown(stateGroup);
  }
}
