package io.kubegrade.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.gradingjob.GradingJobLabels;
import io.kubegrade.e2e.testing.Learner;
import io.kubegrade.e2e.testing.Release;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The operator's admission limit on a real node: three times more submissions than runner slots
 * (the shared installation has two). Runner pods never exceed the limit, each user's submissions
 * start in the order they were made, a second user does not wait for the first one's backlog,
 * and every submission ends with one verdict.
 */
class AdmissionE2E {

  @Test
  void threeTimesMoreSubmissionsThanSlotsAreServedFifoPerUserInTurnsAndNoneIsStuck() {
    Release release = Release.shared();
    String source = Learner.sample("counter", "ACCEPTED/hooks.jsx");
    Learner alice = release.learner("alice-" + System.nanoTime());
    Learner bob = release.learner("bob-" + System.nanoTime());

    // The order runner pods are created in, as the API server's watch reports it, and how many grade at once.
    List<String> created = new CopyOnWriteArrayList<>();
    List<String> log = new CopyOnWriteArrayList<>();
    Set<String> active = java.util.concurrent.ConcurrentHashMap.newKeySet();
    AtomicInteger mostAtOnce = new AtomicInteger();
    try (Watch watch = release.cluster().admin().pods().inNamespace(release.namespace())
        .withLabel(GradingJobLabels.MANAGED_BY, GradingJobLabels.OPERATOR).watch(new Watcher<>() {
          @Override
          public void eventReceived(Action action, Pod pod) {
            String submission = pod.getMetadata().getLabels().get(GradingJobLabels.SUBMISSION);
            String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
            log.add(java.time.Instant.now() + " " + action + " " + pod.getMetadata().getName() + " " + phase);
            if (action == Action.ADDED && !created.contains(submission)) {
              created.add(submission);
            }
            // A pod grades until its runner container ends; the pod's phase follows a moment later.
            boolean ended = pod.getStatus() != null && pod.getStatus().getContainerStatuses() != null && pod.getStatus()
                .getContainerStatuses().stream().anyMatch(c -> c.getState() != null && c.getState().getTerminated() != null);
            if (action == Action.DELETED || ended || "Succeeded".equals(phase) || "Failed".equals(phase)) {
              active.remove(pod.getMetadata().getName());
            } else {
              active.add(pod.getMetadata().getName());
              mostAtOnce.accumulateAndGet(active.size(), Math::max);
            }
          }

          @Override
          public void onClose(WatcherException cause) {}
        })) {
      List<String> alices = new ArrayList<>();
      List<Learner.Stream> streams = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        String id = alice.submit("counter", source);
        alices.add(id);
        streams.add(alice.watch(id));
      }
      List<String> bobs = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        String id = bob.submit("counter", source);
        bobs.add(id);
        streams.add(bob.watch(id));
      }
      for (Learner.Stream s : streams) {
        s.awaitVerdict(Duration.ofMinutes(6));
        s.assertComplete();
        assertThat(s.verdict().verdict().status()).isEqualTo(VerdictStatus.ACCEPTED);
      }

      assertThat(mostAtOnce.get()).as("runner pods grading at once, from %s", log).isLessThanOrEqualTo(2);
      // The order of the operator's admission decisions (admissionTime is taken when a job is
      // admitted, one decision at a time); pods admitted together are created in parallel.
      List<String> order = new ArrayList<>(alices);
      order.addAll(bobs);
      order.sort(java.util.Comparator.comparing(id -> java.time.Instant.parse(release.job(id).getStatus().admissionTime())));
      assertThat(order).as("admission order").hasSize(6);
      assertThat(order.stream().filter(alices::contains).toList()).as("alice's, first in first out").isEqualTo(alices);
      assertThat(order.stream().filter(bobs::contains).toList()).as("bob's, first in first out").isEqualTo(bobs);
      // Alice filled both slots first; bob is served before the rest of alice's backlog.
      assertThat(order.indexOf(bobs.get(0))).as("bob's first job, in %s", order).isLessThan(order.indexOf(alices.get(2)));
      assertThat(order.indexOf(bobs.get(1))).as("bob's second job, in %s", order).isLessThan(order.indexOf(alices.get(3)));
      assertThat(new HashSet<>(created)).as("runner pods created").containsAll(order);
    }
  }
}
