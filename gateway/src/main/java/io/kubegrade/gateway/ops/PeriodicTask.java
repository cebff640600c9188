package io.kubegrade.gateway.ops;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Work the gateway repeats for as long as it runs: one round at a time (a slow round delays the
 * next, rounds never overlap), a failed round logged and the next one tried.
 */
public abstract class PeriodicTask implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(PeriodicTask.class);

  private final String name;
  private final Duration delay;
  private final Duration period;
  private Disposable running;

  protected PeriodicTask(String name, Duration delay, Duration period) {
    this.name = name;
    this.delay = delay;
    this.period = period;
  }

  /** One round. */
  protected abstract Mono<Void> runOnce();

  @Override
  public void start() {
    running = Flux.interval(delay, period)
        .onBackpressureDrop()
        .concatMap(t -> runOnce().onErrorResume(e -> {
          log.warn("{} failed, trying again in {}: {}", name, period, e.toString());
          return Mono.empty();
        }))
        .subscribe();
  }

  @Override
  public void stop() {
    if (running != null) {
      running.dispose();
      running = null;
    }
  }

  @Override
  public boolean isRunning() {
    return running != null;
  }
}
