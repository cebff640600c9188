package io.kubegrade.operator.pod;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.kubegrade.api.Json;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.job.RunnerContract;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * What a runner pod says about its job, read from the pod alone (the kubelet's view): still
 * pending, running, graded (the runner's verdict from its termination message), concluded by
 * Kubernetes (OOM kill, deadline), or lost to the infrastructure - which is retried.
 */
public sealed interface PodOutcome {

  /** Not running yet; {@code recheckAfter} is when waiting any longer would be given up. */
  record Pending(Duration recheckAfter) implements PodOutcome {}

  /** The runner runs; {@code recheckAfter} is when its deadline is reached. */
  record Running(Instant startedAt, Duration recheckAfter) implements PodOutcome {}

  /** The runner finished and wrote its verdict (it reported its events, the verdict last, through the inbox). */
  record Graded(Verdict verdict, Instant finishedAt) implements PodOutcome {}

  /** The runner found the submission already had its verdict (from an earlier attempt, or the gateway). */
  record AlreadyGraded() implements PodOutcome {}

  /** Kubernetes decided the verdict: the code used too much memory or time. */
  record Concluded(VerdictStatus status, String reason, String message) implements PodOutcome {}

  /** The infrastructure failed the attempt (eviction, node loss, image pull, deletion): retry. */
  record Lost(String reason, String message) implements PodOutcome {}

  Set<String> BROKEN_WAITING = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName",
      "CreateContainerConfigError", "CreateContainerError");


  static PodOutcome of(Pod pod, Instant now, Duration pendingTimeout) {
    if (pod == null) {
      return new Lost("PodDeleted", "the runner pod disappeared (deleted by hand or by node loss)");
    }
    var status = pod.getStatus();
    String phase = status == null || status.getPhase() == null ? "Pending" : status.getPhase();
    String reason = status == null ? null : status.getReason();
    Optional<ContainerStatus> container = status == null || status.getContainerStatuses() == null
        ? Optional.empty() : status.getContainerStatuses().stream().findFirst();
    ContainerStateTerminated terminated = container.map(ContainerStatus::getState).map(ContainerState::getTerminated)
        .orElse(null);

    if ("DeadlineExceeded".equals(reason)) {
      return pastDeadline(pod);
    }
    if ("Evicted".equals(reason) || "Preempting".equals(reason) || "Shutdown".equals(reason)
        || "Terminated".equals(reason) || "UnexpectedAdmissionError".equals(reason)) {
      return new Lost(reason, "the runner pod was stopped by its node: " + nullToEmpty(status.getMessage()));
    }
    if ("NodeLost".equals(reason) || "Unknown".equals(phase)) {
      return new Lost("NodeLost", "the runner pod's node stopped reporting");
    }
    if (terminated != null) {
      return finished(terminated, parse(terminated.getFinishedAt()));
    }
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
      return new Lost("RunnerCrashed", "the runner pod ended (" + phase + ") without a container status");
    }
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      return new Lost("PodDeleted", "the runner pod is being deleted");
    }
    if ("Running".equals(phase)) {
      Instant started = container.map(ContainerStatus::getState).map(ContainerState::getRunning)
          .map(r -> parse(r.getStartedAt())).orElse(parse(status.getStartTime()));
      // The kubelet counts activeDeadlineSeconds from the pod's start; at that moment the verdict
      // is decided here, without waiting for the kubelet's termination grace to run out.
      Instant podStart = parse(status.getStartTime());
      Long deadline = pod.getSpec().getActiveDeadlineSeconds();
      if (deadline == null) {
        return new Running(started, pendingTimeout);
      }
      Instant due = (podStart == null ? (started == null ? now : started) : podStart).plusSeconds(deadline);
      if (!now.isBefore(due)) {
        return pastDeadline(pod);
      }
      return new Running(started, Duration.between(now, due));
    }
    ContainerStateWaiting waiting = container.map(ContainerStatus::getState).map(ContainerState::getWaiting).orElse(null);
    if (waiting != null && BROKEN_WAITING.contains(waiting.getReason())) {
      return new Lost(waiting.getReason(), nullToEmpty(waiting.getMessage()));
    }
    Instant created = parse(pod.getMetadata().getCreationTimestamp());
    Instant giveUp = (created == null ? now : created).plus(pendingTimeout);
    if (!now.isBefore(giveUp)) {
      String why = status == null || status.getConditions() == null ? "" : status.getConditions().stream()
          .filter(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()))
          .map(PodCondition::getMessage).findFirst().map(m -> ": " + m).orElse("");
      return new Lost("PendingTimeout", "the runner pod did not start within " + pendingTimeout.toSeconds() + "s" + why);
    }
    return new Pending(Duration.between(now, giveUp));
  }

  private static PodOutcome pastDeadline(Pod pod) {
    return new Concluded(VerdictStatus.TIME_LIMIT_EXCEEDED, "DeadlineExceeded",
        "the runner pod ran past its deadline of " + pod.getSpec().getActiveDeadlineSeconds() + "s and was stopped");
  }

  private static PodOutcome finished(ContainerStateTerminated terminated, Instant finishedAt) {
    if ("OOMKilled".equals(terminated.getReason())) {
      return new Concluded(VerdictStatus.MEMORY_LIMIT_EXCEEDED, "OOMKilled",
          "the runner pod was killed for using more memory than its limit");
    }
    String message = nullToEmpty(terminated.getMessage()).trim();
    if (message.startsWith("{")) {
      try {
        return new Graded(Json.mapper().readValue(message, Verdict.class), finishedAt);
      } catch (JsonProcessingException e) {
        return new Lost("UnreadableVerdict", "the runner's termination message is not a verdict: " + e.getOriginalMessage());
      }
    }
    int code = terminated.getExitCode() == null ? -1 : terminated.getExitCode();
    if (code == RunnerContract.EXIT_GRADED && message.startsWith(RunnerContract.ALREADY_GRADED)) {
      return new AlreadyGraded();
    }
    if (code == RunnerContract.EXIT_GRADED && message.startsWith(RunnerContract.SUPERSEDED)) {
      // Its attempt was fenced by one this operator did not record (another instance): start afresh.
      return new Lost("AttemptSuperseded", message);
    }
    if (code == RunnerContract.EXIT_USAGE) {
      return new Concluded(VerdictStatus.INTERNAL_ERROR, "RunnerRejectedJob", "the runner rejected the job: " + message);
    }
    return new Lost(code == RunnerContract.EXIT_CANNOT_START ? "RunnerCouldNotStart" : "RunnerCrashed",
        "the runner exited with code " + code + (message.isEmpty() ? "" : ": " + message));
  }

  private static Instant parse(String timestamp) {
    return timestamp == null || timestamp.isBlank() ? null : Instant.parse(timestamp);
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
