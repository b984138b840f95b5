package io.gpuhot.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.gpuhot.support.EventLoops;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketServerCompressionHandler;
import java.io.Closeable;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP and WebSocket server on Netty: exact-path GET routes, classpath static files and
 * WebSocket endpoints, all answered on the event loop that owns the connection.
 *
 * <p>WebSocket upgrades are refused when the browser's {@code Origin} names a host other than
 * the one it asked ({@code Host}), which stops other web pages from reading the stream (cross-site
 * WebSocket hijacking); clients that send no Origin, such as hubs and scripts, are accepted.
 */
public final class WebServer implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(WebServer.class);
  private static final int MAX_REQUEST_BYTES = 64 * 1024;
  private static final int MAX_INBOUND_WS_MESSAGE = 64 * 1024;

  /** Opens the application side of a new WebSocket session; null refuses it. */
  @FunctionalInterface
  public interface WsEndpoint {
    WsSession.Listener open(WsSession session);
  }

  private final Channel serverChannel;
  private final String name;

  private WebServer(Channel serverChannel, String name) {
    this.serverChannel = serverChannel;
    this.name = name;
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  @Override
  public void close() {
    serverChannel.close().syncUninterruptibly();
  }

  /** Configures routes before binding. */
  public static final class Builder {
    private final String name;
    private final Map<String, HttpRoute> routes = new LinkedHashMap<>();
    private final Map<String, AsyncRoute> asyncRoutes = new LinkedHashMap<>();
    private final Map<String, WsEndpoint> endpoints = new LinkedHashMap<>();
    private Function<String, HttpReply> fallback = path -> null;
    private Compression compression = Compression.SHARED;
    private boolean checkOrigin = true;
    private WriteBufferWaterMark waterMark = new WriteBufferWaterMark(64 * 1024, 256 * 1024);
    private int sendBuffer;

    private Builder(String name) {
      this.name = name;
    }

    public Builder route(String path, HttpRoute route) {
      routes.put(path, route);
      return this;
    }

    /** A route whose answer comes later, from another thread; the event loop does not wait. */
    public Builder asyncRoute(String path, AsyncRoute route) {
      asyncRoutes.put(path, route);
      return this;
    }

    /** Serves a WebSocket endpoint on each of the given paths. */
    public Builder websocket(List<String> paths, WsEndpoint endpoint) {
      paths.forEach(p -> endpoints.put(p, endpoint));
      return this;
    }

    /** Answers paths no route names (static files); returns null for "not found". */
    public Builder fallback(Function<String, HttpReply> fallback) {
      this.fallback = fallback;
      return this;
    }

    public Builder compression(Compression mode) {
      this.compression = mode;
      return this;
    }

    public Builder checkOrigin(boolean on) {
      this.checkOrigin = on;
      return this;
    }

    public Builder writeBufferWaterMark(int low, int high) {
      this.waterMark = new WriteBufferWaterMark(low, high);
      return this;
    }

    /**
     * Fixes each connection's kernel send buffer (0 leaves it to the kernel, which may grow it
     * to megabytes). A fixed size bounds what a stalled client can pin in the kernel.
     */
    public Builder sendBuffer(int bytes) {
      this.sendBuffer = bytes;
      return this;
    }

    /** Binds and returns the running server; {@code port} 0 takes a free port. */
    public WebServer bind(EventLoopGroup group, String host, int port) {
      var snapshot = new Settings(Map.copyOf(routes), Map.copyOf(asyncRoutes),
          Map.copyOf(endpoints), fallback, compression, checkOrigin, name);
      var bootstrap =
          new ServerBootstrap()
              .group(group, group)
              .channel(EventLoops.serverChannel())
              .option(ChannelOption.SO_BACKLOG, 1024)
              .option(ChannelOption.SO_REUSEADDR, true)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
              .childOption(ChannelOption.SO_SNDBUF, sendBuffer > 0 ? sendBuffer : null)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      var p = ch.pipeline();
                      p.addLast(new HttpServerCodec());
                      p.addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES));
                      switch (snapshot.compression) {
                        case SHARED -> p.addLast(
                            new WebSocketServerExtensionHandler(SharedDeflate.handshaker()));
                        case PER_CONNECTION -> p.addLast(new WebSocketServerCompressionHandler(0));
                        case OFF -> { }
                      }
                      p.addLast(new Router(snapshot));
                    }
                  });
      var channel = bootstrap.bind(host, port).syncUninterruptibly().channel();
      var server = new WebServer(channel, name);
      log.debug("{} listening on {}", name, channel.localAddress());
      return server;
    }
  }

  /** Answers one GET path asynchronously. */
  @FunctionalInterface
  public interface AsyncRoute {
    CompletionStage<HttpReply> handle(QueryStringDecoder query);
  }

  private record Settings(
      Map<String, HttpRoute> routes,
      Map<String, AsyncRoute> asyncRoutes,
      Map<String, WsEndpoint> endpoints,
      Function<String, HttpReply> fallback,
      Compression compression,
      boolean checkOrigin,
      String name) {}

  /** Handles one connection until it turns into a WebSocket. */
  private static final class Router extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Settings settings;

    Router(Settings settings) {
      this.settings = settings;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      if (!req.decoderResult().isSuccess()) {
        reply(ctx, req, HttpReply.text(HttpResponseStatus.BAD_REQUEST, "malformed request"));
        return;
      }
      var query = new QueryStringDecoder(req.uri());
      var endpoint = settings.endpoints.get(query.path());
      if (endpoint != null && isUpgrade(req)) {
        upgrade(ctx, req, query, endpoint);
        return;
      }
      if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
        reply(ctx, req, HttpReply.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "GET only"));
        return;
      }
      var async = settings.asyncRoutes.get(query.path());
      if (async != null) {
        var later = new DefaultFullHttpRequest(req.protocolVersion(), req.method(), req.uri(),
            Unpooled.EMPTY_BUFFER, req.headers().copy(), req.trailingHeaders().copy());
        async.handle(query).whenComplete((r, err) -> ctx.executor().execute(() ->
            reply(ctx, later, err == null ? r : failed(query.path(), err))));
        return;
      }
      reply(ctx, req, answer(query));
    }

    private HttpReply failed(String path, Throwable err) {
      log.warn("{}: route {} failed", settings.name, path, err);
      return HttpReply.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "not available: " + err.getMessage());
    }

    private HttpReply answer(QueryStringDecoder query) {
      var route = settings.routes.get(query.path());
      try {
        if (route != null) {
          return route.handle(query);
        }
        var file = settings.fallback.apply(query.path());
        return file != null ? file : HttpReply.notFound(query.path());
      } catch (IllegalArgumentException e) {
        return HttpReply.text(HttpResponseStatus.BAD_REQUEST, e.getMessage());
      } catch (Exception e) {
        log.warn("{}: route {} failed", settings.name, query.path(), e);
        return HttpReply.text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error");
      }
    }

    private static boolean isUpgrade(FullHttpRequest req) {
      return req.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
          && "websocket".equalsIgnoreCase(req.headers().get(HttpHeaderNames.UPGRADE));
    }

    private void upgrade(
        ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder query, WsEndpoint ep) {
      if (settings.checkOrigin && !sameOrigin(req)) {
        reply(ctx, req, HttpReply.text(HttpResponseStatus.FORBIDDEN, "cross-origin WebSocket refused"));
        return;
      }
      String url = "ws://" + req.headers().get(HttpHeaderNames.HOST, "localhost") + req.uri();
      var handshaker =
          new WebSocketServerHandshakerFactory(url, null, true, MAX_INBOUND_WS_MESSAGE)
              .newHandshaker(req);
      if (handshaker == null) {
        WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
        return;
      }
      var session = new WsSession(ctx.channel(), query);
      var channel = ctx.channel();
      handshaker
          .handshake(channel, req)
          .addListener(
              f -> {
                if (!f.isSuccess()) {
                  channel.close();
                  return;
                }
                // The extension's encoder does nothing (messages come compressed or not at all),
                // so it leaves the pipeline once it has told us that deflate was agreed.
                var passThrough = channel.pipeline().get(SharedDeflate.PassThrough.class);
                session.deflate(passThrough != null);
                if (passThrough != null) {
                  channel.pipeline().remove(passThrough);
                }
                var listener = ep.open(session);
                if (listener == null) {
                  session.close(1008, "refused");
                  return;
                }
                var pipeline = channel.pipeline();
                pipeline.addBefore(
                    pipeline.context(this).name(),
                    "ws-aggregator",
                    new WebSocketFrameAggregator(MAX_INBOUND_WS_MESSAGE));
                pipeline.replace(this, "ws-session", new WsServerHandler(session, handshaker, listener));
              });
    }

    static boolean sameOrigin(FullHttpRequest req) {
      String origin = req.headers().get(HttpHeaderNames.ORIGIN);
      if (origin == null || origin.isEmpty() || origin.equals("null")) {
        return origin == null || origin.isEmpty();
      }
      String host = req.headers().get(HttpHeaderNames.HOST, "");
      try {
        var o = URI.create(origin);
        String originHost = o.getPort() < 0 ? o.getHost() : o.getHost() + ":" + o.getPort();
        return host.equalsIgnoreCase(originHost) || host.equalsIgnoreCase(o.getHost());
      } catch (IllegalArgumentException e) {
        return false;
      }
    }

    private static void reply(ChannelHandlerContext ctx, FullHttpRequest req, HttpReply reply) {
      boolean head = req.method() == HttpMethod.HEAD;
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      String match = req.headers().get(HttpHeaderNames.IF_NONE_MATCH);
      FullHttpResponse res;
      if (reply.etag() != null && reply.etag().equals(match)) {
        res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED);
      } else {
        var body = head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(reply.body());
        res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, reply.status(), body);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
      }
      var h = res.headers();
      h.set(HttpHeaderNames.CONTENT_LENGTH, head ? reply.body().length : res.content().readableBytes());
      h.set("X-Content-Type-Options", "nosniff");
      if (reply.cacheControl() != null) {
        h.set(HttpHeaderNames.CACHE_CONTROL, reply.cacheControl());
      }
      if (reply.etag() != null) {
        h.set(HttpHeaderNames.ETAG, reply.etag());
      }
      if (reply.contentType().startsWith("text/html")) {
        h.set(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                + "img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'self'");
      }
      if (keepAlive) {
        h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        ctx.writeAndFlush(res, ctx.voidPromise());
      } else {
        ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("{}: HTTP connection from {} failed: {}", settings.name, ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }
}
