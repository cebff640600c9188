package io.kubegrade.operator.testing;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;

/**
 * Plays the kubelet on an API server that has none: moves a runner pod through the states a real
 * node would report (docs/operator.md, "Outcomes").
 */
public final class Kubelet {
  private final KubernetesClient client;

  public Kubelet(KubernetesClient client) {
    this.client = client;
  }

  public void running(Pod pod) {
    String now = Instant.now().toString();
    setStatus(pod, new PodStatusBuilder().withPhase("Running").withStartTime(now)
        .addToContainerStatuses(new ContainerStatusBuilder().withName("runner").withReady(true).withRestartCount(0)
            .withImage(pod.getSpec().getContainers().get(0).getImage())
            .withState(new ContainerStateBuilder().withNewRunning().withStartedAt(now).endRunning().build()).build())
        .build());
  }

  /** The container's startup probe passed: the pod is Ready (what a warm pod waits for before it is given a job). */
  public void ready(Pod pod) {
    Pod current = client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).get();
    String now = Instant.now().toString();
    if (current.getStatus().getConditions() == null) {
      current.getStatus().setConditions(new java.util.ArrayList<>());
    }
    current.getStatus().getConditions().removeIf(c -> "Ready".equals(c.getType()));
    current.getStatus().getConditions().add(new io.fabric8.kubernetes.api.model.PodConditionBuilder().withType("Ready")
        .withStatus("True").withLastTransitionTime(now).build());
    client.resource(current).updateStatus();
  }

  /** The container ended: {@code reason} "Completed", "Error" or "OOMKilled"; the message as the kubelet read it. */
  public void terminated(Pod pod, int exitCode, String reason, String message) {
    String now = Instant.now().toString();
    setStatus(pod, new PodStatusBuilder().withPhase(exitCode == 0 ? "Succeeded" : "Failed").withStartTime(now)
        .addToContainerStatuses(new ContainerStatusBuilder().withName("runner").withReady(false).withRestartCount(0)
            .withImage(pod.getSpec().getContainers().get(0).getImage())
            .withState(new ContainerStateBuilder().withNewTerminated().withExitCode(exitCode).withReason(reason)
                .withMessage(message).withStartedAt(now).withFinishedAt(now).endTerminated().build()).build())
        .build());
  }

  /** The whole pod failed for a node-level reason: Evicted, DeadlineExceeded, NodeLost... */
  public void podFailed(Pod pod, String reason, String message) {
    setStatus(pod, new PodStatusBuilder().withPhase("Failed").withReason(reason).withMessage(message).build());
  }

  public void waiting(Pod pod, String reason, String message) {
    setStatus(pod, new PodStatusBuilder().withPhase("Pending")
        .addToContainerStatuses(new ContainerStatusBuilder().withName("runner").withReady(false).withRestartCount(0)
            .withImage(pod.getSpec().getContainers().get(0).getImage())
            .withState(new ContainerStateBuilder().withNewWaiting().withReason(reason).withMessage(message).endWaiting().build())
            .build())
        .build());
  }

  private void setStatus(Pod pod, PodStatus status) {
    Pod current = client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).get();
    current.setStatus(status);
    client.resource(current).updateStatus();
  }
}
