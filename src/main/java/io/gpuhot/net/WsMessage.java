package io.gpuhot.net;

import io.netty.buffer.ByteBuf;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;

/**
 * One encoded outgoing text message, shared by every session it goes to. Its compressed form is
 * made at most once, the first time a session with permessage-deflate needs it.
 */
public final class WsMessage extends AbstractReferenceCounted {
  private final ByteBuf plain;
  private ByteBuf deflated;
  private boolean compressed;

  public WsMessage(ByteBuf plain) {
    this.plain = plain;
  }

  public ByteBuf plain() {
    return plain;
  }

  public int size() {
    return plain.readableBytes();
  }

  /** The compressed payload, or null when the message is too short to gain from it. */
  synchronized ByteBuf deflated() {
    if (!compressed) {
      compressed = true;
      if (plain.readableBytes() >= SharedDeflate.MIN_BYTES) {
        deflated = SharedDeflate.compress(plain);
      }
    }
    return deflated;
  }

  @Override
  public WsMessage retain() {
    super.retain();
    return this;
  }

  @Override
  public ReferenceCounted touch(Object hint) {
    return this;
  }

  @Override
  protected synchronized void deallocate() {
    plain.release();
    if (deflated != null) {
      deflated.release();
    }
  }
}
