package io.gpuhot.net;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dashboard's files, read from the jar once and kept in memory: {@code /} is {@code
 * webroot/index.html}, {@code /static/x} is {@code webroot/x}, and {@code /static/vendor/uplot/x}
 * comes from the uPlot web jar. Nothing is fetched from the internet.
 */
public final class StaticFiles {
  static final String UPLOT_DIR = "META-INF/resources/webjars/uplot/1.6.30/dist/";
  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "svg", "image/svg+xml",
          "png", "image/png",
          "ico", "image/x-icon",
          "json", "application/json; charset=utf-8",
          "txt", "text/plain; charset=utf-8");

  private final Map<String, Optional<HttpReply>> cache = new ConcurrentHashMap<>();

  /** Returns the file for a URL path, or null when there is none. */
  public HttpReply lookup(String path) {
    if (path.contains("..") || path.contains("//")) {
      return null;
    }
    String resource = resourceFor(path);
    if (resource == null) {
      return null;
    }
    return cache.computeIfAbsent(resource, StaticFiles::load).orElse(null);
  }

  static String resourceFor(String path) {
    if (path.equals("/") || path.equals("/index.html")) {
      return "webroot/index.html";
    }
    if (path.startsWith("/static/vendor/uplot/")) {
      return UPLOT_DIR + path.substring("/static/vendor/uplot/".length());
    }
    if (path.startsWith("/static/")) {
      return "webroot/" + path.substring("/static/".length());
    }
    if (path.equals("/favicon.ico")) {
      return "webroot/favicon.svg";
    }
    return null;
  }

  private static Optional<HttpReply> load(String resource) {
    try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        return Optional.empty();
      }
      byte[] body = in.readAllBytes();
      String ext = resource.substring(resource.lastIndexOf('.') + 1);
      String type = TYPES.getOrDefault(ext, "application/octet-stream");
      return Optional.of(new HttpReply(HttpResponseStatus.OK, type, body, "no-cache", etag(body)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource + " from the jar", e);
    }
  }

  private static String etag(byte[] body) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
      return "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
