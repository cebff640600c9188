package io.kubegrade.gateway.stream;

import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.gateway.problem.ApiProblem;
import io.kubegrade.gateway.security.Caller;
import io.kubegrade.gateway.submission.SubmissionStore;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A caller's event stream for one of their own submissions, whatever the transport. */
@Component
public class EventStreams {
  private final EventHub hub;
  private final SubmissionStore store;

  public EventStreams(EventHub hub, SubmissionStore store) {
    this.hub = hub;
    this.store = store;
  }

  public Flux<GradingEvent> open(String submissionId, Caller caller, long afterSeq, String transport) {
    if (afterSeq < 0) {
      return Flux.error(ApiProblem.badRequest("after must not be negative"));
    }
    return store.findOwned(submissionId, caller.user())
        .switchIfEmpty(Mono.error(() -> ApiProblem.notFound("submission", submissionId)))
        .flatMapMany(s -> hub.events(submissionId, afterSeq, transport, store.terminalEvent(submissionId)));
  }
}
