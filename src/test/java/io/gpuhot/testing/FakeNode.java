package io.gpuhot.testing;

import io.gpuhot.net.WebServer;
import io.gpuhot.net.WsSession;
import io.netty.channel.EventLoopGroup;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * A node played by a test: a real WebSocket server on loopback that sends whatever text the
 * test gives it, every interval, to each connected hub.
 */
public final class FakeNode implements AutoCloseable {
  private final WebServer server;
  private final Set<WsSession> sessions = ConcurrentHashMap.newKeySet();
  private final ScheduledFuture<?> ticker;
  private volatile LongFunction<String> messages;
  private long seq;

  public FakeNode(EventLoopGroup group, long intervalMs, LongFunction<String> messages) {
    this.messages = messages;
    this.server = WebServer.builder("fake-node")
        .websocket(List.of("/socket.io/", "/socket.io"), s -> {
          sessions.add(s);
          return new WsSession.Listener() {
            @Override
            public void onClose(WsSession session) {
              sessions.remove(session);
            }
          };
        })
        .bind(group, "127.0.0.1", 0);
    this.ticker = group.next().scheduleAtFixedRate(this::tick, intervalMs, intervalMs,
        TimeUnit.MILLISECONDS);
  }

  public String url() {
    return "http://127.0.0.1:" + server.port();
  }

  public void messages(LongFunction<String> messages) {
    this.messages = messages;
  }

  public void sendBinary(byte[] data) {
    sessions.forEach(s -> s.sendBinary(data));
  }

  public int clients() {
    return sessions.size();
  }

  private synchronized void tick() {
    String text = messages.apply(seq++);
    if (text != null) {
      sessions.forEach(s -> s.send(text));
    }
  }

  @Override
  public void close() {
    ticker.cancel(false);
    sessions.forEach(WsSession::abort);
    server.close();
  }
}
