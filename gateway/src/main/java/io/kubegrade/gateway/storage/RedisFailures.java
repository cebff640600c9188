package io.kubegrade.gateway.storage;

import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisLoadingException;
import java.io.IOException;
import java.time.Duration;
import reactor.util.retry.Retry;
import reactor.util.retry.RetryBackoffSpec;

/**
 * Redis failures that pass by themselves - its connection dropped or being re-established, or
 * Redis loading its data after a restart - as opposed to a refused command or a bug. A read that
 * meets one is worth asking again in a moment: a Redis restart takes a second or two.
 */
public final class RedisFailures {
  private RedisFailures() {}

  public static boolean isMomentary(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof RedisLoadingException || t instanceof RedisConnectionException || t instanceof IOException) {
        return true;
      }
    }
    return false;
  }

  /** Asks again over about {@code patience} (back-off from 100 ms), for momentary failures only. */
  public static RetryBackoffSpec retryFor(Duration patience) {
    long attempts = Math.max(1, Math.round(Math.log((double) patience.toMillis() / 100 + 1) / Math.log(2)));
    return Retry.backoff(attempts, Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(2))
        .filter(RedisFailures::isMomentary)
        .onRetryExhaustedThrow((spec, signal) -> signal.failure());
  }
}
