package io.kubegrade.runner.security;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A loopback HTTP server that records every request that reaches it. */
final class Canary implements AutoCloseable {
  private final HttpServer server;
  private final List<String> hits = new CopyOnWriteArrayList<>();

  Canary() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", exchange -> {
      hits.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " Host=" + exchange.getRequestHeaders().getFirst("Host"));
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  List<String> hits() {
    return List.copyOf(hits);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
