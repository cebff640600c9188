package io.kubegrade.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.gradingjob.GradingJob;
import io.kubegrade.api.gradingjob.GradingJobLabels;
import io.kubegrade.e2e.testing.Cluster;
import io.kubegrade.e2e.testing.Learner;
import io.kubegrade.e2e.testing.Release;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A release's whole life, as a platform team lives it: {@code helm install} into a namespace
 * enforcing Pod Security "restricted", {@code helm test}, {@code helm upgrade} to two operator
 * replicas - then the leader's pod is killed with jobs in flight - and {@code helm uninstall},
 * after which nothing of it is left.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChartLifecycleE2E {
  static final String NAMESPACE = "kubegrade-life";
  static Release release;
  static Cluster cluster;

  @Test
  @Order(1)
  void installsBecomesReadyAndPassesHelmTest() {
    cluster = Cluster.get();
    release = installAndPassHelmTest(cluster, io.kubegrade.e2e.testing.HostServices.on(cluster).chartValues(), "life", NAMESPACE);
  }

  /** The body K3sChartE2E runs too: install into a restricted namespace, both Ready, helm test passes. */
  static Release installAndPassHelmTest(Cluster cluster, Map<String, String> services, String name, String namespace) {
    Release installed = Release.install(cluster, services, name, namespace,
        Map.of("gateway.replicas", "1", "operator.maxRunningPods", "2"));
    KubernetesClient k = cluster.admin();
    for (String component : List.of("gateway", "operator")) {
      assertThat(k.apps().deployments().inNamespace(namespace).withName(installed.fullname() + "-" + component).get().getStatus()
          .getReadyReplicas()).as(component + " ready replicas").isEqualTo(1);
    }
    String test = installed.test();
    assertThat(test).containsPattern("TEST SUITE: +" + installed.fullname() + "-test-grading").containsPattern("Phase: +Succeeded");
    return installed;
  }

  @Test
  @Order(2)
  void upgradesToTwoOperatorReplicasAndAnotherLeadsWhenTheLeaderIsKilled() {
    release.upgrade(Map.of("gateway.replicas", "1", "operator.maxRunningPods", "2", "operator.replicas", "2"));
    KubernetesClient k = cluster.admin();
    List<Pod> operators = await().atMost(Duration.ofMinutes(3)).until(() -> operatorPods(k),
        pods -> pods.size() == 2 && pods.stream().allMatch(ChartLifecycleE2E::ready));
    Lease lease = await().atMost(Duration.ofMinutes(1)).until(() -> lease(k), l -> l != null && holder(l) != null
        && operators.stream().anyMatch(p -> holder(l).contains(p.getMetadata().getName())));
    String leader = operators.stream().filter(p -> holder(lease).contains(p.getMetadata().getName())).findFirst().orElseThrow()
        .getMetadata().getName();

    // Jobs in flight: submitted, then the leader dies (as a node would take it: no grace).
    Learner learner = release.learner("ha-" + System.nanoTime());
    List<Learner.Stream> streams = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      streams.add(learner.watch(learner.submit("counter", Learner.sample("counter", "ACCEPTED/hooks.jsx"))));
    }
    await().atMost(Duration.ofMinutes(2)).until(() -> streams.stream().anyMatch(s -> {
      GradingJob j = release.job(s.id());
      return j != null && j.getStatus() != null && j.getStatus().podName() != null;
    }));
    Instant killed = Instant.now();
    k.pods().inNamespace(NAMESPACE).withName(leader).withGracePeriod(0).delete();

    Lease taken = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> lease(k),
        l -> l != null && holder(l) != null && !holder(l).contains(leader));
    Duration takeover = Duration.between(killed, Instant.now());
    // The Lease lasts 15 s (OperatorMain); the standby renews every 2 s.
    assertThat(takeover).as("time for the standby to lead").isLessThan(Duration.ofSeconds(25));
    assertThat(holder(taken)).as("new leader").isNotBlank();
    System.out.printf("operator failover: the standby led %d ms after the leader was killed%n", takeover.toMillis());

    for (Learner.Stream s : streams) {
      s.awaitVerdict(Duration.ofMinutes(5));
      s.assertComplete();
      assertThat(s.verdict().verdict().status()).isEqualTo(VerdictStatus.ACCEPTED);
    }
    // Two replicas, a failover between them: no job stuck, no pod left running, and never two pods
    // for one attempt (two leaders' pods would share the attempt label).
    for (Learner.Stream s : streams) {
      await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
        GradingJob job = release.job(s.id());
        assertThat(job.getStatus().phase().isFinal()).as(s.id() + " phase " + job.getStatus().phase()).isTrue();
        List<Pod> pods = k.pods().inNamespace(NAMESPACE).withLabel(GradingJobLabels.SUBMISSION, s.id()).list().getItems();
        assertThat(pods).as("runner pods of " + s.id() + " still running")
            .noneMatch(p -> List.of("Pending", "Running").contains(p.getStatus().getPhase()) && p.getMetadata().getDeletionTimestamp() == null);
        assertThat(pods).as("runner pods of " + s.id() + ", by attempt")
            .extracting(p -> p.getMetadata().getLabels().get(GradingJobLabels.ATTEMPT)).doesNotHaveDuplicates();
      });
    }
  }

  @Test
  @Order(3)
  void uninstallLeavesNothingBehind() {
    release.uninstall();
    KubernetesClient k = cluster.admin();
    await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
      assertThat(k.pods().inNamespace(NAMESPACE).list().getItems()).as("pods").isEmpty();
      assertThat(k.resources(GradingJob.class).inNamespace(NAMESPACE).list().getItems()).as("GradingJobs").isEmpty();
      assertThat(k.secrets().inNamespace(NAMESPACE).list().getItems()).as("Secrets").isEmpty();
      assertThat(k.apps().deployments().inNamespace(NAMESPACE).list().getItems()).as("Deployments").isEmpty();
      assertThat(k.services().inNamespace(NAMESPACE).list().getItems()).as("Services").isEmpty();
      assertThat(k.serviceAccounts().inNamespace(NAMESPACE).list().getItems()).extracting(s -> s.getMetadata().getName())
          .as("ServiceAccounts").containsOnly("default");
      assertThat(k.rbac().roles().inNamespace(NAMESPACE).list().getItems()).as("Roles").isEmpty();
      assertThat(k.network().networkPolicies().inNamespace(NAMESPACE).list().getItems()).as("NetworkPolicies").isEmpty();
      assertThat(k.configMaps().inNamespace(NAMESPACE).list().getItems()).extracting(c -> c.getMetadata().getName())
          .as("ConfigMaps").containsOnly("kube-root-ca.crt");
    });
    k.namespaces().withName(NAMESPACE).delete();
  }

  static List<Pod> operatorPods(KubernetesClient k) {
    return k.pods().inNamespace(NAMESPACE).withLabel(GradingJobLabels.COMPONENT, "operator").list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
  }

  static boolean ready(Pod p) {
    return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  static Lease lease(KubernetesClient k) {
    return k.leases().inNamespace(NAMESPACE).list().getItems().stream().findFirst().orElse(null);
  }

  static String holder(Lease l) {
    return l.getSpec() == null ? null : l.getSpec().getHolderIdentity();
  }
}
