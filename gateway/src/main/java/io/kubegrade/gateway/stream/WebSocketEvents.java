package io.kubegrade.gateway.stream;

import io.kubegrade.gateway.security.Caller;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Mono;

/**
 * WebSocket: {@code /api/v1/submissions/{id}/events/ws?after=N}, one JSON event per text frame,
 * closed with 1000 after the terminal event. The handshake is authenticated like any request
 * (header or {@code access_token}); an unknown or foreign submission closes with 4404, a client
 * that falls behind with 4408, a gateway shutting down with 1001 (resume elsewhere with
 * {@code after}), anything else with 1011.
 */
@Configuration(proxyBeanMethods = false)
public class WebSocketEvents {
  static final String PATH = "/api/v1/submissions/*/events/ws";
  private static final Pattern ID = Pattern.compile("/api/v1/submissions/([^/]+)/events/ws");

  @Bean
  HandlerMapping webSocketEventsMapping(EventStreams streams) {
    WebSocketHandler handler = session -> handle(session, streams);
    return new SimpleUrlHandlerMapping(Map.of(PATH, handler), -1);
  }

  private static Mono<Void> handle(WebSocketSession session, EventStreams streams) {
    Matcher m = ID.matcher(session.getHandshakeInfo().getUri().getPath());
    if (!m.matches()) {
      return session.close(CloseStatus.BAD_DATA);
    }
    String id = m.group(1);
    String after = UriComponentsBuilder.fromUri(session.getHandshakeInfo().getUri()).build().getQueryParams().getFirst("after");
    long from;
    try {
      from = after == null ? 0 : Long.parseLong(after);
    } catch (NumberFormatException e) {
      return session.close(CloseStatus.BAD_DATA.withReason("after must be a sequence number"));
    }
    return session.getHandshakeInfo().getPrincipal()
        .map(Caller::of)
        .flatMap(caller -> session.send(streams.open(id, caller, from, "websocket")
                .map(e -> session.textMessage(e.toJson())))
            .then(session.close(CloseStatus.NORMAL)))
        .onErrorResume(e -> session.close(closeStatus(e)));
  }

  static CloseStatus closeStatus(Throwable e) {
    if (e instanceof org.springframework.web.ErrorResponse er && er.getStatusCode().value() == 404) {
      return new CloseStatus(4404, "submission not found");
    }
    if (e instanceof org.springframework.web.ErrorResponse er && er.getStatusCode().value() == 400) {
      return new CloseStatus(4400, er.getBody().getDetail());
    }
    if (e instanceof SlowClientException) {
      return new CloseStatus(4408, "too slow: the client fell behind");
    }
    if (e instanceof GoingAwayException) {
      return CloseStatus.GOING_AWAY.withReason("the gateway is shutting down: resume after the last seq");
    }
    return CloseStatus.SERVER_ERROR;
  }
}
