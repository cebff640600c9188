package io.kubegrade.gateway.stream;

import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.gateway.ops.Timings;
import io.kubegrade.gateway.problem.ApiProblem;
import io.kubegrade.gateway.security.Caller;
import io.kubegrade.gateway.submission.SubmissionOwners;
import io.kubegrade.gateway.submission.SubmissionStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A caller's event stream for one of their own submissions, whatever the transport. */
@Component
public class EventStreams {
  private final EventHub hub;
  private final SubmissionStore store;
  private final SubmissionOwners owners;
  private final Timer ownership;

  public EventStreams(EventHub hub, SubmissionStore store, SubmissionOwners owners, MeterRegistry meters) {
    this.hub = hub;
    this.store = store;
    this.owners = owners;
    this.ownership = EventHub.subscribeTimer(meters, "ownership");
  }

  public Flux<GradingEvent> open(String submissionId, Caller caller, long afterSeq, String transport) {
    if (afterSeq < 0) {
      return Flux.error(ApiProblem.badRequest("after must not be negative"));
    }
    return owners.isOwnedBy(submissionId, caller.user())
        .transform(owned -> Timings.timed(owned, ownership))
        .flatMapMany(owned -> !owned ? Flux.error(ApiProblem.notFound("submission", submissionId)) : hub.events(submissionId, afterSeq, transport, store.terminalEvent(submissionId)));
  }
}
