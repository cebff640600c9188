package io.kubegrade.gateway.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.kubegrade.api.Json;
import io.kubegrade.api.challenge.Challenge;
import io.kubegrade.api.challenge.ChallengeFormat;
import io.kubegrade.api.gradingjob.GradingJob;
import io.kubegrade.gateway.GatewayProperties;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import reactor.test.StepVerifier;

/** Kubernetes dispatch mode against fabric8's CRUD mock API server. */
@EnableKubernetesMockClient(crud = true)
class KubernetesDispatcherTest {
  static KubernetesClient client;

  static {
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
  }

  private static GatewayProperties properties() {
    return new Binder(new MapConfigurationPropertySource(Map.of("kubegrade.dispatch.mode", "kubernetes",
        "kubegrade.dispatch.namespace", "grading", "kubegrade.s3.bucket", "sources")))
        .bind("kubegrade", GatewayProperties.class).get();
  }

  @Test
  void eachSubmissionBecomesAGradingJobWithTheChallengeSnapshotAndOnlyTheSourcesKey() throws Exception {
    Challenge counter = ChallengeFormat.read(Path.of(System.getProperty("kubegrade.challenges", "../challenges"))
        .resolve("counter/challenge.yaml"));
    KubernetesDispatcher dispatcher = new KubernetesDispatcher(client, properties());
    String source = "function App() { return <p id='count'>0</p>; }";

    StepVerifier.create(dispatcher.dispatch("s0123abc", "alice", counter, source, "sources/alice/counter/s0123abc.jsx"))
        .verifyComplete();

    GradingJob job = client.resources(GradingJob.class).inNamespace("grading").withName("s0123abc").get();
    assertThat(job.getSpec().submissionId()).isEqualTo("s0123abc");
    assertThat(job.getSpec().owner()).isEqualTo("alice");
    assertThat(job.getSpec().challenge().id()).isEqualTo("counter");
    assertThat(Json.mapper().readValue(job.getSpec().challenge().document(), Challenge.class)).isEqualTo(counter);
    assertThat(job.getSpec().source().bucket()).isEqualTo("sources");
    assertThat(job.getSpec().source().key()).isEqualTo("sources/alice/counter/s0123abc.jsx");
    assertThat(job.getSpec().limits().timeoutSeconds()).isEqualTo(counter.limits().timeLimit().toSeconds() + 60);
    assertThat(Json.mapper().writeValueAsString(job)).as("no source code in etcd").doesNotContain(source);
    assertThat(job.getMetadata().getLabels()).containsEntry("app.kubernetes.io/part-of", "kubegrade");
  }

  @Test
  void aSubmissionWhoseJobIsLiveIsTheOperatorsToEndAndOneWithoutAJobOrWithAFinalOneIsNot() {
    Challenge counter = ChallengeFormat.read(Path.of(System.getProperty("kubegrade.challenges", "../challenges"))
        .resolve("counter/challenge.yaml"));
    KubernetesDispatcher dispatcher = new KubernetesDispatcher(client, properties());
    StepVerifier.create(dispatcher.dispatch("s-live", "alice", counter, "x", "k")).verifyComplete();
    StepVerifier.create(dispatcher.endsItself("s-live")).expectNext(true).verifyComplete();
    StepVerifier.create(dispatcher.endsItself("s-never-created")).expectNext(false).verifyComplete();

    GradingJob job = client.resources(GradingJob.class).inNamespace("grading").withName("s-live").get();
    job.setStatus(new io.kubegrade.api.gradingjob.GradingJobStatus(1L, io.kubegrade.api.gradingjob.GradingJobPhase.Failed,
        java.util.List.of(), null, null, 1, null, null, null, null));
    client.resource(job).updateStatus();
    StepVerifier.create(dispatcher.endsItself("s-live")).expectNext(false).verifyComplete();
  }

  @Test
  void aSecondJobForTheSameSubmissionIsRefused() {
    Challenge counter = ChallengeFormat.read(Path.of(System.getProperty("kubegrade.challenges", "../challenges"))
        .resolve("counter/challenge.yaml"));
    KubernetesDispatcher dispatcher = new KubernetesDispatcher(client, properties());
    StepVerifier.create(dispatcher.dispatch("s1", "alice", counter, "x", "k")).verifyComplete();
    StepVerifier.create(dispatcher.dispatch("s1", "alice", counter, "x", "k"))
        .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("409")).verify();
  }
}
