package io.kubegrade.operator.pod;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubegrade.api.gradingjob.GradingJob;
import io.kubegrade.api.gradingjob.GradingJobLabels;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start-up, deletes runner pods whose GradingJob no longer exists (deleted while no operator
 * ran, on a cluster whose garbage collector had not caught up). Pods whose job exists are left to
 * the reconciler, which adopts the current attempt's and removes the rest; idle warm pods, which
 * have no job yet, to the warm pool.
 */
public final class OrphanPodSweeper {
  private static final Logger log = LoggerFactory.getLogger(OrphanPodSweeper.class);
  private final KubernetesClient client;

  public OrphanPodSweeper(KubernetesClient client) {
    this.client = client;
  }

  /** Returns how many pods were deleted. */
  public int sweep(Set<String> namespaces) {
    List<Pod> pods = namespaces.isEmpty()
        ? client.pods().inAnyNamespace().withLabels(RunnerPod.selectorLabels()).list().getItems()
        : namespaces.stream().flatMap(ns -> client.pods().inNamespace(ns).withLabels(RunnerPod.selectorLabels())
            .list().getItems().stream()).toList();
    Set<String> jobs = new HashSet<>();
    (namespaces.isEmpty() ? client.resources(GradingJob.class).inAnyNamespace().list().getItems()
        : namespaces.stream().flatMap(ns -> client.resources(GradingJob.class).inNamespace(ns).list().getItems().stream()).toList())
        .forEach(j -> jobs.add(j.getMetadata().getUid()));
    int deleted = 0;
    for (Pod pod : pods) {
      if (GradingJobLabels.WARM_IDLE.equals(pod.getMetadata().getLabels().get(GradingJobLabels.WARM))) {
        continue; // the warm pool's, waiting for a job: it keeps them
      }
      boolean owned = pod.getMetadata().getOwnerReferences().stream()
          .filter(o -> GradingJob.KIND.equals(o.getKind())).map(OwnerReference::getUid).anyMatch(jobs::contains);
      if (!owned) {
        log.info("deleting orphaned runner pod {}/{}", pod.getMetadata().getNamespace(), pod.getMetadata().getName());
        client.resource(pod).withGracePeriod(0).delete();
        deleted++;
      }
    }
    return deleted;
  }
}
