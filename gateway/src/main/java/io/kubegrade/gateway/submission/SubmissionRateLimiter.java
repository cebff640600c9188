package io.kubegrade.gateway.submission;

import io.kubegrade.gateway.GatewayProperties;
import io.kubegrade.gateway.problem.ApiProblem;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.time.Duration;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * At most N submissions per user per clock minute, counted in Redis so that every gateway replica
 * shares the count; the 429 says when the window reopens.
 */
@Component
public class SubmissionRateLimiter {
  private final StatefulRedisConnection<String, String> redis;
  private final int perMinute;
  private final Clock clock = Clock.systemUTC();

  public SubmissionRateLimiter(StatefulRedisConnection<String, String> redis, GatewayProperties properties) {
    this.redis = redis;
    this.perMinute = properties.submissions().perUserPerMinute();
  }

  public Mono<Void> acquire(String user) {
    long now = clock.millis();
    long minute = now / 60_000;
    String key = "kubegrade:rate:" + user + ":" + minute;
    return redis.reactive().incr(key)
        .flatMap(count -> (count == 1 ? redis.reactive().expire(key, 120).thenReturn(count) : Mono.just(count)))
        .flatMap(count -> count <= perMinute ? Mono.<Void>empty()
            : Mono.error(ApiProblem.rateLimited(perMinute, Duration.ofMillis((minute + 1) * 60_000 - now))));
  }
}
