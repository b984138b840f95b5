package io.gpuhot.mock;

import io.gpuhot.net.HttpReply;
import io.gpuhot.net.WebServer;
import io.gpuhot.net.WsMessage;
import io.gpuhot.net.WsSession;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One simulated node on its own port: a WebSocket stream of node messages at {@code
 * /socket.io/} (the path the original hub dials) and a snapshot at {@code GET /api/gpu-data}.
 * Like a real node it samples only while a client is connected.
 *
 * <p>The fault switches ({@link #freeze}, {@link #repeatStale}, {@link #sendRaw}, {@link
 * #stop}) let tests play a node that hangs, lies or dies.
 */
public final class MockNode {
  private static final Logger log = LoggerFactory.getLogger(MockNode.class);
  static final List<String> WS_PATHS = List.of("/socket.io/", "/socket.io");

  private final SimulatedNode sim;
  private final EventLoopGroup group;
  private final EventLoop loop;
  private final String host;
  private volatile int port;
  private final long phaseMillis;
  private final Set<WsSession> sessions = ConcurrentHashMap.newKeySet();
  private final AtomicLong messagesSent = new AtomicLong();
  private volatile WebServer server;
  private volatile byte[] latest;
  private volatile boolean frozen;
  private volatile boolean repeatStale;
  private ScheduledFuture<?> ticker;

  MockNode(SimulatedNode sim, EventLoopGroup group, String host, int port, long phaseMillis) {
    this.sim = sim;
    this.group = group;
    this.loop = group.next();
    this.host = host;
    this.port = port;
    this.phaseMillis = phaseMillis;
  }

  public String name() {
    return sim.name();
  }

  public int port() {
    return port;
  }

  /** The URL a hub uses for this node. */
  public String url() {
    return "http://" + (host.equals("0.0.0.0") ? "127.0.0.1" : host) + ":" + port;
  }

  public SimulatedNode simulation() {
    return sim;
  }

  public int gpuCount() {
    return sim.gpus().size();
  }

  public int clients() {
    return sessions.size();
  }

  /** Node messages written to clients so far, counting one per client. */
  public long messagesSent() {
    return messagesSent.get();
  }

  public boolean running() {
    return server != null;
  }

  /**
   * Binds the node's port (a free one when the port is 0); a stopped node starts again on the
   * port it had.
   */
  public synchronized void start() {
    if (server != null) {
      return;
    }
    server =
        WebServer.builder(sim.name())
            .route("/api/gpu-data", q -> HttpReply.json(snapshot()))
            .route("/api/version", q -> HttpReply.json(
                "{\"current\":\"mock\",\"latest\":null,\"update_available\":false,\"release_url\":null}"
                    .getBytes(StandardCharsets.UTF_8)))
            .websocket(WS_PATHS, this::open)
            .bind(group, host, port);
    port = server.port();
  }

  /** Closes the port and every client connection, as a node that crashed. */
  public synchronized void stop() {
    var s = server;
    server = null;
    if (s != null) {
      s.close();
    }
    for (var session : sessions) {
      session.abort();
    }
    sessions.clear();
    loop.execute(this::stopTicking);
  }

  /** Keeps connections open but stops sending, as a node whose collector hangs. */
  public void freeze(boolean on) {
    frozen = on;
  }

  /** Keeps re-sending the last message unchanged, as a node stuck on an old sample. */
  public void repeatStale(boolean on) {
    repeatStale = on;
  }

  /** Sends one raw text message to every client, for malformed-input tests. */
  public void sendRaw(String text) {
    for (var session : sessions) {
      session.send(text);
    }
  }

  /** Makes one GPU report a throttle reason until cleared with null. */
  public void forceThrottle(int gpu, String reason) {
    loop.execute(() -> {
      synchronized (sim) {
        sim.forceThrottle(gpu, reason);
      }
    });
  }

  private WsSession.Listener open(WsSession session) {
    sessions.add(session);
    loop.execute(this::startTicking);
    return new WsSession.Listener() {
      @Override
      public void onClose(WsSession s) {
        sessions.remove(s);
      }
    };
  }

  private void startTicking() {
    if (ticker != null || sessions.isEmpty()) {
      return;
    }
    long intervalMs = Math.max(1, Math.round(sim.intervalS() * 1000));
    // Each node keeps its own phase, as real nodes started at different times do; in step,
    // every node's update would reach the hub in the same millisecond.
    ticker = loop.scheduleAtFixedRate(this::tick, phaseMillis, intervalMs, TimeUnit.MILLISECONDS);
    log.debug("{}: streaming to {} client(s)", sim.name(), sessions.size());
  }

  private void stopTicking() {
    if (ticker != null) {
      ticker.cancel(false);
      ticker = null;
    }
  }

  private void tick() {
    try {
      if (sessions.isEmpty()) {
        stopTicking();
        return;
      }
      if (frozen) {
        return;
      }
      var message = new WsMessage(repeatStale && latest != null ? Unpooled.wrappedBuffer(latest) : sample());
      try {
        for (var session : sessions) {
          if (session.isWritable()) {
            session.send(message);
            messagesSent.incrementAndGet();
          }
        }
      } finally {
        message.release();
      }
    } catch (RuntimeException e) {
      log.warn("{}: sampling tick failed; the next tick runs as planned", sim.name(), e);
    }
  }

  private ByteBuf sample() {
    var buf = PooledByteBufAllocator.DEFAULT.buffer(4096 + 2048 * sim.gpus().size());
    synchronized (sim) {
      sim.step();
      sim.writeMessage(new ByteBufOutputStream(buf), Instant.now());
    }
    byte[] copy = new byte[buf.readableBytes()];
    buf.getBytes(buf.readerIndex(), copy);
    latest = copy;
    return buf;
  }

  private byte[] snapshot() {
    var last = latest;
    if (last != null) {
      return last;
    }
    synchronized (sim) {
      sim.step();
      last = sim.message(Instant.now());
    }
    latest = last;
    return last;
  }
}
