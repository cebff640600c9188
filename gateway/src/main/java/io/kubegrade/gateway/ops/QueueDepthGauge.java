package io.kubegrade.gateway.ops;

import io.kubegrade.gateway.dispatch.Dispatcher;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@code kubegrade_queue_depth}: jobs waiting or running, refreshed every few seconds. */
@Component
public class QueueDepthGauge implements SmartLifecycle {
  private final Dispatcher dispatcher;
  private final AtomicLong depth = new AtomicLong();
  private Disposable polling;

  public QueueDepthGauge(Dispatcher dispatcher, MeterRegistry meters) {
    this.dispatcher = dispatcher;
    Gauge.builder("kubegrade.queue.depth", depth, AtomicLong::get).description("Grading jobs waiting or running")
        .register(meters);
  }

  @Override
  public void start() {
    polling = Flux.interval(Duration.ZERO, Duration.ofSeconds(5)).onBackpressureDrop()
        .concatMap(t -> dispatcher.depth().onErrorResume(e -> Mono.empty()))
        .subscribe(depth::set);
  }

  @Override
  public void stop() {
    if (polling != null) {
      polling.dispose();
      polling = null;
    }
  }

  @Override
  public boolean isRunning() {
    return polling != null;
  }
}
