package io.gpuhot.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.gpuhot.support.EventLoops;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketClientCompressionHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.LongAdder;

/**
 * A WebSocket client connection on Netty, used by the hub to dial nodes and by the load test to
 * play dashboards. One instance is one connection attempt; reconnecting is the caller's policy.
 */
public final class WsClient {
  /** Receives the events of one connection, on its event loop. */
  public interface Listener {
    void onOpen(WsClient client);

    /** A complete message; {@code data} is valid only during the call. */
    void onMessage(WsClient client, ByteBuf data);

    /** Called once when the attempt fails or the connection ends; {@code reason} is for people. */
    void onClose(WsClient client, String reason, Throwable cause);
  }

  /**
   * Connection settings. {@code wireBytes} counts raw inbound TCP bytes when not null; {@code
   * receiveBufferBytes} above 0 sets the socket's receive buffer (tests use a small one to stall
   * a client quickly).
   */
  public record Options(int maxMessageBytes, boolean deflate, int connectTimeoutMillis,
      LongAdder wireBytes, int receiveBufferBytes) {
    public Options(int maxMessageBytes, boolean deflate, int connectTimeoutMillis,
        LongAdder wireBytes) {
      this(maxMessageBytes, deflate, connectTimeoutMillis, wireBytes, 0);
    }

    public static Options defaults() {
      return new Options(8 << 20, true, 3000, null, 0);
    }
  }

  static final long HANDSHAKE_TIMEOUT_MS = 10_000;

  private final URI uri;
  private final Listener listener;
  private final Options options;
  private volatile Channel channel;
  private boolean closedFired;

  private WsClient(URI uri, Listener listener, Options options) {
    this.uri = uri;
    this.listener = listener;
    this.options = options;
  }

  /** Starts connecting; every outcome reaches the listener. */
  public static WsClient connect(EventLoopGroup group, URI uri, Options options, Listener listener) {
    var client = new WsClient(uri, listener, options);
    client.start(group);
    return client;
  }

  public URI uri() {
    return uri;
  }

  public boolean isOpen() {
    var ch = channel;
    return ch != null && ch.isActive();
  }

  /** Sends a text message if the connection is open; returns whether it was written. */
  public boolean send(String text) {
    var ch = channel;
    if (ch == null || !ch.isActive()) {
      return false;
    }
    var buf = Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8));
    ch.writeAndFlush(new TextWebSocketFrame(buf), ch.voidPromise());
    return true;
  }

  /** Closes the connection; the listener hears about it with the given reason. */
  public void close(String reason) {
    var ch = channel;
    if (ch == null) {
      return;
    }
    ch.eventLoop()
        .execute(
            () -> {
              fireClose(reason, null);
              ch.close();
            });
  }

  /** Stops reading from the socket, to play a client that has stalled. */
  public void pauseReading(boolean paused) {
    var ch = channel;
    if (ch != null) {
      ch.config().setAutoRead(!paused);
    }
  }

  private void start(EventLoopGroup group) {
    int port = uri.getPort() > 0 ? uri.getPort() : ("wss".equals(uri.getScheme()) ? 443 : 80);
    var headers = new DefaultHttpHeaders();
    var handshaker =
        WebSocketClientHandshakerFactory.newHandshaker(
            uri, WebSocketVersion.V13, null, true, headers, options.maxMessageBytes());
    var bootstrap =
        new Bootstrap()
            .group(group)
            .channel(EventLoops.socketChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, options.connectTimeoutMillis())
            .option(ChannelOption.SO_RCVBUF,
                options.receiveBufferBytes() > 0 ? options.receiveBufferBytes() : null)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    var p = ch.pipeline();
                    if (options.wireBytes() != null) {
                      p.addLast(new ByteCounter(options.wireBytes()));
                    }
                    p.addLast(new HttpClientCodec());
                    p.addLast(new HttpObjectAggregator(64 * 1024));
                    if (options.deflate()) {
                      p.addLast(WebSocketClientCompressionHandler.INSTANCE);
                    }
                    p.addLast("ws-client", new Handler(handshaker));
                  }
                });
    ChannelFuture f = bootstrap.connect(uri.getHost(), port);
    channel = f.channel();
    f.addListener(
        done -> {
          if (!done.isSuccess()) {
            fireClose(describe(done.cause()), done.cause());
          }
        });
  }

  private void fireClose(String reason, Throwable cause) {
    if (closedFired) {
      return;
    }
    closedFired = true;
    listener.onClose(this, reason, cause);
  }

  /** Says in a few words why a connection failed. */
  static String describe(Throwable cause) {
    if (cause == null) {
      return "closed";
    }
    if (cause instanceof ConnectException) {
      return "connection refused";
    }
    if (cause instanceof TooLongFrameException || cause instanceof CorruptedFrameException) {
      return "protocol error: " + cause.getMessage();
    }
    if (cause instanceof WebSocketHandshakeException) {
      return "WebSocket handshake failed: " + cause.getMessage();
    }
    String msg = cause.getMessage();
    return msg == null ? cause.getClass().getSimpleName() : msg;
  }

  private final class Handler extends ChannelInboundHandlerAdapter {
    private final WebSocketClientHandshaker handshaker;

    Handler(WebSocketClientHandshaker handshaker) {
      this.handshaker = handshaker;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      handshaker.handshake(ctx.channel());
      // A server that takes the connection but never answers the upgrade (not a GPU Hot node,
      // or a hung one) must not leave the attempt open for ever.
      ctx.executor().schedule(() -> {
        if (!handshaker.isHandshakeComplete() && ctx.channel().isActive()) {
          fireClose("no WebSocket answer within " + HANDSHAKE_TIMEOUT_MS / 1000
              + " s (is this a GPU Hot node?)", null);
          ctx.close();
        }
      }, HANDSHAKE_TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (!handshaker.isHandshakeComplete()) {
          if (msg instanceof FullHttpResponse res) {
            handshaker.finishHandshake(ctx.channel(), res);
            ctx.pipeline()
                .addBefore(
                    "ws-client", "ws-aggregator", new WebSocketFrameAggregator(options.maxMessageBytes()));
            listener.onOpen(WsClient.this);
          }
          return;
        }
        if (msg instanceof TextWebSocketFrame text) {
          listener.onMessage(WsClient.this, text.content());
        } else if (msg instanceof BinaryWebSocketFrame bin) {
          listener.onMessage(WsClient.this, bin.content());
        } else if (msg instanceof PingWebSocketFrame ping) {
          ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()), ctx.voidPromise());
        } else if (msg instanceof CloseWebSocketFrame close) {
          String why = close.reasonText();
          fireClose(
              "closed by peer (" + close.statusCode() + (why.isEmpty() ? "" : " " + why) + ")", null);
          ctx.close();
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      fireClose(handshaker.isHandshakeComplete() ? "connection closed" : "closed during handshake", null);
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      fireClose(describe(cause), cause);
      ctx.close();
    }
  }

  /** Counts the raw bytes that arrive on the socket, before any decoding. */
  private static final class ByteCounter extends ChannelDuplexHandler {
    private final LongAdder counter;

    ByteCounter(LongAdder counter) {
      this.counter = counter;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof ByteBuf buf) {
        counter.add(buf.readableBytes());
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      ctx.write(msg, promise);
    }
  }
}
