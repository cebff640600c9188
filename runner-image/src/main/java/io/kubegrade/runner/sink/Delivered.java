package io.kubegrade.runner.sink;

import io.lettuce.core.RedisFuture;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Waiting, bounded, for the Redis commands a sink sent to be answered: what its flush() means. */
final class Delivered {
  private Delivered() {}

  /** Returns once every command is answered; IllegalStateException after 10 s or on a failure. */
  static void awaitAll(List<? extends RedisFuture<?>> sent) {
    try {
      CompletableFuture.allOf(sent.stream().map(RedisFuture::toCompletableFuture).toArray(CompletableFuture[]::new))
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("events were not delivered to Redis: " + e.getMessage(), e);
    }
  }
}
