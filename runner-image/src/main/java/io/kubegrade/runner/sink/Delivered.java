package io.kubegrade.runner.sink;

import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisLoadingException;
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
   * (nothing done) until it has read its append-only file back, and an event refused then is sent
   * again rather than lost (the append script puts events in their order whatever order they
   * arrive in).
   */
  record Sent(RedisFuture<?> future, Supplier<RedisFuture<?>> again) {}

  /**
   * Whether a command failed for a moment only: Redis refused it without doing it (LOADING after a
   * restart), or its connection dropped under it (Redis restarting), when it may or may not have
   * been done - sending an event again is safe either way, since the log takes each of an
   * attempt's events once, by its sequence number.
   */
  static boolean refusedForAMoment(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof RedisLoadingException || t instanceof RedisConnectionException || t instanceof java.io.IOException) {
        return true;
      }
    }
    return false;
  }

  /** Runs {@code check} until it is answered, asking again (within 10 s) while it fails for a moment. */
  static void untilAnswered(Runnable check) {
    long until = System.nanoTime() + PATIENCE_MS * 1_000_000L;
    for (;;) {
      try {
        check.run();
        return;
      } catch (RuntimeException e) {
        if (!refusedForAMoment(e) || System.nanoTime() > until) {
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
            if (!refusedForAMoment(e.getCause()) || System.nanoTime() > until) {
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
