package io.kubegrade.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kubegrade.api.Json;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.gradingjob.GradingJob;
import io.kubegrade.api.gradingjob.GradingJobSpec;
import io.kubegrade.e2e.testing.Cluster;
import io.kubegrade.e2e.testing.Learner;
import io.kubegrade.e2e.testing.Release;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What an admin does with kubectl on real jobs: {@code kubectl get gj} and its columns,
 * {@code kubectl wait} for a job that succeeds and for one that fails, and finished jobs and
 * their pods gone after the TTL (the operator deletes the job; the garbage collector its pods).
 * Its own installation, with a one-minute TTL.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubectlE2E {
  static final String NAMESPACE = "kubegrade-kubectl";
  static Release release;
  static Cluster cluster;
  static String graded;

  @BeforeAll
  static void install() {
    cluster = Cluster.get();
    release = Release.install(cluster, "ops", NAMESPACE, Map.of("gateway.replicas", "1", "operator.maxRunningPods", "2",
        "operator.finishedTtl", "60s", "operator.maxAttempts", "2"));
    Learner.Stream s = release.learner("kubectl-" + System.nanoTime())
        .grade("counter", Learner.sample("counter", "ACCEPTED/hooks.jsx"), Duration.ofMinutes(3)).assertComplete();
    graded = s.id();
  }

  @Test
  @Order(1)
  void kubectlGetShowsThePrinterColumnsOfRealJobs() {
    cluster.kubectl("wait", "-n", NAMESPACE, "--for=condition=Completed", "gj/" + graded, "--timeout=60s");
    String table = cluster.kubectl("get", "gj", "-n", NAMESPACE, graded);
    assertThat(table.lines().findFirst().orElseThrow().split("\\s+"))
        .containsExactly("NAME", "CHALLENGE", "PHASE", "VERDICT", "TESTS", "DURATION", "AGE");
    assertThat(table).containsPattern(graded + "\\s+counter\\s+Succeeded\\s+ACCEPTED\\s+3/3\\s+\\S+\\s+\\S+");
    assertThat(cluster.kubectl("get", "kubegrade", "-n", NAMESPACE, "-o", "name")).contains("gradingjob.kubegrade.io/" + graded);
    // The chart's defaults: the job went to a warm runner pod, or to one created for it when none was idle yet.
    assertThat(cluster.kubectl("describe", "gj", "-n", NAMESPACE, graded)).contains("Finished", "Completed", "Pod Warm:")
        .containsAnyOf("PodBound", "PodCreated");
  }

  @Test
  @Order(2)
  void kubectlWaitWorksForSuccessAndForFailure() {
    assertThat(cluster.kubectl("wait", "-n", NAMESPACE, "--for=condition=Failed=false", "gj/" + graded, "--timeout=30s"))
        .contains("condition met");
    // A job an admin made by hand whose source is not in S3: each runner pod exits "cannot
    // start", the operator retries, then gives up - the platform failed, not the submission.
    GradingJob good = release.job(graded);
    String name = "broken-" + System.nanoTime();
    GradingJob broken = new GradingJob(NAMESPACE, name, new GradingJobSpec(name, good.getSpec().challenge(),
        new GradingJobSpec.SourceLocation(good.getSpec().source().bucket(), "sources/nobody/missing.jsx"), null, "nobody"));
    cluster.admin().resource(broken).create();
    assertThat(cluster.kubectl("wait", "-n", NAMESPACE, "--for=condition=Failed", "gj/" + name, "--timeout=240s"))
        .contains("condition met");
    GradingJob failed = release.job(name);
    assertThat(failed.getStatus().verdict().status()).isEqualTo(VerdictStatus.INTERNAL_ERROR.name());
    assertThat(failed.getStatus().attempts()).isEqualTo(2);
    assertThat(cluster.kubectl("get", "gj", "-n", NAMESPACE, name, "-o", "jsonpath={.status.phase}")).isEqualTo("Failed");
    assertThat(Json.mapper().valueToTree(failed.getStatus().conditions()).toString()).contains("RunnerCouldNotStart");
  }

  @Test
  @Order(3)
  void finishedJobsAndTheirPodsAreGoneAfterTheTtl() {
    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
      assertThat(release.job(graded)).as("job " + graded).isNull();
      assertThat(cluster.admin().pods().inNamespace(NAMESPACE).withLabel("kubegrade.io/submission", graded).list().getItems())
          .as("its pods").isEmpty();
    });
    release.uninstall();
  }
}
