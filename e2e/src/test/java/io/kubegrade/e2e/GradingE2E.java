package io.kubegrade.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.model.Filters;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.gradingjob.GradingJob;
import io.kubegrade.api.gradingjob.GradingJobPhase;
import io.kubegrade.e2e.testing.HostServices;
import io.kubegrade.e2e.testing.Learner;
import io.kubegrade.e2e.testing.Release;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.bson.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Submissions through the real gateway API, each graded by a real runner pod on the node: what
 * the learner's WebSocket receives, what the GradingJob's status, conditions and Events say, and
 * what MongoDB holds afterwards.
 */
class GradingE2E {
  static final Duration VERDICT_WITHIN = Duration.ofMinutes(3);
  static Release release;

  @BeforeAll
  static void install() {
    release = Release.shared();
  }

  @Test
  void everyOutcomeReachesTheLearnerGapFreeWithOneVerdict() {
    Map<VerdictStatus, String> samples = new LinkedHashMap<>();
    samples.put(VerdictStatus.ACCEPTED, Learner.sample("counter", "ACCEPTED/hooks.jsx"));
    samples.put(VerdictStatus.WRONG_ANSWER, Learner.sample("counter", "WRONG_ANSWER/" + firstFile("counter", "WRONG_ANSWER")));
    samples.put(VerdictStatus.COMPILE_ERROR, "function App() { return <div>unclosed; }");
    samples.put(VerdictStatus.RUNTIME_ERROR, "function App() { throw new Error('boom at render'); }");
    Learner ada = release.learner("ada-" + System.nanoTime());
    Map<VerdictStatus, CompletableFuture<Learner.Stream>> graded = new LinkedHashMap<>();
    samples.forEach((status, source) -> graded.put(status, CompletableFuture.supplyAsync(() -> ada.grade("counter", source, VERDICT_WITHIN))));

    graded.forEach((expected, future) -> {
      Learner.Stream stream = future.join().assertComplete();
      GradingEvent verdict = stream.verdict();
      assertThat(verdict.verdict().status()).as(verdict.toJson()).isEqualTo(expected);
      String id = stream.id();

      GradingJob job = await().atMost(Duration.ofSeconds(30)).until(() -> release.job(id),
          j -> j.getStatus() != null && j.getStatus().phase() == GradingJobPhase.Succeeded);
      assertThat(job.getStatus().verdict().status()).isEqualTo(expected.name());
      assertThat(job.getStatus().attempts()).isEqualTo(1);
      assertThat(job.getStatus().podName()).isEqualTo(id + "-1");
      assertThat(job.getStatus().conditions()).extracting(c -> c.getType() + "=" + c.getStatus())
          .contains("Admitted=True", "Started=True", "Completed=True");
      assertThat(job.getStatus().observedGeneration()).isEqualTo(job.getMetadata().getGeneration());
      // Each step of the story told once: a reconciliation that follows a status write sees it.
      assertThat(reasons(id)).containsOnlyOnce("Queued", "PodCreated", "Started", "Finished");

      Document stored = await().atMost(Duration.ofSeconds(30)).until(() -> HostServices.on(release.cluster()).mongo()
          .getDatabase("kubegrade").getCollection("submissions").find(Filters.eq("_id", id)).first(),
          d -> d != null && expected.name().equals(d.getString("status")));
      assertThat(stored.getString("user")).isEqualTo(ada.user());
      assertThat(ada.get(id).path("status").asText()).isEqualTo(expected.name());
    });
  }

  static List<String> reasons(String jobName) {
    return release.cluster().admin().v1().events().inNamespace(release.namespace())
        .withField("involvedObject.name", jobName).list().getItems().stream()
        .filter(e -> "GradingJob".equals(e.getInvolvedObject().getKind())).map(Event::getReason).toList();
  }

  static Pod pod(String name) {
    return release.cluster().admin().pods().inNamespace(release.namespace()).withName(name).get();
  }

  static String firstFile(String challenge, String verdict) {
    try (var files = java.nio.file.Files.list(io.kubegrade.e2e.testing.Cluster.root().resolve("challenges").resolve(challenge)
        .resolve("solutions").resolve(verdict))) {
      return files.map(p -> p.getFileName().toString()).sorted().findFirst().orElseThrow();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
