package io.kubegrade.runner.sink;

import io.kubegrade.api.redis.RedisConnections;
import io.lettuce.core.RedisFuture;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** Waiting, bounded, for the Redis commands a sink sent to be answered: what its flush() means. */
final class Delivered {
  private static final long PATIENCE_MS = 10_000;
  private static final long RESEND_AFTER_MS = 100;

  private Delivered() {}

  /**
   * A command sent, and how to send it again: a Redis that has just restarted answers LOADING
   * (nothing done) until it has read its append-only file back, or drops the connection under it
   * (done or not), and an event failed so is sent again rather than lost (the append script puts
   * events in their order whatever order they arrive in, and takes each of an attempt's events once).
   */
  record Sent(RedisFuture<?> future, Supplier<RedisFuture<?>> again) {}

  /** Runs {@code check} until it is answered, asking again (within 10 s) while it fails for a moment. */
  static void untilAnswered(Runnable check) {
    long until = System.nanoTime() + PATIENCE_MS * 1_000_000L;
    for (;;) {
      try {
        check.run();
        return;
      } catch (RuntimeException e) {
        if (!RedisConnections.isMomentary(e) || System.nanoTime() > until) {
          throw e;
        }
      }
      try {
        Thread.sleep(RESEND_AFTER_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while asking Redis", e);
      }
    }
  }

  /** Returns once every command is answered; IllegalStateException after 10 s or on a failure. */
  static void awaitAll(List<? extends RedisFuture<?>> sent) {
    try {
      CompletableFuture.allOf(sent.stream().map(RedisFuture::toCompletableFuture).toArray(CompletableFuture[]::new))
          .get(PATIENCE_MS, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("events were not delivered to Redis: " + e.getMessage(), e);
    }
  }

  /**
   * The same for commands that can be sent again: each refused for a moment is resent (in the
   * order sent) until it is done or 10 s have passed.
   */
  static void awaitEach(List<Sent> sent) {
    long until = System.nanoTime() + PATIENCE_MS * 1_000_000L;
    try {
      for (Sent s : sent) {
        RedisFuture<?> future = s.future();
        for (;;) {
          try {
            future.get(Math.max(1, (until - System.nanoTime()) / 1_000_000L), TimeUnit.MILLISECONDS);
            break;
          } catch (ExecutionException e) {
            if (!RedisConnections.isMomentary(e.getCause()) || System.nanoTime() > until) {
              throw new IllegalStateException("events were not delivered to Redis: " + e.getCause(), e);
            }
            Thread.sleep(RESEND_AFTER_MS);
            future = s.again().get();
          }
        }
      }
    } catch (TimeoutException e) {
      throw new IllegalStateException("events were not delivered to Redis within " + PATIENCE_MS + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while delivering events to Redis", e);
    }
  }
}
