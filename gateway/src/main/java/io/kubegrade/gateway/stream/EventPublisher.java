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
 * Writes the events the gateway itself is responsible for - QUEUED, and the verdict of a
 * submission it ends (dispatch failed, nobody graded it in time) - straight into the submission's
 * log through {@link RedisLayout#APPEND_EVENT}, as a trusted writer for the submission itself.
 */
@Component
public class EventPublisher {
  public enum Outcome { STORED, ALREADY_FINISHED }

  private final StatefulRedisConnection<String, String> redis;

  public EventPublisher(StatefulRedisConnection<String, String> redis) {
    this.redis = redis;
  }

  public Mono<Outcome> publish(GradingEvent event) {
    return redis.reactive().<Long>eval(RedisLayout.APPEND_EVENT, ScriptOutputType.INTEGER,
            RedisLayout.appendEventKeys(event.submissionId()), RedisLayout.appendEventArgs(event))
        .next()
        .map(r -> RedisLayout.Appended.of(r) == RedisLayout.Appended.APPENDED ? Outcome.STORED : Outcome.ALREADY_FINISHED);
  }

  public Mono<Outcome> queued(String submissionId) {
    return publish(new EventSequence(submissionId, 1).queued());
  }

  /** Ends a submission with {@code verdict} unless it has ended already (the log numbers it). */
  public Mono<Outcome> conclude(String submissionId, Verdict verdict) {
    return publish(new EventSequence(submissionId, 1).verdict(verdict));
  }
}
