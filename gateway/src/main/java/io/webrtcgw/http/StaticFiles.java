package io.webrtcgw.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.DateUtils;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Date;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The viewer's static files from the classpath ({@code web/}), held in memory once read: the
 * right MIME type, a short {@code max-age} with an {@code ETag} and {@code Last-Modified} to
 * revalidate cheaply after it. (The edge adds {@code Access-Control-Allow-Origin: *}, so that
 * other sites can import the player module.)
 */
final class StaticFiles implements HttpHandler {
  static final String CACHE_CONTROL = "public, max-age=300";
  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8",
      "js", "text/javascript; charset=utf-8",
      "mjs", "text/javascript; charset=utf-8",
      "css", "text/css; charset=utf-8",
      "json", "application/json",
      "svg", "image/svg+xml",
      "png", "image/png",
      "ico", "image/x-icon",
      "txt", "text/plain; charset=utf-8");

  private record File(byte[] body, String type, String etag, String lastModified, long modifiedSeconds) {}

  private final ClassLoader loader;
  private final String root;
  private final long startMillis = System.currentTimeMillis();
  private final Map<String, Optional<File>> files = new ConcurrentHashMap<>();

  StaticFiles(ClassLoader loader, String root) {
    this.loader = loader;
    this.root = root.endsWith("/") ? root : root + "/";
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    if (!exchange.getRequestMethod().equals(Methods.GET) && !exchange.getRequestMethod().equals(Methods.HEAD)) {
      Responses.sendError(exchange, StatusCodes.METHOD_NOT_ALLOWED, "method-not-allowed",
          exchange.getRequestMethod() + " is not allowed here");
      return;
    }
    String path = exchange.getRelativePath();
    Optional<File> file = isSafe(path) ? files.computeIfAbsent(path, this::load) : Optional.empty();
    if (file.isEmpty()) {
      Responses.sendError(exchange, StatusCodes.NOT_FOUND, "not-found", "no such file: " + exchange.getRequestPath());
      return;
    }
    File f = file.get();
    var headers = exchange.getResponseHeaders();
    headers.put(Headers.CACHE_CONTROL, CACHE_CONTROL);
    headers.put(Headers.ETAG, f.etag());
    headers.put(Headers.LAST_MODIFIED, f.lastModified());
    if (notModified(exchange, f)) {
      exchange.setStatusCode(StatusCodes.NOT_MODIFIED);
      exchange.endExchange();
      return;
    }
    headers.put(Headers.CONTENT_TYPE, f.type());
    headers.put(Headers.CONTENT_LENGTH, f.body().length);
    if (exchange.getRequestMethod().equals(Methods.HEAD)) {
      exchange.endExchange();
      return;
    }
    exchange.getResponseSender().send(ByteBuffer.wrap(f.body()));
  }

  private static boolean notModified(HttpServerExchange exchange, File f) {
    String ifNoneMatch = exchange.getRequestHeaders().getFirst(Headers.IF_NONE_MATCH);
    if (ifNoneMatch != null) {
      for (String tag : ifNoneMatch.split(",")) {
        String t = tag.trim();
        if (t.equals("*") || t.equals(f.etag()) || t.equals("W/" + f.etag())) {
          return true;
        }
      }
      return false;
    }
    String ifModifiedSince = exchange.getRequestHeaders().getFirst(Headers.IF_MODIFIED_SINCE);
    Date since = ifModifiedSince == null ? null : DateUtils.parseDate(ifModifiedSince);
    return since != null && f.modifiedSeconds() <= since.getTime() / 1000;
  }

  private static boolean isSafe(String path) {
    return path.startsWith("/") && path.length() > 1 && !path.contains("..") && !path.contains("\\")
        && !path.contains("//") && !path.endsWith("/");
  }

  private static boolean isDirectory(URL url) {
    try {
      return url.getProtocol().equals("file") && java.nio.file.Files.isDirectory(java.nio.file.Path.of(url.toURI()));
    } catch (java.net.URISyntaxException e) {
      return true;
    }
  }

  private Optional<File> load(String path) {
    URL url = loader.getResource(root + path.substring(1));
    if (url == null || isDirectory(url)) {
      return Optional.empty();
    }
    try {
      URLConnection connection = url.openConnection();
      connection.setUseCaches(false);
      byte[] body;
      try (InputStream in = connection.getInputStream()) {
        body = in.readAllBytes();
      }
      long modified = connection.getLastModified() > 0 ? connection.getLastModified() : startMillis;
      String name = path.substring(path.lastIndexOf('/') + 1);
      String extension = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) : "";
      String etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body), 0, 12) + "\"";
      return Optional.of(new File(body, TYPES.getOrDefault(extension, "application/octet-stream"), etag,
          DateUtils.toDateString(new Date(modified)), modified / 1000));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }
}
