package io.kubegrade.gateway.dispatch;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kubegrade.api.Json;
import io.kubegrade.api.challenge.Challenge;
import io.kubegrade.api.gradingjob.GradingJob;
import io.kubegrade.api.gradingjob.GradingJobSpec;
import io.kubegrade.gateway.GatewayProperties;
import java.time.Duration;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Primary;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Kubernetes mode: each submission becomes a GradingJob, named after it, which the operator turns
 * into a runner pod. The job carries the challenge snapshot and where the source is in S3 - never
 * the source itself. The gateway's RBAC is create and get on gradingjobs in one namespace.
 */
@Component
@Primary
@ConditionalOnProperty(prefix = "kubegrade.dispatch", name = "mode", havingValue = "kubernetes")
public class KubernetesDispatcher implements Dispatcher, DisposableBean {
  private final KubernetesClient client;
  private final String namespace;
  private final String bucket;
  private final Duration deadlineMargin;
  private final String jobOwner;
  private volatile OwnerReference owner;

  @org.springframework.beans.factory.annotation.Autowired
  public KubernetesDispatcher(GatewayProperties properties) {
    this(new KubernetesClientBuilder().build(), properties);
  }

  KubernetesDispatcher(KubernetesClient client, GatewayProperties properties) {
    this.client = client;
    String ns = properties.dispatch().namespace();
    this.namespace = ns == null || ns.isBlank() ? client.getNamespace() : ns;
    this.bucket = properties.s3().bucket();
    this.deadlineMargin = properties.dispatch().deadlineMargin();
    this.jobOwner = properties.dispatch().jobOwner();
  }

  @Override
  public Mono<Void> dispatch(String submissionId, String user, Challenge challenge, String source, String sourceKey) {
    return Mono.fromCallable(() -> client.resource(owned(job(submissionId, user, challenge, sourceKey))).create())
        .subscribeOn(Schedulers.boundedElastic())
        .then();
  }

  GradingJob job(String submissionId, String user, Challenge challenge, String sourceKey) {
    String document;
    try {
      document = Json.mapper().writeValueAsString(challenge);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a challenge always serialises", e);
    }
    long deadline = challenge.limits().timeLimit().plus(deadlineMargin).toSeconds();
    GradingJob job = new GradingJob(namespace, submissionId, new GradingJobSpec(submissionId,
        new GradingJobSpec.ChallengeSnapshot(challenge.id(), document),
        new GradingJobSpec.SourceLocation(bucket, sourceKey),
        new GradingJobSpec.JobLimits(deadline, null, null), user, java.time.Instant.now().toString()));
    job.getMetadata().setLabels(java.util.Map.of("app.kubernetes.io/part-of", "kubegrade",
        "app.kubernetes.io/created-by", "kubegrade-gateway"));
    return job;
  }

  /** The job, owned by the release's ConfigMap when one is configured (looked up once). */
  private GradingJob owned(GradingJob job) {
    if (jobOwner != null && !jobOwner.isBlank()) {
      OwnerReference ref = owner;
      if (ref == null) {
        ConfigMap anchor = client.configMaps().inNamespace(namespace).withName(jobOwner).get();
        if (anchor == null) {
          throw new IllegalStateException("the GradingJob owner ConfigMap " + namespace + "/" + jobOwner + " does not exist");
        }
        ref = new OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap").withName(jobOwner)
            .withUid(anchor.getMetadata().getUid()).withController(false).withBlockOwnerDeletion(false).build();
        owner = ref;
      }
      job.getMetadata().setOwnerReferences(java.util.List.of(ref));
    }
    return job;
  }

  @Override
  public Mono<Boolean> endsItself(String submissionId) {
    return Mono.fromCallable(() -> {
          GradingJob job = client.resources(GradingJob.class).inNamespace(namespace).withName(submissionId).get();
          return job != null && (job.getStatus() == null || job.getStatus().phase() == null || !job.getStatus().phase().isFinal());
        })
        .subscribeOn(Schedulers.boundedElastic());
  }

  /** The operator reports jobs by phase itself (kubegrade_gradingjobs); listing them here would cost an API call a tick. */
  @Override
  public Mono<Long> depth() {
    return Mono.empty();
  }

  @Override
  public void destroy() {
    client.close();
  }
}
