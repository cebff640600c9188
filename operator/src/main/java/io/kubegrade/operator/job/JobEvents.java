package io.kubegrade.operator.job;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubegrade.api.gradingjob.GradingJob;
import io.kubegrade.api.gradingjob.GradingJobLabels;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a job's story as Kubernetes Events, which {@code kubectl describe gj} lists: Queued,
 * PodCreated, Started, Finished, Retried, Failed. Best effort: an event that cannot be written is
 * logged, never a reason to fail a reconciliation.
 */
public final class JobEvents {
  private static final Logger log = LoggerFactory.getLogger(JobEvents.class);
  private final KubernetesClient client;
  private final String instance;

  public JobEvents(KubernetesClient client, String instance) {
    this.client = client;
    this.instance = instance;
  }

  public void normal(GradingJob job, String reason, String message) {
    record(job, "Normal", reason, message);
  }

  public void warning(GradingJob job, String reason, String message) {
    record(job, "Warning", reason, message);
  }

  private void record(GradingJob job, String type, String reason, String message) {
    String now = Instant.now().toString();
    try {
      client.v1().events().inNamespace(job.getMetadata().getNamespace()).resource(new EventBuilder()
          .withNewMetadata().withGenerateName(job.getMetadata().getName() + ".")
            .withNamespace(job.getMetadata().getNamespace()).endMetadata()
          .withNewInvolvedObject().withApiVersion(job.getApiVersion()).withKind(job.getKind())
            .withName(job.getMetadata().getName()).withNamespace(job.getMetadata().getNamespace())
            .withUid(job.getMetadata().getUid()).endInvolvedObject()
          .withType(type).withReason(reason).withMessage(message.length() > 1000 ? message.substring(0, 1000) : message)
          .withNewSource().withComponent(GradingJobLabels.OPERATOR).endSource()
          .withReportingComponent(GradingJobLabels.OPERATOR).withReportingInstance(instance)
          .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
          .build()).create();
    } catch (RuntimeException e) {
      log.warn("could not record event {} for {}: {}", reason, job.getMetadata().getName(), e.getMessage());
    }
  }
}
