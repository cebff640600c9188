package io.kubegrade.gateway.stream;

import io.kubegrade.gateway.openapi.ApiContract;
import io.kubegrade.gateway.problem.ApiProblem;
import io.kubegrade.gateway.security.Caller;
import java.security.Principal;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;

/**
 * Server-Sent Events: {@code id} is the sequence number, so a browser's EventSource resumes by
 * itself with {@code Last-Event-ID}; {@code event} is the event type; {@code data} the event JSON.
 * A gateway shutting down ends the response (the browser reconnects, to another replica).
 */
@RestController
public class SseEventsController {
  private final EventStreams streams;

  public SseEventsController(EventStreams streams) {
    this.streams = streams;
  }

  @ApiContract(problems = {HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND})
  @GetMapping(path = "/api/v1/submissions/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  public Flux<ServerSentEvent<String>> events(@PathVariable String id, Principal principal,
      @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
      @RequestParam(name = "after", required = false) Long after) {
    long from;
    try {
      from = lastEventId != null && !lastEventId.isBlank() ? Long.parseLong(lastEventId.trim()) : after == null ? 0 : after;
    } catch (NumberFormatException e) {
      return Flux.error(ApiProblem.badRequest("Last-Event-ID must be a sequence number"));
    }
    AtomicBoolean started = new AtomicBoolean();
    return streams.open(id, Caller.of(principal), from, "sse")
        .map(e -> ServerSentEvent.builder(e.toJson()).id(String.valueOf(e.seq())).event(e.type().name()).build())
        .doOnNext(e -> started.set(true))
        // A gateway shutting down ends the response, and EventSource reconnects with Last-Event-ID;
        // one refused before it began is a 503 problem.
        .onErrorResume(GoingAwayException.class, e -> started.get() ? Flux.empty() : Flux.error(ApiProblem.shuttingDown()));
  }
}
