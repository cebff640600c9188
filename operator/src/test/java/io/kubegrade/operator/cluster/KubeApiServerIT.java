package io.kubegrade.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.kubegrade.api.Json;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.gradingjob.GradingJob;
import io.kubegrade.api.gradingjob.GradingJobPhase;
import io.kubegrade.api.gradingjob.GradingJobSpec;
import io.kubegrade.operator.OperatorMain;
import io.kubegrade.operator.testing.Chart;
import io.kubegrade.operator.testing.Jobs;
import io.kubegrade.operator.testing.KubeApiServer;
import io.kubegrade.operator.testing.Kubelet;
import io.kubegrade.operator.testing.RecordingVerdictPublisher;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.FileInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator against a real kube-apiserver: the committed CRD is accepted and enforced, the
 * runner pod passes Pod Security "restricted" admission, status goes through the real status
 * subresource, and {@code kubectl get gj} shows the printer columns (read as the server's Table).
 */
class KubeApiServerIT {
  static final String NS = "grading";
  static KubeApiServer server;
  static KubernetesClient admin;

  static final String OPERATOR_TOKEN = "kubegrade-operator-token";

  @BeforeAll
  static void cluster() throws Exception {
    // The operator's ServiceAccount identity as the chart names it (release "kg"), for the RBAC test.
    server = KubeApiServer.start(List.of(OPERATOR_TOKEN + ",system:serviceaccount:" + NS + ":kg-kubegrade-operator,op-uid,"
        + "\"system:serviceaccounts,system:serviceaccounts:" + NS + ",system:authenticated\""));
    admin = server.client(KubeApiServer.ADMIN_TOKEN);
    try (InputStream crd = new FileInputStream(Jobs.root().resolve("crds/gradingjobs.kubegrade.io.yaml").toFile())) {
      CustomResourceDefinition created = admin.apiextensions().v1().customResourceDefinitions().load(crd).create();
      await().atMost(Duration.ofSeconds(30)).until(() -> admin.apiextensions().v1().customResourceDefinitions()
          .withName(created.getMetadata().getName()).get().getStatus().getConditions().stream()
          .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus())));
    }
    admin.resource(new NamespaceBuilder().withNewMetadata().withName(NS)
        .addToLabels("pod-security.kubernetes.io/enforce", "restricted")
        .addToLabels("pod-security.kubernetes.io/enforce-version", "latest").endMetadata().build()).create();
    admin.resource(new ServiceAccountBuilder().withNewMetadata().withName("kubegrade-runner").withNamespace(NS).endMetadata()
        .withAutomountServiceAccountToken(false).build()).create();
    admin.resource(new SecretBuilder().withNewMetadata().withName("kubegrade-runner-redis").withNamespace(NS).endMetadata()
        .addToStringData("runner-username", "kubegrade-runner").addToStringData("runner-password", "secret").build()).create();
  }

  @AfterAll
  static void stop() {
    if (admin != null) {
      admin.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void theCommittedCrdValidatesGradingJobs() {
    GradingJob noOwner = Jobs.job(NS, "invalid-1", "alice", "counter");
    noOwner.setSpec(new GradingJobSpec("invalid-1", noOwner.getSpec().challenge(), noOwner.getSpec().source(),
        noOwner.getSpec().limits(), null));
    assertThatThrownBy(() -> admin.resource(noOwner).create()).isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
        .hasMessageContaining("spec.owner");
    GradingJob badMemory = Jobs.job(NS, "invalid-2", "alice", "counter");
    badMemory.setSpec(new GradingJobSpec("invalid-2", badMemory.getSpec().challenge(), badMemory.getSpec().source(),
        new GradingJobSpec.JobLimits(0L, "lots", "1"), "alice"));
    assertThatThrownBy(() -> admin.resource(badMemory).create()).isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("spec.limits.memory").hasMessageContaining("spec.limits.timeoutSeconds");
  }

  @Test
  void podSecurityAdmissionIsEnforcedInTheNamespaceAndTheRunnerPodPassesIt() throws Exception {
    Pod plain = new PodBuilder().withNewMetadata().withName("plain").withNamespace(NS).endMetadata()
        .withNewSpec().withServiceAccountName("kubegrade-runner").addNewContainer().withName("c").withImage("busybox")
        .endContainer().endSpec().build();
    assertThatThrownBy(() -> admin.resource(plain).create()).hasMessageContaining("violates PodSecurity \"restricted");

    RecordingVerdictPublisher verdicts = new RecordingVerdictPublisher();
    try (OperatorMain operator = OperatorMain.start(admin, Jobs.settings(Map.of("KUBEGRADE_WATCH_NAMESPACES", NS)), true,
        verdicts, source -> "http://s3.test/" + source.key() + "?X-Amz-Signature=test",
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
      admin.resource(Jobs.job(NS, "s1", "alice", "counter")).create();
      await().atMost(Duration.ofSeconds(30)).until(() -> admin.pods().inNamespace(NS).withName("s1-1").get() != null);
      Pod pod = admin.pods().inNamespace(NS).withName("s1-1").get();

      Kubelet kubelet = new Kubelet(admin);
      kubelet.running(pod);
      await().atMost(Duration.ofSeconds(30)).until(() -> phase("s1") == GradingJobPhase.Running);
      kubelet.terminated(pod, 0, "Completed", new Verdict(VerdictStatus.ACCEPTED, null, 3, 3, 1234, List.of(), null, null,
          List.of(), null, null).toBoundedJson(4096));
      await().atMost(Duration.ofSeconds(30)).until(() -> phase("s1") == GradingJobPhase.Succeeded);

      JsonNode table = table();
      List<String> columns = new ArrayList<>();
      table.get("columnDefinitions").forEach(c -> columns.add(c.get("name").asText()));
      assertThat(columns).containsExactly("Name", "Challenge", "Phase", "Verdict", "Tests", "Duration", "Age");
      JsonNode row = table.get("rows").get(0).get("cells");
      assertThat(List.of(row.get(0).asText(), row.get(1).asText(), row.get(2).asText(), row.get(3).asText(),
          row.get(4).asText(), row.get(5).asText())).containsExactly("s1", "counter", "Succeeded", "ACCEPTED", "3/3", "1.2s");

      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(admin.v1().events().inNamespace(NS).list()
          .getItems().stream().filter(e -> "s1".equals(e.getInvolvedObject().getName())).map(e -> e.getReason()))
          .contains("Queued", "PodCreated", "Started", "Finished"));
    }
  }

  @Test
  void theOperatorNeedsNoMoreThanTheChartsRbac() throws Exception {
    // The chart's ServiceAccounts, Roles and RoleBindings, exactly as rendered.
    for (HasMetadata o : Chart.template(NS, Map.of())) {
      if (o instanceof ServiceAccount || o instanceof Role || o instanceof RoleBinding) {
        o.getMetadata().setNamespace(NS);
        admin.resource(o).create();
      }
    }
    Map<String, String> settings = Map.of("KUBEGRADE_WATCH_NAMESPACES", NS, "KUBEGRADE_LEADER_ELECTION", "true",
        "KUBEGRADE_LEASE_NAMESPACE", NS, "KUBEGRADE_RUNNER_SERVICE_ACCOUNT", "kg-kubegrade-runner",
        "KUBEGRADE_FINISHED_TTL", "2s");
    RecordingVerdictPublisher verdicts = new RecordingVerdictPublisher();
    KubernetesClient asOperator = server.client(OPERATOR_TOKEN);
    assertThatThrownBy(() -> asOperator.secrets().inNamespace(NS).list()).as("no access to Secrets")
        .isInstanceOf(KubernetesClientException.class).hasMessageContaining("forbidden");
    try (OperatorMain operator = OperatorMain.start(asOperator, Jobs.settings(settings), true, verdicts,
        source -> "http://s3.test/" + source.key() + "?X-Amz-Signature=test", new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
      admin.resource(Jobs.job(NS, "rbac-1", "alice", "counter")).create();
      await().atMost(Duration.ofSeconds(60)).until(() -> admin.pods().inNamespace(NS).withName("rbac-1-1").get() != null);
      Pod pod = admin.pods().inNamespace(NS).withName("rbac-1-1").get();
      assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("kg-kubegrade-runner");
      new Kubelet(admin).terminated(pod, 137, "OOMKilled", "");
      await().atMost(Duration.ofSeconds(30)).until(() -> phase("rbac-1") == GradingJobPhase.Succeeded);
      assertThat(verdicts.verdict("rbac-1").status()).isEqualTo(VerdictStatus.MEMORY_LIMIT_EXCEEDED);
      await("deleted after its TTL").atMost(Duration.ofSeconds(30))
          .until(() -> admin.resources(GradingJob.class).inNamespace(NS).withName("rbac-1").get() == null);
      assertThat(admin.leases().inNamespace(NS).withName("kubegrade-operator").get()).as("leader election's Lease").isNotNull();
      assertThat(admin.v1().events().inNamespace(NS).list().getItems())
          .anyMatch(e -> "rbac-1".equals(e.getInvolvedObject().getName()) && "Finished".equals(e.getReason()));
    }
  }

  @Test
  void everyExampleManifestIsAcceptedByTheApiServer() throws Exception {
    try (var files = java.nio.file.Files.list(Jobs.root().resolve("examples"))) {
      for (java.nio.file.Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
          GradingJob example = admin.resources(GradingJob.class).load(in).item();
          GradingJob created = admin.resource(example).inNamespace("default").create();
          assertThat(created.getMetadata().getUid()).as(file.toString()).isNotNull();
          io.kubegrade.api.challenge.Challenge challenge = Json.mapper().readValue(created.getSpec().challenge().document(),
              io.kubegrade.api.challenge.Challenge.class);
          assertThat(challenge.id()).isEqualTo(created.getSpec().challenge().id());
        }
      }
    }
  }

  private static GradingJobPhase phase(String name) {
    GradingJob j = admin.resources(GradingJob.class).inNamespace(NS).withName(name).get();
    return j == null || j.getStatus() == null ? null : j.getStatus().phase();
  }

  /** What {@code kubectl get gj} asks for: the server-side Table with the CRD's printer columns. */
  private static JsonNode table() throws Exception {
    var http = admin.getHttpClient();
    HttpRequest request = http.newHttpRequestBuilder()
        .uri(server.url() + "/apis/kubegrade.io/v1alpha1/namespaces/" + NS + "/gradingjobs")
        .header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io").build();
    HttpResponse<String> response = http.sendAsync(request, String.class).get();
    assertThat(response.code()).as(response.body()).isEqualTo(200);
    return Json.mapper().readTree(response.body());
  }
}
