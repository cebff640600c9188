package io.kubegrade.runner.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The gate against a real listener standing in for the API server a runner's policy must block. */
class NetworkPolicyGateTest {

  @Test
  void waitsWhileTheApiServerIsReachableAndOpensOnceItIsNot() throws Exception {
    ServerSocket apiServer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    NetworkPolicyGate gate = new NetworkPolicyGate("127.0.0.1", apiServer.getLocalPort(), Duration.ofSeconds(10));
    CompletableFuture<Duration> waited = CompletableFuture.supplyAsync(() -> {
      try {
        return gate.await();
      } catch (PodJob.CannotStartException e) {
        throw new IllegalStateException(e);
      }
    });
    Thread.sleep(700);
    assertThat(waited).as("still reachable: the policy is not in force yet").isNotDone();
    apiServer.close(); // the policy now blocks it
    assertThat(waited.get()).isBetween(Duration.ofMillis(600), Duration.ofSeconds(5));
  }

  @Test
  void refusesToGradeWhenThePolicyIsNeverEnforced() throws Exception {
    try (ServerSocket apiServer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      NetworkPolicyGate gate = new NetworkPolicyGate("127.0.0.1", apiServer.getLocalPort(), Duration.ofMillis(500));
      assertThatThrownBy(gate::await).isInstanceOf(PodJob.CannotStartException.class)
          .hasMessageContaining("NetworkPolicy is not in force").hasMessageContaining("127.0.0.1:" + apiServer.getLocalPort());
    }
  }

  @Test
  void isAskedForByThePodsEnvironment() throws Exception {
    assertThat(NetworkPolicyGate.fromEnvironment(Map.of(), Duration.ofSeconds(1))).isNull();
    assertThat(NetworkPolicyGate.fromEnvironment(Map.of("KUBEGRADE_REQUIRE_NETWORK_POLICY", "true",
        "KUBERNETES_SERVICE_HOST", "10.96.0.1", "KUBERNETES_SERVICE_PORT", "443"), Duration.ofSeconds(1))).isNotNull();
    assertThatThrownBy(() -> NetworkPolicyGate.fromEnvironment(Map.of("KUBEGRADE_REQUIRE_NETWORK_POLICY", "true"), Duration.ofSeconds(1)))
        .isInstanceOf(PodJob.CannotStartException.class).hasMessageContaining("KUBERNETES_SERVICE_HOST");
  }
}
