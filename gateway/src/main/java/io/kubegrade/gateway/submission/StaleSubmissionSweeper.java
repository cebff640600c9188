package io.kubegrade.gateway.submission;

import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.gateway.GatewayProperties;
import io.kubegrade.gateway.dispatch.Dispatcher;
import io.kubegrade.gateway.ops.PeriodicTask;
import io.kubegrade.gateway.stream.EventPublisher;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * No submission waits for ever: one without a verdict {@code max-wait} after it was accepted (its
 * job was lost, no runner is running, the gateway died before dispatching) is ended with
 * INTERNAL_ERROR through the normal event path, so streaming clients see the verdict too. If a
 * runner's verdict wins the race, the event script refuses ours. One give-up rule: what the
 * dispatcher says will end by itself - a live GradingJob, which the operator's own clocks end - is
 * left to it (docs/events.md#who-ends-a-submission).
 */
@Component
public class StaleSubmissionSweeper extends PeriodicTask {
  private static final Logger log = LoggerFactory.getLogger(StaleSubmissionSweeper.class);

  private final SubmissionStore store;
  private final EventPublisher events;
  private final Dispatcher dispatcher;
  private final GatewayProperties.Submissions settings;

  public StaleSubmissionSweeper(SubmissionStore store, EventPublisher events, Dispatcher dispatcher,
      GatewayProperties properties) {
    super("sweeping stale submissions", properties.submissions().sweepEvery(), properties.submissions().sweepEvery());
    this.store = store;
    this.events = events;
    this.dispatcher = dispatcher;
    this.settings = properties.submissions();
  }

  Mono<Long> sweep() {
    return store.unfinishedBefore(Instant.now().minus(settings.maxWait()), 100)
        .concatMap(s -> dispatcher.endsItself(s.id())
            .onErrorResume(e -> {
              log.warn("could not ask whether submission {} is still being graded; ending it: {}", s.id(), e.toString());
              return Mono.just(false);
            })
            .filter(handled -> !handled)
            .flatMap(none -> events.conclude(s.id(), Verdict.of(VerdictStatus.INTERNAL_ERROR,
                "not graded within " + describe(settings.maxWait()) + " of being accepted", 0, 0)))
            .doOnNext(outcome -> log.warn("submission {} had no verdict after {}: {}", s.id(), settings.maxWait(), outcome)))
        .count();
  }

  private static String describe(Duration d) {
    return d.toSeconds() % 60 == 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
  }

  @Override
  protected Mono<Void> runOnce() {
    return sweep().then();
  }
}
