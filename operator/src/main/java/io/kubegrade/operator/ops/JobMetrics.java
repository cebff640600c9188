package io.kubegrade.operator.ops;

import io.kubegrade.api.gradingjob.GradingJob;
import io.kubegrade.api.gradingjob.GradingJobPhase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The operator's own metrics (docs/operator.md): jobs by phase (read from the informer cache at
 * scrape time), admission wait, reconcile latency, retries and verdicts.
 */
public final class JobMetrics {
  private final MeterRegistry registry;
  private final Timer admissionWait;
  private volatile Supplier<Stream<GradingJob>> jobs = Stream::empty;

  public JobMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.admissionWait = Timer.builder("kubegrade.admission.wait")
        .description("From a GradingJob's creation to its first runner pod").publishPercentileHistogram()
        .register(registry);
    for (GradingJobPhase phase : GradingJobPhase.values()) {
      Gauge.builder("kubegrade.gradingjobs", () -> jobs.get().filter(j -> j.phase() == phase).count())
          .description("GradingJobs the operator sees, by phase").tag("phase", phase.name()).register(registry);
    }
  }

  /** Where the phase gauge reads the jobs from: the controller's primary cache. */
  public void observe(Supplier<Stream<GradingJob>> source) {
    this.jobs = source;
  }

  public void admitted(Duration waited) {
    admissionWait.record(waited.isNegative() ? Duration.ZERO : waited);
  }

  public void reconciled(String outcome, long nanos) {
    Timer.builder("kubegrade.reconcile").description("GradingJob reconciliation latency").tag("outcome", outcome)
        .register(registry).record(Duration.ofNanos(nanos));
  }

  public void retried(String reason) {
    Counter.builder("kubegrade.gradingjob.retries").description("Runner pods replaced after an infrastructure failure")
        .tag("reason", reason).register(registry).increment();
  }

  public void finished(String verdict) {
    Counter.builder("kubegrade.gradingjobs.finished").description("GradingJobs that reached a verdict")
        .tag("verdict", verdict).register(registry).increment();
  }
}
