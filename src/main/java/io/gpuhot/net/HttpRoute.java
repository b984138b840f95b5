package io.gpuhot.net;

import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * Answers one HTTP GET path. Runs on an event-loop thread, so it must not block: routes read
 * state that is already in memory.
 */
@FunctionalInterface
public interface HttpRoute {
  HttpReply handle(QueryStringDecoder query) throws Exception;
}
