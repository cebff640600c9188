package io.kubegrade.gateway.testing;

import io.kubegrade.api.event.GradingEvent;
import java.net.URI;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A real WebSocket client of a submission's event stream, for tests. */
public final class EventClients {
  private EventClients() {}

  /** Events from {@code ws://...?after=N&access_token=T} until the server closes; cancelling closes the socket. */
  public static Flux<GradingEvent> webSocket(int port, String token, String submissionId, long after) {
    URI uri = uri(port, token, submissionId, after);
    return Flux.create(sink -> sink.onDispose(new ReactorNettyWebSocketClient().execute(uri, session -> session.receive()
            .doOnNext(m -> sink.next(GradingEvent.fromJson(m.getPayloadAsText())))
            .then())
        .subscribe(v -> { }, sink::error, sink::complete)));
  }

  /** Reads the stream into {@code onEvent}: how the server closed it, once it has. */
  public static Mono<CloseStatus> webSocketClose(int port, String token, String submissionId, long after,
      Consumer<GradingEvent> onEvent) {
    URI uri = uri(port, token, submissionId, after);
    AtomicReference<CloseStatus> status = new AtomicReference<>();
    return new ReactorNettyWebSocketClient().execute(uri, session -> session.receive()
            .doOnNext(m -> onEvent.accept(GradingEvent.fromJson(m.getPayloadAsText())))
            .then(session.closeStatus().doOnNext(status::set).then()))
        .then(Mono.fromSupplier(status::get));
  }

  private static URI uri(int port, String token, String submissionId, long after) {
    return URI.create("ws://127.0.0.1:" + port + "/api/v1/submissions/" + submissionId
        + "/events/ws?after=" + after + "&access_token=" + token);
  }
}
