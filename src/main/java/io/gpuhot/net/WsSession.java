package io.gpuhot.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtension;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * One accepted WebSocket connection, seen from the application.
 *
 * <p>Sends share their bytes: {@link #send(ByteBuf)} writes a retained duplicate of the caller's
 * buffer, so one encoded message can go to every session without a copy. Writes are never queued
 * beyond Netty's outbound buffer by this class; callers check {@link #isWritable()} first and skip
 * or coalesce when a client is slow.
 */
public final class WsSession {
  /** Receives the events of one session, on the session's event loop. */
  public interface Listener {
    default void onText(WsSession session, String text) {}

    default void onWritabilityChanged(WsSession session) {}

    default void onClose(WsSession session) {}
  }

  private final Channel channel;
  private final QueryStringDecoder request;
  private volatile boolean deflate;

  WsSession(Channel channel, QueryStringDecoder request) {
    this.channel = channel;
    this.request = request;
  }

  public QueryStringDecoder request() {
    return request;
  }

  public String param(String name, String fallback) {
    var values = request.parameters().get(name);
    return values == null || values.isEmpty() ? fallback : values.get(0);
  }

  public EventLoop eventLoop() {
    return channel.eventLoop();
  }

  public SocketAddress remoteAddress() {
    return channel.remoteAddress();
  }

  public boolean isOpen() {
    return channel.isActive();
  }

  public boolean isWritable() {
    return channel.isWritable();
  }

  /** Whether the client negotiated permessage-deflate. */
  public boolean deflate() {
    return deflate;
  }

  void deflate(boolean on) {
    deflate = on;
  }

  /** Bytes Netty still holds for this client, beyond what the kernel accepted. */
  public long pendingBytes() {
    var out = channel.unsafe().outboundBuffer();
    return out == null ? 0 : out.totalPendingWriteBytes();
  }

  /**
   * Writes a shared message, compressed when this session negotiated permessage-deflate; the
   * caller keeps its reference.
   */
  public void send(WsMessage message) {
    ByteBuf deflated = deflate ? message.deflated() : null;
    if (deflated != null) {
      channel.writeAndFlush(
          new TextWebSocketFrame(true, WebSocketExtension.RSV1, deflated.retainedDuplicate()),
          channel.voidPromise());
    } else {
      send(message.plain());
    }
  }

  /** Writes a shared, already encoded text message uncompressed; the caller keeps its reference. */
  public void send(ByteBuf message) {
    channel.writeAndFlush(new TextWebSocketFrame(message.retainedDuplicate()), channel.voidPromise());
  }

  public void send(String message) {
    var bytes = Unpooled.wrappedBuffer(message.getBytes(StandardCharsets.UTF_8));
    channel.writeAndFlush(new TextWebSocketFrame(bytes), channel.voidPromise());
  }

  /** Writes one binary message. */
  public void sendBinary(byte[] message) {
    channel.writeAndFlush(
        new io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame(
            Unpooled.wrappedBuffer(message)),
        channel.voidPromise());
  }

  public void close(int code, String reason) {
    if (channel.isActive()) {
      channel
          .writeAndFlush(new CloseWebSocketFrame(code, reason))
          .addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** Drops the connection at once, without a closing handshake. */
  public void abort() {
    channel.close();
  }

  @Override
  public String toString() {
    return "ws" + request.path() + "@" + channel.remoteAddress();
  }
}
