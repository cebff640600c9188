package io.kubegrade.operator.pod;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kubegrade.api.event.VerdictStatus;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What each state a kubelet can report means for the job, including the ones no test server plays. */
class PodOutcomeTest {
  static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  static final Duration PENDING = Duration.ofMinutes(5);

  private static PodBuilder pod() {
    return new PodBuilder().withNewMetadata().withName("s-1").withCreationTimestamp(T0.toString()).endMetadata()
        .withNewSpec().withActiveDeadlineSeconds(80L).endSpec();
  }

  private static PodOutcome at(Pod pod, Instant now) {
    return PodOutcome.of(pod, now, PENDING);
  }

  @Test
  void aPendingPodIsGivenUpAfterThePendingTimeoutWithTheSchedulersReason() {
    Pod pending = pod().withNewStatus().withPhase("Pending").addNewCondition().withType("PodScheduled").withStatus("False")
        .withReason("Unschedulable").withMessage("0/3 nodes are available: insufficient memory.").endCondition().endStatus().build();
    assertThat(at(pending, T0.plusSeconds(60))).isEqualTo(new PodOutcome.Pending(Duration.ofMinutes(4)));
    assertThat(at(pending, T0.plus(PENDING))).isInstanceOfSatisfying(PodOutcome.Lost.class, lost -> {
      assertThat(lost.reason()).isEqualTo("PendingTimeout");
      assertThat(lost.message()).contains("insufficient memory");
    });
  }

  @Test
  void aRunningPodIsTimeLimitExceededAtItsDeadlineCountedFromThePodsStart() {
    Pod running = pod().withNewStatus().withPhase("Running").withStartTime(T0.minusSeconds(2).toString())
        .addNewContainerStatus().withName("runner").withNewState()
        .withNewRunning().withStartedAt(T0.toString()).endRunning().endState().endContainerStatus().endStatus().build();
    assertThat(at(running, T0.plusSeconds(10))).isEqualTo(new PodOutcome.Running(T0, Duration.ofSeconds(68)));
    assertThat(at(running, T0.plusSeconds(78))).isInstanceOfSatisfying(PodOutcome.Concluded.class, c -> {
      assertThat(c.status()).isEqualTo(VerdictStatus.TIME_LIMIT_EXCEEDED);
      assertThat(c.reason()).isEqualTo("DeadlineExceeded");
    });
    assertThat(at(new PodBuilder(running).editStatus().withPhase("Unknown").endStatus().build(), T0))
        .isInstanceOfSatisfying(PodOutcome.Lost.class, lost -> assertThat(lost.reason()).isEqualTo("NodeLost"));
  }

  private static Pod terminated(int code, String reason, String message) {
    return pod().withNewStatus().withPhase(code == 0 ? "Succeeded" : "Failed").addNewContainerStatus().withName("runner")
        .withNewState().withNewTerminated().withExitCode(code).withReason(reason).withMessage(message).endTerminated()
        .endState().endContainerStatus().endStatus().build();
  }

  @Test
  void terminatedRunnersAreReadByTheirMessageAndExitCode() {
    assertThat(at(terminated(0, "Completed", "{\"status\":\"WRONG_ANSWER\",\"passed\":1,\"total\":3,\"durationMs\":5}"), T0))
        .isInstanceOfSatisfying(PodOutcome.Graded.class, g -> assertThat(g.verdict().status()).isEqualTo(VerdictStatus.WRONG_ANSWER));
    assertThat(at(terminated(137, "OOMKilled", ""), T0)).isInstanceOfSatisfying(PodOutcome.Concluded.class,
        c -> assertThat(c.status()).isEqualTo(VerdictStatus.MEMORY_LIMIT_EXCEEDED));
    assertThat(at(terminated(2, "Error", "kubegrade-runner: KUBEGRADE_CHALLENGE is not a valid challenge"), T0))
        .as("bad input is not retried").isInstanceOfSatisfying(PodOutcome.Concluded.class,
            c -> assertThat(c.status()).isEqualTo(VerdictStatus.INTERNAL_ERROR));
    assertThat(at(terminated(4, "Error", "kubegrade: cannot reach Redis"), T0)).isInstanceOfSatisfying(PodOutcome.Lost.class,
        l -> assertThat(l.reason()).isEqualTo("RunnerCouldNotStart"));
    assertThat(at(terminated(139, "Error", "Segmentation fault"), T0)).isInstanceOfSatisfying(PodOutcome.Lost.class,
        l -> assertThat(l.reason()).isEqualTo("RunnerCrashed"));
    assertThat(at(terminated(0, "Completed", "kubegrade: already graded"), T0)).isInstanceOf(PodOutcome.AlreadyGraded.class);
    assertThat(at(terminated(0, "Completed", "{not json"), T0)).isInstanceOfSatisfying(PodOutcome.Lost.class,
        l -> assertThat(l.reason()).isEqualTo("UnreadableVerdict"));
  }

  @Test
  void aPodBeingDeletedOrMissingIsLost() {
    assertThat(at(null, T0)).isInstanceOfSatisfying(PodOutcome.Lost.class, l -> assertThat(l.reason()).isEqualTo("PodDeleted"));
    Pod deleting = pod().editMetadata().withDeletionTimestamp(T0.toString()).endMetadata().withNewStatus().withPhase("Running")
        .endStatus().build();
    assertThat(at(deleting, T0)).isInstanceOfSatisfying(PodOutcome.Lost.class, l -> assertThat(l.reason()).isEqualTo("PodDeleted"));
  }
}
