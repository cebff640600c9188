package io.kubegrade.gateway.ops;

import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;

/** Reactive steps timed by the gateway's own timers. */
public final class Timings {
  private Timings() {}

  /** {@code mono}, its time from subscription to its value (or its end) recorded by {@code timer}. */
  public static <T> Mono<T> timed(Mono<T> mono, Timer timer) {
    return Mono.defer(() -> {
      long start = System.nanoTime();
      return mono.doFinally(signal -> timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
    });
  }
}
