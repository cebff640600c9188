package io.kubegrade.gateway.stream;

import io.kubegrade.gateway.GatewayProperties;
import io.kubegrade.gateway.problem.ApiProblem;
import io.kubegrade.gateway.security.Caller;
import io.kubegrade.gateway.security.SecurityConfiguration;
import io.rsocket.RSocket;
import io.rsocket.core.RSocketServer;
import io.rsocket.transport.netty.server.CloseableChannel;
import io.rsocket.transport.netty.server.TcpServerTransport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.web.ServerProperties;
import org.springframework.boot.web.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.SmartLifecycle;
import org.springframework.messaging.handler.annotation.MessageMapping;
import org.springframework.messaging.rsocket.RSocketRequester;
import org.springframework.messaging.rsocket.annotation.ConnectMapping;
import org.springframework.messaging.rsocket.annotation.support.RSocketMessageHandler;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.stereotype.Controller;
import reactor.core.publisher.Flux;

/**
 * RSocket request-stream on route {@code submissions.events}, over WebSocket at {@code /rsocket}
 * on the HTTP port and over TCP on {@code kubegrade.stream.rsocket-tcp-port} (0 = off, -1 = any free port). The request
 * data is {@code {"submissionId", "accessToken", "after"}}; each response payload is one event's
 * JSON (UTF-8). A bad token, unknown or foreign submission ends the stream with an error. The TCP
 * transport listens on the HTTP server's address ({@code server.address}: loopback unless told).
 */
@Controller
public class RSocketEvents implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(RSocketEvents.class);

  public record StreamRequest(String submissionId, String accessToken, Long after) {}

  private final EventStreams streams;
  private final ReactiveJwtDecoder jwt;
  private final RSocketMessageHandler handler;
  private final GatewayProperties properties;
  private final InetAddress address;
  private volatile CloseableChannel tcp;
  private final Set<RSocket> connections = ConcurrentHashMap.newKeySet();
  private volatile boolean running;
  private volatile boolean stopped;

  public RSocketEvents(EventStreams streams, ReactiveJwtDecoder jwt, RSocketMessageHandler handler,
      GatewayProperties properties, ServerProperties server) {
    this.address = server.getAddress() != null ? server.getAddress() : InetAddress.getLoopbackAddress();
    this.streams = streams;
    this.jwt = jwt;
    this.handler = handler;
    this.properties = properties;
  }

  @MessageMapping("submissions.events")
  public Flux<byte[]> events(StreamRequest request) {
    if (request == null || request.submissionId() == null || request.accessToken() == null) {
      return Flux.error(ApiProblem.badRequest("submissionId and accessToken are required"));
    }
    return jwt.decode(request.accessToken())
        .map(token -> Caller.of(new JwtAuthenticationToken(token,
            SecurityConfiguration.authoritiesOf(token, properties.security().rolesClaim()))))
        .flatMapMany(caller -> streams.open(request.submissionId(), caller, request.after() == null ? 0 : request.after(),
            "rsocket"))
        .map(e -> e.toJson().getBytes(StandardCharsets.UTF_8));
  }

  /** Port of the TCP transport once started (0 when off). */
  public int tcpPort() {
    return tcp == null ? 0 : tcp.address().getPort();
  }

  @Override
  public void start() {
    running = true;
    int port = properties.stream().rsocketTcpPort();
    if (port == 0) {
      return;
    }
    // Bound synchronously at start-up: the port is open before the gateway reports ready.
    tcp = RSocketServer.create(handler.responder())
        .bindNow(TcpServerTransport.create(new InetSocketAddress(address, port < 0 ? 0 : port)));
    log.info("RSocket over TCP on {}:{}", address.getHostAddress(), tcpPort());
  }

  /**
   * Every RSocket connection, over either transport, so that shutting down can close them: a client
   * keeps its connection open between streams, and one over WebSocket would otherwise hold the web
   * server's graceful shutdown for its whole timeout.
   */
  @ConnectMapping
  public void connected(RSocketRequester requester) {
    RSocket connection = requester.rsocket();
    if (connection == null) {
      return;
    }
    connections.add(connection);
    connection.onClose().doFinally(signal -> connections.remove(connection)).subscribe(v -> { }, e -> { });
    if (stopped) {
      connection.dispose();
    }
  }

  /** Closes the TCP transport and every connection, before the web server's graceful shutdown. */
  @Override
  public void stop() {
    running = false;
    stopped = true;
    if (tcp != null) {
      tcp.dispose();
      tcp = null;
    }
    connections.forEach(RSocket::dispose);
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE + 1;
  }
}
