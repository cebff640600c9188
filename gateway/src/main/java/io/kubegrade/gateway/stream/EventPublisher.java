package io.kubegrade.gateway.stream;

import io.kubegrade.api.event.EventSequence;
import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.redis.RedisLayout;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Writes the events the gateway itself is responsible for (QUEUED, and the verdict of a submission
 * nobody graded in time) through the same script the runners use.
 */
@Component
public class EventPublisher {
  public enum Outcome { STORED, OUT_OF_TURN, ALREADY_FINISHED }

  private final StatefulRedisConnection<String, String> redis;

  public EventPublisher(StatefulRedisConnection<String, String> redis) {
    this.redis = redis;
  }

  public Mono<Outcome> publish(GradingEvent event) {
    return redis.reactive().<Long>eval(RedisLayout.APPEND_EVENT, ScriptOutputType.INTEGER,
            RedisLayout.appendEventKeys(event.submissionId()), RedisLayout.appendEventArgs(event))
        .next()
        .map(r -> r == 1 ? Outcome.STORED : r == 0 ? Outcome.OUT_OF_TURN : Outcome.ALREADY_FINISHED);
  }

  public Mono<Outcome> queued(String submissionId) {
    return publish(new EventSequence(submissionId, 1).queued());
  }

  /** Ends a submission with {@code verdict} unless it has ended already; continues its sequence. */
  public Mono<Outcome> conclude(String submissionId, Verdict verdict) {
    return redis.reactive().get(RedisLayout.lastSeqKey(submissionId)).defaultIfEmpty("0")
        .flatMap(last -> publish(new EventSequence(submissionId, RedisLayout.nextSeq(last)).verdict(verdict)));
  }
}
