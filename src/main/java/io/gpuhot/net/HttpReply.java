package io.gpuhot.net;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;

/** An HTTP answer held in memory: status, media type, body and an optional cache policy. */
public record HttpReply(
    HttpResponseStatus status, String contentType, byte[] body, String cacheControl, String etag) {

  public static final String JSON = "application/json; charset=utf-8";
  public static final String TEXT = "text/plain; charset=utf-8";

  public static HttpReply json(byte[] body) {
    return new HttpReply(HttpResponseStatus.OK, JSON, body, "no-store", null);
  }

  public static HttpReply json(HttpResponseStatus status, byte[] body) {
    return new HttpReply(status, JSON, body, "no-store", null);
  }

  public static HttpReply text(HttpResponseStatus status, String message) {
    return new HttpReply(
        status, TEXT, (message + "\n").getBytes(StandardCharsets.UTF_8), "no-store", null);
  }

  public static HttpReply notFound(String path) {
    return text(HttpResponseStatus.NOT_FOUND, "not found: " + path);
  }
}
