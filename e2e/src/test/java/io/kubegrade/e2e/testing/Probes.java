package io.kubegrade.e2e.testing;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubegrade.api.gradingjob.GradingJobLabels;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Commands run inside pods, to see from inside what a pod can do. A runner probe is a copy of a
 * real runner pod the operator made - same image, security context, volumes, ServiceAccount,
 * labels the NetworkPolicy selects - with the probe's script as its command: what code that
 * escaped the browser in a runner pod could do, it can do.
 */
public final class Probes {
  private final Release release;

  public Probes(Release release) {
    this.release = release;
  }

  /** The labels the runner NetworkPolicy selects (but not the operator's, so it leaves probes alone). */
  public static final Map<String, String> RUNNER_LABELS = Map.of(GradingJobLabels.COMPONENT, GradingJobLabels.RUNNER_COMPONENT,
      GradingJobLabels.PART_OF, GradingJobLabels.PART_OF_VALUE, GradingJobLabels.NAME, "kubegrade-e2e-probe");

  /** Runs {@code script} with bash in a copy of {@code runnerPod}; returns what it printed. */
  public String inRunnerPod(Pod runnerPod, String name, String script) {
    return inCopyOf(runnerPod, name, RUNNER_LABELS, script);
  }

  /** The same, with other labels: a pod like a runner's that no NetworkPolicy selects. */
  public String inCopyOf(Pod runnerPod, String name, Map<String, String> labels, String script) {
    Pod probe = new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(release.namespace()).withLabels(labels).endMetadata()
        .withSpec(runnerPod.getSpec())
        .editSpec().withNodeName(null).withActiveDeadlineSeconds(300L)
          .editFirstContainer().withCommand("/usr/bin/tini", "--", "bash", "-c").withArgs(script).endContainer()
        .endSpec().build();
    return run(probe);
  }

  /** Busybox (the node's kubegrade.local/busybox image) as an unprivileged pod, labelled as given. */
  public Pod busybox(String namespace, String name, Map<String, String> labels, List<String> command) {
    return new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
        .withNewSpec().withRestartPolicy("Never").withAutomountServiceAccountToken(false).withActiveDeadlineSeconds(600L)
          .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(65534L)
            .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
          .addNewContainer().withName("busybox").withImage(busyboxImage()).withImagePullPolicy("Never")
            .withCommand(command)
            .withNewSecurityContext().withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
              .withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext()
          .endContainer()
        .endSpec().build();
  }

  /** Creates the pod, waits for it to finish, returns its log (and deletes it). */
  public String run(Pod pod) {
    KubernetesClient k = release.cluster().admin();
    k.resource(pod).create();
    try {
      Pod done = await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500))
          .until(() -> k.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).get(),
              p -> p.getStatus() != null && ("Succeeded".equals(p.getStatus().getPhase()) || "Failed".equals(p.getStatus().getPhase())));
      return k.pods().resource(done).getLog();
    } finally {
      k.resource(pod).withGracePeriod(0).delete();
    }
  }

  /** Creates the pod and waits until it runs (a listener); returns it as it is then. */
  public Pod start(Pod pod) {
    KubernetesClient k = release.cluster().admin();
    k.resource(pod).create();
    return await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250))
        .until(() -> k.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).get(),
            p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase()) && p.getStatus().getPodIP() != null);
  }

  static String busyboxImage() {
    return System.getenv().getOrDefault("KUBEGRADE_CLUSTER_BUSYBOX_IMAGE", "kubegrade.local/busybox:1.35");
  }

  /**
   * Waits (at most 20 s) until the pod's NetworkPolicy is in force - the API server unreachable -
   * as the runner itself does before grading (NetworkPolicyGate); prints {@code policy IN-FORCE
   * after Nms} or {@code policy NOT-IN-FORCE}.
   */
  public static final String AWAIT_POLICY = """
      s=$(date +%s%N); p="policy NOT-IN-FORCE"
      for i in $(seq 1 100); do
        if ! timeout 0.25 bash -c "exec 3<>/dev/tcp/$KUBERNETES_SERVICE_HOST/$KUBERNETES_SERVICE_PORT" 2>/dev/null; then
          p="policy IN-FORCE after $(( ($(date +%s%N) - s) / 1000000 ))ms"; break
        fi
        sleep 0.1
      done
      echo "$p"
      """;

  /**
   * A bash script that tries each {@code name=host:port} over TCP (3 s) and prints
   * {@code name OPEN}, {@code name REFUSED} or {@code name TIMEOUT}.
   */
  public static String tcpProbes(Map<String, String> targets) {
    StringBuilder script = new StringBuilder("""
        try() { timeout 3 bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null; case $? in 0) echo "$1 OPEN";; 124) echo "$1 TIMEOUT";; *) echo "$1 REFUSED";; esac; }
        """);
    targets.forEach((name, hostPort) -> {
      int colon = hostPort.lastIndexOf(':');
      script.append("try ").append(name).append(' ').append(hostPort, 0, colon).append(' ').append(hostPort.substring(colon + 1)).append('\n');
    });
    return script.toString();
  }
}
