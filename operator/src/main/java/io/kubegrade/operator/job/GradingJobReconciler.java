package io.kubegrade.operator.job;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.gradingjob.GradingJob;
import io.kubegrade.api.gradingjob.GradingJobLabels;
import io.kubegrade.api.gradingjob.GradingJobPhase;
import io.kubegrade.api.gradingjob.GradingJobStatus;
import io.kubegrade.operator.OperatorSettings;
import io.kubegrade.operator.admission.AdmissionQueue;
import io.kubegrade.operator.ops.JobMetrics;
import io.kubegrade.operator.pod.PodOutcome;
import io.kubegrade.operator.pod.RunnerPod;
import io.kubegrade.operator.source.SourcePresigner;
import io.kubegrade.operator.verdict.VerdictPublisher;
import io.kubegrade.operator.warm.WarmBinder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One GradingJob, observed and moved one step: admit it (create its runner pod), follow the pod,
 * turn what the pod says into status and - when the operator decides the verdict - into the
 * submission's terminal event, retry infrastructure failures, and delete the job once its TTL has
 * passed. Decisions live in {@link AdmissionQueue} and {@link PodOutcome}; this class coordinates.
 * Nothing here sleeps: waiting is a rescheduled reconciliation or an event.
 */
@ControllerConfiguration(name = GradingJobReconciler.NAME,
    maxReconciliationInterval = @MaxReconciliationInterval(interval = 5, timeUnit = TimeUnit.MINUTES))
public class GradingJobReconciler implements Reconciler<GradingJob> {
  public static final String NAME = "gradingjob";
  static final String RUNNER_SELECTOR = GradingJobLabels.MANAGED_BY + "=" + GradingJobLabels.OPERATOR + ","
      + GradingJobLabels.COMPONENT + "=" + GradingJobLabels.RUNNER_COMPONENT;

  static final Duration ADMISSION_RECHECK = Duration.ofSeconds(30);
  /** How long after a runner ends its own verdict may take to be relayed before the operator publishes its copy. */
  static final Duration RELAY_GRACE = Duration.ofSeconds(3);

  private final OperatorSettings.Admission limits;
  private final AdmissionQueue queue;
  private final RunnerPod pods;
  private final SourcePresigner presigner;
  private final VerdictPublisher verdicts;
  private final JobEvents events;
  private final JobMetrics metrics;
  private final WarmBinder warm;
  private final Clock clock;
  private final SimpleInboundEventSource<GradingJob> wake = new SimpleInboundEventSource<>("admission");

  public GradingJobReconciler(OperatorSettings.Admission limits, RunnerPod pods, SourcePresigner presigner,
      VerdictPublisher verdicts, JobEvents events, JobMetrics metrics, WarmBinder warm, Clock clock) {
    this.limits = limits;
    this.queue = new AdmissionQueue(limits.maxRunningPods(), limits.maxRunningPerUser(), clock);
    this.pods = pods;
    this.presigner = presigner;
    this.verdicts = verdicts;
    this.events = events;
    this.metrics = metrics;
    this.warm = warm;
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, GradingJob>> prepareEventSources(EventSourceContext<GradingJob> context) {
    metrics.observe(() -> context.getPrimaryCache().list());
    InformerEventSource<Pod, GradingJob> runnerPods = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Pod.class, GradingJob.class)
            .withName("runner-pods")
            .withLabelSelector(RUNNER_SELECTOR)
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(GradingJob.class))
            .build(), context);
    return List.of(runnerPods, wake);
  }

  @Override
  public UpdateControl<GradingJob> reconcile(GradingJob job, Context<GradingJob> context) {
    long start = System.nanoTime();
    String outcome = "error";
    try {
      UpdateControl<GradingJob> control = switch (job.phase()) {
        case Queued -> admit(job, context);
        case Scheduled, Running -> follow(job, context);
        case Succeeded, Failed -> expireOrWait(job, context);
      };
      outcome = job.phase().name();
      return control;
    } finally {
      metrics.reconciled(outcome, System.nanoTime() - start);
    }
  }

  /**
   * A reconciliation failed (Redis unreachable past its timeout, the API server refusing): the job
   * says so in its Reconciled condition and a Warning event, and the framework retries with
   * backoff. The next reconciliation that succeeds sets the condition back (StatusDraft).
   */
  @Override
  public ErrorStatusUpdateControl<GradingJob> updateErrorStatus(GradingJob job, Context<GradingJob> context, Exception e) {
    String cause = e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
    boolean last = context.getRetryInfo().map(RetryInfo::isLastAttempt).orElse(false);
    String message = (last ? "giving up after retries: " : "retrying: ") + (cause.length() > 500 ? cause.substring(0, 500) : cause);
    events.warning(job, "ReconcileFailed", message);
    StatusDraft status = StatusDraft.of(job)
        .condition(GradingJobLabels.RECONCILED, false, "ReconcileFailed", message, clock.instant());
    job.setStatus(status.build()); // the framework's copy of the job, as its docs do
    return ErrorStatusUpdateControl.patchStatus(job);
  }

  private UpdateControl<GradingJob> admit(GradingJob job, Context<GradingJob> context) {
    Instant now = clock.instant();
    StatusDraft status = StatusDraft.of(job);
    if (status.isNew()) {
      status.phase(GradingJobPhase.Queued)
          .condition(GradingJobLabels.ADMITTED, false, "Queued", "waiting for a free runner slot", now);
      events.normal(job, "Queued", "waiting for one of " + limits.maxRunningPods() + " runner slots");
    }
    var concluded = verdicts.existing(job.getSpec().submissionId());
    if (concluded.isPresent()) {
      // Ended before it got a pod (the gateway gave up waiting), or graded by a pod an earlier
      // operator instance created and stopped before recording: then the status names that pod.
      newestPod(context).ifPresent(p -> status.pod(p.getMetadata().getName(), attempt(p), isWarm(p), now));
      return finish(job, context, status, concluded.get(), "AlreadyGraded", now);
    }
    int attempt = status.attempts() + 1;
    int next = attempt;
    Pod existing = newestPod(context).filter(p -> attempt(p) >= next)
        .orElseGet(() -> pod(context, RunnerPod.name(job, next)));
    if (existing != null) {
      // Created (or a warm one bound) before, and not recorded yet: by a previous operator
      // instance, or by this one with the status update not yet seen. Follow the pod as it is
      // now - it may even have finished.
      String name = existing.getMetadata().getName();
      attempt = Math.max(attempt, attempt(existing));
      queue.tryAdmit(job, jobs(context));
      events.normal(job, "Adopted", "runner pod " + name + " (attempt " + attempt + ") already exists; following it");
      status.pod(name, attempt, isWarm(existing), now).phase(GradingJobPhase.Scheduled)
          .condition(GradingJobLabels.ADMITTED, true, "PodCreated", "runner pod " + name, now);
      return follow(job, context, status);
    }
    if (!queue.tryAdmit(job, jobs(context))) {
      // Woken when a slot frees; the recheck covers slots freed by jobs deleted while running.
      return patch(job, context, status).rescheduleAfter(ADMISSION_RECHECK);
    }
    Created created = createPod(job, context, attempt);
    if (created instanceof Created.Concluded) {
      return finish(job, context, status, alreadyPublished(job), "AlreadyGraded", now);
    }
    if (!(created instanceof Created.Pod pod)) {
      return patch(job, context, status);
    }
    attempt = pod.attempt();
    String name = pod.name();
    metrics.admitted(Duration.between(Instant.parse(job.getMetadata().getCreationTimestamp()), now));
    String reason = pod.warm() ? "PodBound" : "PodCreated";
    events.normal(job, reason, pod.warm() ? "gave attempt " + attempt + " to warm runner pod " + name
        : "created runner pod " + name + " (attempt " + attempt + ")");
    status.pod(name, attempt, pod.warm(), queue.admittedAt(job).orElse(now)).phase(GradingJobPhase.Scheduled)
        .condition(GradingJobLabels.ADMITTED, true, reason, (pod.warm() ? "warm runner pod " : "runner pod ") + name, now)
        .condition(GradingJobLabels.STARTED, false, "PodPending", "waiting for the runner pod to start", now);
    if (pod.warm()) {
      // Its informer event follows at once; a bound pod runs already.
      return patch(job, context, status).rescheduleAfter(Duration.ofSeconds(1));
    }
    return patch(job, context, status).rescheduleAfter(limits.pendingTimeout());
  }

  private UpdateControl<GradingJob> follow(GradingJob job, Context<GradingJob> context) {
    return follow(job, context, StatusDraft.of(job));
  }

  private UpdateControl<GradingJob> follow(GradingJob job, Context<GradingJob> context, StatusDraft status) {
    Instant now = clock.instant();
    // A pod of a later attempt than the status records: the status is behind (an update not yet
    // seen, or an instance that stopped before recording it). The newest attempt is the current one.
    Pod newest = newestPod(context).orElse(null);
    if (newest != null && attempt(newest) > status.attempts()) {
      status.pod(newest.getMetadata().getName(), attempt(newest), isWarm(newest), now);
    }
    Pod pod = pod(context, status.podName());
    deleteEarlierAttempts(context, status.attempts());
    PodOutcome outcome = PodOutcome.of(pod, now, limits.pendingTimeout());
    if (outcome instanceof PodOutcome.Pending pending) {
      return patch(job, context, status.phase(GradingJobPhase.Scheduled)).rescheduleAfter(pending.recheckAfter());
    }
    if (outcome instanceof PodOutcome.Running running) {
      if (status.phase() != GradingJobPhase.Running || status.startTime() == null) {
        Instant started = running.startedAt() == null ? now : running.startedAt();
        Instant boundAt = boundAt(pod);
        if (boundAt != null && boundAt.isAfter(started)) {
          started = boundAt; // a warm pod ran before its job came; the job's grading started when it was bound
        }
        status.phase(GradingJobPhase.Running).started(started)
            .condition(GradingJobLabels.STARTED, true, "RunnerStarted", "runner pod " + status.podName() + " is grading", now);
        events.normal(job, "Started", "runner pod " + status.podName() + " started grading");
      }
      return patch(job, context, status).rescheduleAfter(running.recheckAfter());
    }
    if (outcome instanceof PodOutcome.AlreadyGraded) {
      return finish(job, context, status, alreadyPublished(job), "AlreadyGraded", now);
    }
    if (outcome instanceof PodOutcome.Graded graded) {
      // The runner's own verdict, relayed from the inbox after its other events, is what learners
      // should see; the termination message's copy is published only when that does not come.
      if (verdicts.existing(job.getSpec().submissionId()).isEmpty() && graded.finishedAt() != null
          && now.isBefore(graded.finishedAt().plus(RELAY_GRACE))) {
        return patch(job, context, status).rescheduleAfter(Duration.ofMillis(250));
      }
      return finish(job, context, status, graded.verdict(), "Graded", now);
    }
    if (outcome instanceof PodOutcome.Concluded concluded) {
      if (pod != null && isActive(pod)) {
        // Past its deadline and still running: stopped now rather than after its grace period.
        context.getClient().resource(pod).withGracePeriod(0).delete();
      }
      long ran = status.startTime() == null ? 0 : Duration.between(Instant.parse(status.startTime()), now).toMillis();
      Verdict verdict = Verdict.of(concluded.status(), concluded.message(), tests(job), ran);
      return finish(job, context, status, verdict, concluded.reason(), now);
    }
    return retryOrFail(job, context, status, pod, (PodOutcome.Lost) outcome, now);
  }

  private UpdateControl<GradingJob> retryOrFail(GradingJob job, Context<GradingJob> context, StatusDraft status, Pod pod,
      PodOutcome.Lost lost, Instant now) {
    if (pod != null) {
      context.getClient().resource(pod).withGracePeriod(0).delete();
    }
    metrics.retried(lost.reason());
    int attempt = status.attempts() + 1;
    if (attempt > limits.maxAttempts()) {
      String message = "grading failed " + status.attempts() + " times; last: " + lost.reason() + ": " + lost.message();
      return finish(job, context, status, Verdict.of(VerdictStatus.INTERNAL_ERROR, message, tests(job), 0), lost.reason(), now);
    }
    Created created = createPod(job, context, attempt);
    if (created instanceof Created.Concluded) {
      return finish(job, context, status, alreadyPublished(job), "AlreadyGraded", now);
    }
    if (!(created instanceof Created.Pod retried)) {
      return UpdateControl.noUpdate();
    }
    attempt = retried.attempt();
    String name = retried.name();
    events.warning(job, "Retried", "attempt " + status.attempts() + " lost (" + lost.reason() + ": " + lost.message()
        + "); " + (retried.warm() ? "gave attempt " + attempt + " to warm runner pod " : "created runner pod ") + name);
    status.pod(name, attempt, retried.warm(), now).phase(GradingJobPhase.Scheduled)
        .condition(GradingJobLabels.STARTED, false, lost.reason(), lost.message(), now);
    return patch(job, context, status).rescheduleAfter(limits.pendingTimeout());
  }

  private UpdateControl<GradingJob> finish(GradingJob job, Context<GradingJob> context, StatusDraft status,
      Verdict decided, String reason, Instant now) {
    // Publishes the verdict unless the runner did; either way the verdict that stands is recorded.
    Verdict verdict = verdicts.conclude(job.getSpec().submissionId(), decided);
    String summary = verdict.status() + (verdict.message() == null ? "" : ": " + verdict.message());
    status.completed(verdict, now).condition(GradingJobLabels.COMPLETED, true, reason, summary, now);
    // Failed says whether the platform failed to grade (INTERNAL_ERROR, CANCELLED): what
    // `kubectl wait --for=condition=Failed` waits for. A graded submission has it False.
    boolean failed = status.phase() == GradingJobPhase.Failed;
    status.condition(GradingJobLabels.FAILED, failed, failed ? reason : "Graded", failed ? summary : "graded: " + verdict.status(), now);
    String story = "verdict " + verdict.status() + ", " + verdict.passed() + "/" + verdict.total() + " tests in "
        + StatusDraft.humanDuration(verdict.durationMs()) + (verdict.message() == null || reason.equals("Graded") ? ""
        : " (" + reason + ": " + verdict.message() + ")");
    if (status.phase() == GradingJobPhase.Failed) {
      events.warning(job, "Failed", story);
    } else {
      events.normal(job, "Finished", story);
    }
    metrics.finished(verdict.status().name());
    queue.finished(job);
    wakeQueued(context);
    return patch(job, context, status).rescheduleAfter(limits.finishedTtl());
  }

  private UpdateControl<GradingJob> expireOrWait(GradingJob job, Context<GradingJob> context) {
    String completed = job.getStatus().completionTime();
    Instant expires = (completed == null ? clock.instant() : Instant.parse(completed)).plus(limits.finishedTtl());
    Duration left = Duration.between(clock.instant(), expires);
    if (!left.isNegative() && !left.isZero()) {
      return UpdateControl.<GradingJob>noUpdate().rescheduleAfter(left);
    }
    // Its pods go with it: the garbage collector follows their owner references (KubectlE2E).
    context.getClient().resource(job).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
    return UpdateControl.noUpdate();
  }

  /** What creating an attempt's pod came to. */
  private sealed interface Created {
    /**
     * The pod of attempt {@code attempt} exists (the number may be above the one asked for):
     * created for it, or a warm one bound to it.
     */
    record Pod(int attempt, String name, boolean warm) implements Created {}

    /** The job vanished meanwhile. */
    record Gone() implements Created {}

    /** The submission has its verdict: no attempt may begin. */
    record Concluded() implements Created {}
  }

  /**
   * Begins attempt {@code n} in the submission's log (a fresh capability for the pod, every
   * earlier attempt fenced), then gives it to an idle warm pod, or creates its pod when none is
   * left; an existing pod of that attempt is adopted.
   */
  private Created createPod(GradingJob job, Context<GradingJob> context, int n) {
    var begun = verdicts.begin(job.getSpec().submissionId(), n);
    if (begun.isEmpty()) {
      queue.release(job);
      return new Created.Concluded();
    }
    String sourceUrl = presigner.presign(job.getSpec().source());
    int attempt = (int) begun.get().number();
    var warmPod = warm.bind(job, begun.get(), sourceUrl);
    if (warmPod.isPresent()) {
      return new Created.Pod(attempt, warmPod.get().getMetadata().getName(), true);
    }
    Pod desired = pods.build(job, begun.get(), sourceUrl);
    String name = desired.getMetadata().getName();
    try {
      context.getClient().resource(desired).create();
      return new Created.Pod(attempt, name, false);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return new Created.Pod(attempt, name, false);
      }
      queue.release(job);
      if (e.getCode() == 404) {
        return new Created.Gone();
      }
      throw e;
    }
  }

  /** A slot is free: the jobs next in line get reconciled now rather than at their next recheck. */
  private void wakeQueued(Context<GradingJob> context) {
    queue.nextInLine(jobs(context)).stream().limit(limits.maxRunningPods())
        .forEach(j -> wake.propagateEvent(ResourceID.fromResource(j)));
  }

  /** Pods of earlier attempts that still run (a previous instance's retry, say) are removed. */
  private void deleteEarlierAttempts(Context<GradingJob> context, int current) {
    context.getSecondaryResources(Pod.class).stream()
        .filter(p -> attempt(p) < current)
        .filter(p -> p.getStatus() == null || !"Succeeded".equals(p.getStatus().getPhase()) && !"Failed".equals(p.getStatus().getPhase()))
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .forEach(p -> context.getClient().resource(p).withGracePeriod(0).delete());
  }

  /** The job's runner pod of the highest attempt, as the informer sees them. */
  private static java.util.Optional<Pod> newestPod(Context<GradingJob> context) {
    return context.getSecondaryResources(Pod.class).stream().max(java.util.Comparator.comparingInt(GradingJobReconciler::attempt));
  }

  private static boolean isWarm(Pod pod) {
    return pod.getMetadata().getLabels() != null && pod.getMetadata().getLabels().containsKey(GradingJobLabels.WARM);
  }

  private static Instant boundAt(Pod pod) {
    String at = pod == null || pod.getMetadata().getAnnotations() == null ? null
        : pod.getMetadata().getAnnotations().get(GradingJobLabels.BOUND_AT);
    try {
      return at == null ? null : Instant.parse(at);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  private static boolean isActive(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return !"Succeeded".equals(phase) && !"Failed".equals(phase) && pod.getMetadata().getDeletionTimestamp() == null;
  }

  private static int attempt(Pod pod) {
    String label = pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(GradingJobLabels.ATTEMPT);
    try {
      return label == null ? 0 : Integer.parseInt(label);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** The pod from the informer, or from the API server when the informer has not seen it yet. */
  private static Pod pod(Context<GradingJob> context, String name) {
    if (name == null) {
      return null;
    }
    return context.getSecondaryResources(Pod.class).stream().filter(p -> p.getMetadata().getName().equals(name))
        .findFirst()
        .orElseGet(() -> context.getClient().pods().inNamespace(context.getPrimaryResource().getMetadata().getNamespace())
            .withName(name).get());
  }

  private List<GradingJob> jobs(Context<GradingJob> context) {
    return context.getPrimaryCache().list().collect(Collectors.toList());
  }

  private Verdict alreadyPublished(GradingJob job) {
    return verdicts.existing(job.getSpec().submissionId()).orElseGet(() -> Verdict.of(VerdictStatus.INTERNAL_ERROR,
        "the runner reported the submission graded, but no verdict is stored", tests(job), 0));
  }

  private static int tests(GradingJob job) {
    String document = job.getSpec().challenge().document();
    try {
      return io.kubegrade.api.Json.mapper().readValue(document, io.kubegrade.api.challenge.Challenge.class).tests().size();
    } catch (Exception e) {
      return 0;
    }
  }

  /**
   * Writes the status and puts the result in the framework's cache, so a reconciliation that
   * follows at once (a pod event, a wake) sees it rather than the informer's older copy - the
   * status is this operator's memory: attempts, the pod, whether the Queued story was told.
   */
  private UpdateControl<GradingJob> patch(GradingJob job, Context<GradingJob> context, StatusDraft status) {
    if (status.changed()) {
      GradingJobStatus next = status.build();
      PrimaryUpdateAndCacheUtils.patchStatusAndCacheResource(job, context, j -> {
        j.setStatus(next);
        return j;
      });
    }
    return UpdateControl.noUpdate();
  }
}
