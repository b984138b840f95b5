package io.gpuhot.hub;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.gpuhot.net.WsClient;
import io.gpuhot.support.Backoff;
import io.gpuhot.support.Json;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.net.URI;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's connection to one node, redialled forever with capped, jittered exponential back-off.
 * Messages are parsed and normalised here, on the link's I/O loop, and handed to the state loop
 * as values, so a slow or hostile node costs its own loop's time and never the dashboards'.
 */
final class NodeLink {
  private static final Logger log = LoggerFactory.getLogger(NodeLink.class);

  private final int id;
  private final URI streamUri;
  private final EventLoop io;
  private final EventLoop stateLoop;
  private final ClusterState state;
  private final WsClient.Options options;
  private final Backoff backoff;
  private WsClient client;
  private boolean closed;
  private int failuresLogged;
  private boolean everConnected;

  NodeLink(int id, URI nodeUrl, EventLoop io, EventLoop stateLoop, ClusterState state,
      HubConfig config) {
    this.id = id;
    this.streamUri = HubConfig.streamUri(nodeUrl);
    this.io = io;
    this.stateLoop = stateLoop;
    this.state = state;
    this.options = new WsClient.Options(config.maxMessageBytes(), config.nodeDeflate(), 3000, null);
    this.backoff = new Backoff(config.reconnectBaseMs(), config.reconnectMaxMs(),
        () -> ThreadLocalRandom.current().nextDouble());
  }

  void start() {
    io.execute(this::dial);
  }

  /** Drops the current connection (the reconnect loop dials again), e.g. when it went quiet. */
  void reconnect(String reason) {
    io.execute(() -> {
      if (client != null) {
        client.close(reason);
      }
    });
  }

  void close() {
    io.execute(() -> {
      closed = true;
      if (client != null) {
        client.close("hub shutting down");
      }
    });
  }

  private void dial() {
    if (closed) {
      return;
    }
    client = WsClient.connect(io, streamUri, options, new WsClient.Listener() {
      @Override
      public void onOpen(WsClient c) {
        everConnected = true;
        stateLoop.execute(() -> state.connected(id));
      }

      @Override
      public void onMessage(WsClient c, ByteBuf data) {
        receive(data);
      }

      @Override
      public void onClose(WsClient c, String reason, Throwable cause) {
        closedWith(reason, cause);
      }
    });
  }

  private void receive(ByteBuf data) {
    long now = System.currentTimeMillis();
    try {
      var tree = Json.MAPPER.readTree((java.io.InputStream) new ByteBufInputStream(data));
      var message = NodeMessage.of(tree);
      backoff.reset();
      failuresLogged = 0;
      stateLoop.execute(() -> state.message(id, message, now));
    } catch (JsonProcessingException e) {
      String why = "malformed JSON: " + shorten(e.getOriginalMessage());
      stateLoop.execute(() -> state.malformed(id, why));
    } catch (NodeMessage.Malformed e) {
      String why = "not a node message: " + e.getMessage();
      stateLoop.execute(() -> state.malformed(id, why));
    } catch (IOException | RuntimeException e) {
      String why = "unreadable message: " + shorten(String.valueOf(e.getMessage()));
      stateLoop.execute(() -> state.malformed(id, why));
    }
  }

  private void closedWith(String reason, Throwable cause) {
    String why = cause instanceof io.netty.handler.codec.TooLongFrameException
            || cause instanceof io.netty.handler.codec.CorruptedFrameException
        ? "message larger than " + options.maxMessageBytes() + " bytes or broken framing"
        : reason;
    boolean error = why.startsWith("message larger") || why.startsWith("protocol error");
    stateLoop.execute(() -> {
      if (error) {
        state.malformed(id, why);
      }
      state.disconnected(id, why);
    });
    if (closed) {
      return;
    }
    long delay = backoff.nextDelayMillis();
    if (failuresLogged++ == 0 && !everConnected) {
      log.warn("node {}: cannot connect ({}); redialling until it answers", streamUri, why);
    } else {
      log.debug("node {}: {}; redialling in {} ms", streamUri, why, delay);
    }
    io.schedule(this::dial, delay, TimeUnit.MILLISECONDS);
  }

  private static String shorten(String s) {
    s = s.replace('\n', ' ');
    return s.length() > 160 ? s.substring(0, 160) + "…" : s;
  }
}
