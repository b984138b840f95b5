package io.gpuhot.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionDecoder;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionEncoder;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandshaker;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.zip.Deflater;

/**
 * permessage-deflate (RFC 7692) where each message is compressed once for all clients.
 *
 * <p>A standard server compresses every message again for every client, continuing that client's
 * own deflate stream; with a hundred dashboards that is a hundred compressions of the same bytes.
 * Here the server says {@code server_no_context_takeover}, so each message is compressed on its
 * own, without reference to earlier ones, and the same compressed bytes are valid on every
 * connection. The cost: messages are somewhat larger than with a shared history. Client frames
 * are inflated by Netty's standard decoder.
 */
public final class SharedDeflate {
  /** Messages shorter than this are sent uncompressed; deflate would not shrink them. */
  static final int MIN_BYTES = 96;
  private static final int LEVEL = 6;
  private static final FastThreadLocal<Deflater> DEFLATER = new FastThreadLocal<>() {
    @Override
    protected Deflater initialValue() {
      return new Deflater(LEVEL, /* nowrap= */ true);
    }

    @Override
    protected void onRemoval(Deflater d) {
      d.end();
    }
  };

  private SharedDeflate() {}

  /**
   * Compresses one message as an independent permessage-deflate payload: raw deflate, flushed
   * to a byte boundary, with the final empty block's {@code 00 00 ff ff} removed.
   */
  public static ByteBuf compress(ByteBuf plain) {
    Deflater d = DEFLATER.get();
    d.reset();
    d.setInput(plain.nioBuffer());
    ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer(plain.readableBytes() / 2 + 64);
    try {
      while (true) {
        out.ensureWritable(256);
        int n = d.deflate(out.nioBuffer(out.writerIndex(), out.writableBytes()), Deflater.SYNC_FLUSH);
        out.writerIndex(out.writerIndex() + n);
        if (d.needsInput() && out.writableBytes() > 0 && n < out.capacity()) {
          break;
        }
      }
      int w = out.writerIndex();
      if (w >= 4 && out.getInt(w - 4) == 0x0000ffff) {
        out.writerIndex(w - 4);
      }
      return out;
    } catch (RuntimeException e) {
      out.release();
      throw e;
    }
  }

  /** The extension handshaker for Netty's server pipeline. */
  static WebSocketServerExtensionHandshaker handshaker() {
    var standard = new PerMessageDeflateServerExtensionHandshaker(LEVEL,
        /* allowServerWindowSize= */ false, 15, /* allowServerNoContext= */ true,
        /* preferredClientNoContext= */ false);
    return data -> {
      WebSocketServerExtension ext = standard.handshakeExtension(data);
      return ext == null ? null : new Extension(ext);
    };
  }

  /** Netty's negotiated extension, with our encoder and the server-no-context promise added. */
  private record Extension(WebSocketServerExtension standard) implements WebSocketServerExtension {
    @Override
    public int rsv() {
      return standard.rsv();
    }

    @Override
    public WebSocketExtensionEncoder newExtensionEncoder() {
      return new PassThrough();
    }

    @Override
    public WebSocketExtensionDecoder newExtensionDecoder() {
      return standard.newExtensionDecoder();
    }

    @Override
    public WebSocketExtensionData newReponseData() {
      WebSocketExtensionData d = standard.newReponseData();
      var params = new LinkedHashMap<>(d.parameters());
      params.put("server_no_context_takeover", null);
      return new WebSocketExtensionData(d.name(), params);
    }
  }

  /**
   * Lets frames through as they are: those compressed by {@link #compress} carry RSV1 already,
   * the others go uncompressed, which the extension allows.
   */
  static final class PassThrough extends WebSocketExtensionEncoder {
    @Override
    protected void encode(ChannelHandlerContext ctx, WebSocketFrame msg, List<Object> out) {
      out.add(msg.retain());
    }
  }
}
