package io.kubegrade.runner.job;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;

/**
 * Waits until the pod's NetworkPolicy is in force before anything of the submission runs. A
 * policy engine programs a new pod's rules after the pod has started (kube-router: ~0.3 s here,
 * docs/operations.md), and a cluster may have no engine at all; either way the pod could reach
 * what its policy forbids. The API server - whose address every pod is given in
 * {@code KUBERNETES_SERVICE_HOST}/{@code _PORT} - is what a runner's policy never allows, so
 * until connecting to it fails the runner does not grade, and when it still connects after the
 * budget the runner refuses (the operator retries on a fresh pod, then reports INTERNAL_ERROR).
 */
public final class NetworkPolicyGate {
  static final Duration CONNECT_TIMEOUT = Duration.ofMillis(250);
  static final Duration RETRY_EVERY = Duration.ofMillis(100);

  private final String host;
  private final int port;
  private final Duration budget;

  NetworkPolicyGate(String host, int port, Duration budget) {
    this.host = host;
    this.port = port;
    this.budget = budget;
  }

  /** The gate the pod's environment asks for, or null when it asks for none. */
  static NetworkPolicyGate fromEnvironment(Map<String, String> env, Duration budget) throws PodJob.CannotStartException {
    if (!"true".equals(env.get(io.kubegrade.api.job.RunnerContract.REQUIRE_NETWORK_POLICY))) {
      return null;
    }
    String host = env.get("KUBERNETES_SERVICE_HOST");
    String port = env.get("KUBERNETES_SERVICE_PORT");
    if (host == null || host.isBlank() || port == null || port.isBlank()) {
      throw new PodJob.CannotStartException("the NetworkPolicy cannot be checked: KUBERNETES_SERVICE_HOST/PORT are not set");
    }
    return new NetworkPolicyGate(host, Integer.parseInt(port.trim()), budget);
  }

  /** Returns once the API server is unreachable; how long that took. */
  Duration await() throws PodJob.CannotStartException {
    long start = System.nanoTime();
    long deadline = start + budget.toNanos();
    while (true) {
      if (!reachable()) {
        return Duration.ofNanos(System.nanoTime() - start);
      }
      if (System.nanoTime() >= deadline) {
        throw new PodJob.CannotStartException("the runner pod's NetworkPolicy is not in force: it still reaches the API server at "
            + host + ":" + port + " after " + budget.toSeconds() + "s; refusing to run the submission");
      }
      try {
        Thread.sleep(RETRY_EVERY.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new PodJob.CannotStartException("interrupted while waiting for the NetworkPolicy");
      }
    }
  }

  private boolean reachable() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), (int) CONNECT_TIMEOUT.toMillis());
      return true;
    } catch (IOException e) {
      return false; // refused, dropped (timed out) or unroutable: not reachable
    }
  }
}
