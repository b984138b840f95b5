package io.gpuhot.net;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns WebSocket frames of one accepted session into {@link WsSession.Listener} calls. */
final class WsServerHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(WsServerHandler.class);

  private final WsSession session;
  private final WebSocketServerHandshaker handshaker;
  private final WsSession.Listener listener;
  private boolean closed;

  WsServerHandler(WsSession session, WebSocketServerHandshaker handshaker, WsSession.Listener listener) {
    this.session = session;
    this.handshaker = handshaker;
    this.listener = listener;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof TextWebSocketFrame text) {
        listener.onText(session, text.text());
      } else if (msg instanceof BinaryWebSocketFrame bin) {
        listener.onText(session, bin.content().toString(StandardCharsets.UTF_8));
      } else if (msg instanceof PingWebSocketFrame ping) {
        ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()), ctx.voidPromise());
      } else if (msg instanceof CloseWebSocketFrame close) {
        handshaker.close(ctx.channel(), close.retain());
      }
    } catch (RuntimeException e) {
      log.warn("WebSocket listener failed on a message from {}; the session stays open", session, e);
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    try {
      listener.onWritabilityChanged(session);
    } catch (RuntimeException e) {
      log.warn("WebSocket listener failed on writability change of {}", session, e);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    fireClose();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("WebSocket {} failed: {}", session, cause.toString());
    ctx.close();
  }

  private void fireClose() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      listener.onClose(session);
    } catch (RuntimeException e) {
      log.warn("WebSocket listener failed on close of {}", session, e);
    }
  }
}
