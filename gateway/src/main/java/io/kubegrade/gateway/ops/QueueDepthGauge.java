package io.kubegrade.gateway.ops;

import io.kubegrade.gateway.dispatch.Dispatcher;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** {@code kubegrade_queue_depth}: jobs waiting or running, refreshed every few seconds. */
@Component
public class QueueDepthGauge extends PeriodicTask {
  private final Dispatcher dispatcher;
  private final AtomicLong depth = new AtomicLong();

  public QueueDepthGauge(Dispatcher dispatcher, MeterRegistry meters) {
    super("reading the queue depth", Duration.ZERO, Duration.ofSeconds(5));
    this.dispatcher = dispatcher;
    Gauge.builder("kubegrade.queue.depth", depth, AtomicLong::get).description("Grading jobs waiting or running")
        .register(meters);
  }

  @Override
  protected Mono<Void> runOnce() {
    return dispatcher.depth().doOnNext(depth::set).then();
  }
}
