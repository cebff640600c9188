package io.kubegrade.operator.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubegrade.api.gradingjob.GradingJob;
import io.kubegrade.api.gradingjob.GradingJobPhase;
import io.kubegrade.api.gradingjob.GradingJobSpec;
import io.kubegrade.api.gradingjob.GradingJobStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdmissionQueueTest {
  private int clock;

  private GradingJob job(String name, String owner, GradingJobPhase phase, String admittedAt) {
    GradingJob j = new GradingJob("ns", name, new GradingJobSpec(name, new GradingJobSpec.ChallengeSnapshot("c", "{}"),
        new GradingJobSpec.SourceLocation("b", "k"), null, owner));
    j.getMetadata().setCreationTimestamp(String.format("2026-11-22T10:00:%02dZ", clock++));
    if (phase != GradingJobPhase.Queued || admittedAt != null) {
      j.setStatus(new GradingJobStatus(1L, phase, List.of(), null, null, null, admittedAt, null, null, null));
    }
    return j;
  }

  private static List<String> names(List<GradingJob> jobs) {
    return jobs.stream().map(j -> j.getMetadata().getName()).toList();
  }

  @Test
  void neverMoreThanTheLimitEvenBeforeTheCacheCatchesUp() {
    AdmissionQueue queue = new AdmissionQueue(2, 0);
    List<GradingJob> all = new ArrayList<>(List.of(job("a", "u1", GradingJobPhase.Running, "x"),
        job("b", "u2", GradingJobPhase.Queued, null), job("c", "u3", GradingJobPhase.Queued, null)));
    assertThat(queue.tryAdmit(all.get(2), all)).as("c is second in line, one slot free").isFalse();
    assertThat(queue.tryAdmit(all.get(1), all)).isTrue();
    assertThat(queue.tryAdmit(all.get(2), all)).as("b's admission counts though the cache still says Queued").isFalse();
    assertThat(queue.tryAdmit(all.get(1), all)).as("asking again is idempotent").isTrue();
    queue.finished(all.get(0));
    assertThat(queue.tryAdmit(all.get(2), all)).as("a's slot is free before the cache shows it finished").isTrue();
  }

  @Test
  void usersTakeTurnsAndEachUsersJobsKeepTheirOrder() {
    AdmissionQueue queue = new AdmissionQueue(1, 0);
    List<GradingJob> all = List.of(job("a1", "alice", GradingJobPhase.Succeeded, "2026-11-22T10:01:00Z"),
        job("a2", "alice", GradingJobPhase.Queued, null), job("a3", "alice", GradingJobPhase.Queued, null),
        job("b1", "bob", GradingJobPhase.Queued, null), job("b2", "bob", GradingJobPhase.Queued, null),
        job("c1", "carol", GradingJobPhase.Queued, null));
    assertThat(names(queue.nextInLine(all))).containsExactly("b1", "c1", "a2", "b2", "a3");
  }

  @Test
  void aUsersJobsCreatedInTheSameSecondKeepTheOrderTheyWereSubmittedIn() {
    AdmissionQueue queue = new AdmissionQueue(1, 0);
    List<GradingJob> all = List.of(submitted("s-aaa", "10:00:00.900Z"), submitted("s-zzz", "10:00:00.100Z"),
        submitted("s-mmm", "10:00:00.5Z"));
    assertThat(names(queue.nextInLine(all))).containsExactly("s-zzz", "s-mmm", "s-aaa");
  }

  private static GradingJob submitted(String name, String time) {
    GradingJob j = new GradingJob("ns", name, new GradingJobSpec(name, new GradingJobSpec.ChallengeSnapshot("c", "{}"),
        new GradingJobSpec.SourceLocation("b", "k"), null, "alice", "2026-11-22T" + time));
    j.getMetadata().setCreationTimestamp("2026-11-22T10:00:01Z");
    return j;
  }

  @Test
  void aPerUserCapHoldsTheRestOfThatUsersJobs() {
    AdmissionQueue queue = new AdmissionQueue(10, 1);
    List<GradingJob> all = List.of(job("a1", "alice", GradingJobPhase.Running, "x"),
        job("a2", "alice", GradingJobPhase.Queued, null), job("b1", "bob", GradingJobPhase.Queued, null),
        job("b2", "bob", GradingJobPhase.Queued, null));
    assertThat(names(queue.nextInLine(all))).containsExactly("b1");
    assertThat(queue.tryAdmit(all.get(1), all)).isFalse();
    assertThat(queue.tryAdmit(all.get(2), all)).isTrue();
    assertThat(queue.tryAdmit(all.get(3), all)).isFalse();
  }

  @Test
  void twoSlotsFreedAtOnceAdmitInLineOrderWhicheverJobIsReconciledFirst() {
    java.time.Clock still = java.time.Clock.fixed(java.time.Instant.parse("2026-11-22T10:05:00Z"), java.time.ZoneOffset.UTC);
    AdmissionQueue queue = new AdmissionQueue(2, 0, still);
    List<GradingJob> all = List.of(job("a1", "alice", GradingJobPhase.Succeeded, "2026-11-22T10:01:00Z"),
        job("a2", "alice", GradingJobPhase.Queued, null), job("a3", "alice", GradingJobPhase.Queued, null),
        job("a4", "alice", GradingJobPhase.Queued, null));
    assertThat(queue.tryAdmit(all.get(2), all)).as("a3, second in line, reconciled first").isTrue();
    assertThat(queue.tryAdmit(all.get(1), all)).as("a2 was admitted with it").isTrue();
    assertThat(queue.tryAdmit(all.get(3), all)).as("both slots are taken").isFalse();
    assertThat(queue.admittedAt(all.get(1)).orElseThrow()).as("a2 decided first, though the clock stood still")
        .isBefore(queue.admittedAt(all.get(2)).orElseThrow());
  }
}
