package io.kubegrade.gateway.storage;

import io.kubegrade.api.redis.RedisConnections;
import java.time.Duration;
import reactor.util.retry.Retry;
import reactor.util.retry.RetryBackoffSpec;

/** Reads that meet a Redis failure that passes by itself ({@link RedisConnections#isMomentary}) ask again. */
public final class RedisFailures {
  private RedisFailures() {}

  /** Asks again over about {@code patience} (back-off from 100 ms), for momentary failures only. */
  public static RetryBackoffSpec retryFor(Duration patience) {
    long attempts = Math.max(1, Math.round(Math.log((double) patience.toMillis() / 100 + 1) / Math.log(2)));
    return Retry.backoff(attempts, Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(2))
        .filter(RedisConnections::isMomentary)
        .onRetryExhaustedThrow((spec, signal) -> signal.failure());
  }
}
