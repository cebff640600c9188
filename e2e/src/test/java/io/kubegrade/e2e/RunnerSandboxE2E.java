package io.kubegrade.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.gradingjob.GradingJobLabels;
import io.kubegrade.e2e.testing.Cluster;
import io.kubegrade.e2e.testing.HostServices;
import io.kubegrade.e2e.testing.Learner;
import io.kubegrade.e2e.testing.OutsideHost;
import io.kubegrade.e2e.testing.Probes;
import io.kubegrade.e2e.testing.Release;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The runner pod's sandbox, seen from inside a pod shaped exactly like one the operator made:
 * Pod Security "restricted" admission, the identity and kernel restrictions the process gets,
 * what the image holds, and - with kube-router enforcing the chart's NetworkPolicy - what it can
 * reach: Redis and S3, and nothing else on the node, in the cluster or outside the machine.
 */
class RunnerSandboxE2E {
  static Release release;
  static Cluster cluster;
  static Probes probes;
  static Pod runnerPod;
  static OutsideHost outside;

  @BeforeAll
  static void setUp() {
    release = Release.shared();
    cluster = release.cluster();
    probes = new Probes(release);
    // A real runner pod, as the operator made it for a real submission: the template of the probes.
    Learner.Stream graded = release.learner("sandbox-" + System.nanoTime())
        .grade("counter", Learner.sample("counter", "ACCEPTED/hooks.jsx"), Duration.ofMinutes(3)).assertComplete();
    assertThat(graded.verdict().verdict().status()).isEqualTo(VerdictStatus.ACCEPTED);
    runnerPod = org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(1))
        .until(() -> GradingE2E.pod(graded.id() + "-1"), p -> "Succeeded".equals(p.getStatus().getPhase()));
    outside = OutsideHost.start();
  }

  @AfterAll
  static void tearDown() {
    if (outside != null) {
      outside.close();
    }
  }

  @Test
  void theNamespaceAdmitsOnlyPodsThatMeetPodSecurityRestricted() {
    Pod plain = new PodBuilder().withNewMetadata().withName("plain-" + System.nanoTime()).withNamespace(release.namespace()).endMetadata()
        .withNewSpec().addNewContainer().withName("c").withImage(runnerPod.getSpec().getContainers().get(0).getImage())
        .endContainer().endSpec().build();
    assertThatThrownBy(() -> cluster.admin().resource(plain).create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(403);
          assertThat(e.getMessage()).contains("violates PodSecurity \"restricted:v1.31\"");
        });
    assertThat(runnerPod.getStatus().getPhase()).isEqualTo("Succeeded"); // admitted, ran, finished
  }

  @Test
  void theRunnerProcessIsUnprivilegedSeccompFilteredReadOnlyAndHasNoToken() {
    String out = probes.inRunnerPod(runnerPod, "probe-identity-" + System.nanoTime(), """
        echo "uid $(id -u) gid $(id -g)"
        grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status
        if touch /usr/local/bin/probe 2>/dev/null; then echo "root WRITABLE"; else echo "root READONLY"; fi
        if touch /tmp/probe 2>/dev/null; then echo "tmp WRITABLE"; fi
        [ -e /var/run/secrets/kubernetes.io/serviceaccount/token ] && echo "token PRESENT" || echo "token ABSENT"
        """);
    assertThat(out).contains("uid 10001 gid 10001", "NoNewPrivs:\t1", "Seccomp:\t2", "root READONLY", "tmp WRITABLE",
        "token ABSENT");
    for (String cap : List.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")) {
      assertThat(out).contains(cap + ":\t0000000000000000");
    }
  }

  @Test
  void theImageHoldsNoDocumentationNoBuildToolsNoProtocolHandlersAndAClassDataArchiveTheJvmReallyUses() {
    String out = probes.inRunnerPod(runnerPod, "probe-image-" + System.nanoTime(), """
        echo "docs $(find /usr/share/doc -type f ! -name copyright | wc -l)"
        echo "manuals $(find /usr/share/man -type f 2>/dev/null | wc -l)"
        for t in gcc cc c++ make as ld javac jar jlink curl wget xdg-open xdg-email systemctl; do command -v $t >/dev/null && echo "tool $t"; done
        [ -d /usr/lib/jvm ] && echo "tool a JDK in /usr/lib/jvm"
        env -u KUBEGRADE_REDIS_URL KUBEGRADE_JAVA_OPTS='-Xshare:on -Xlog:class+load=info:file=/tmp/classes.log' kubegrade-runner grade \\
          --challenge /opt/kubegrade/training/counter /opt/kubegrade/training/counter/solutions/ACCEPTED/hooks.jsx > /tmp/verdict.json
        echo "exit $?"
        echo "classes $(grep -c 'source:' /tmp/classes.log) archived $(grep -c 'source: shared objects file' /tmp/classes.log)"
        grep -o '"status" *: *"[A-Z_]*"' /tmp/verdict.json
        """);
    assertThat(out).contains("docs 0", "manuals 0", "exit 0").doesNotContain("tool ");
    assertThat(out).containsPattern("\"status\" *: *\"ACCEPTED\"");
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("classes (\\d+) archived (\\d+)").matcher(out);
    assertThat(m.find()).as(out).isTrue();
    long classes = Long.parseLong(m.group(1));
    long archived = Long.parseLong(m.group(2));
    // -Xshare:on fails the JVM when the archive cannot be used; most classes come from it.
    assertThat(archived).as("classes from the archive, of %d", classes).isGreaterThan(classes * 8 / 10);
  }

  @Test
  void aRunnerPodReachesRedisAndS3AndNothingElse() {
    String host = cluster.hostAddress();
    HostServices services = HostServices.on(cluster);
    Pod gateway = componentPod("gateway");
    Pod operator = componentPod("operator");
    String gatewayService = release.gateway().getHost();
    // Another runner pod, listening: runner pods must not reach each other.
    Pod listener = probes.start(probes.busybox(release.namespace(), "listener-" + System.nanoTime(), Probes.RUNNER_LABELS,
        List.of("/bin/busybox", "httpd", "-f", "-p", "8000", "-h", "/")));
    try {
      Map<String, String> targets = new LinkedHashMap<>();
      targets.put("redis", host + ":" + services.redisPort());
      targets.put("s3", host + ":" + services.s3Port());
      targets.put("mongodb", host + ":" + services.mongoPort());
      targets.put("apiserver", host + ":6443");
      targets.put("kubelet", host + ":10250");
      targets.put("kubernetes-service", "10.96.0.1:443");
      targets.put("dns-service", "10.96.0.10:53");
      targets.put("gateway-service", gatewayService + ":8080");
      targets.put("gateway-pod", gateway.getStatus().getPodIP() + ":8080");
      targets.put("operator-pod", operator.getStatus().getPodIP() + ":8081");
      targets.put("other-runner", listener.getStatus().getPodIP() + ":8000");
      targets.put("outside", outside.target());
      String out = probes.inRunnerPod(runnerPod, "probe-network-" + System.nanoTime(), Probes.AWAIT_POLICY + Probes.tcpProbes(targets) + """
          if getent hosts kubernetes.default.svc.cluster.local >/dev/null; then echo "dns RESOLVED"; else echo "dns NONE"; fi
          """);
      assertThat(out).contains("policy IN-FORCE", "redis OPEN", "s3 OPEN", "dns NONE");
      for (String blocked : List.of("mongodb", "apiserver", "kubelet", "kubernetes-service", "dns-service", "gateway-service",
          "gateway-pod", "operator-pod", "other-runner", "outside")) {
        assertThat(out).as(out).doesNotContain(blocked + " OPEN").containsPattern(blocked + " (TIMEOUT|REFUSED)");
      }
      assertThat(outside.connections()).as("connections the outside listener accepted").hasSize(1); // the machine's own, at start
    } finally {
      cluster.admin().resource(listener).withGracePeriod(0).delete();
    }
  }

  @Test
  void noPodCanReachOutsideTheMachineEvenWithoutANetworkPolicy() {
    // A pod no policy selects reaches the gateway pod (so the probe works) but not the outside
    // host: the node drops whatever would leave the machine from the pod network.
    Pod gateway = componentPod("gateway");
    Map<String, String> targets = new LinkedHashMap<>();
    targets.put("gateway-pod", gateway.getStatus().getPodIP() + ":8080");
    targets.put("outside", outside.target());
    String out = probes.inCopyOf(runnerPod, "probe-open-" + System.nanoTime(), Map.of(GradingJobLabels.NAME, "kubegrade-e2e-open"),
        Probes.tcpProbes(targets));
    assertThat(out).contains("gateway-pod OPEN").containsPattern("outside (TIMEOUT|REFUSED)");
    assertThat(outside.connections()).hasSize(1);
  }

  static Pod componentPod(String component) {
    return cluster.admin().pods().inNamespace(release.namespace()).withLabel(GradingJobLabels.COMPONENT, component)
        .withLabel(GradingJobLabels.INSTANCE, release.name()).list().getItems().stream()
        .filter(p -> "Running".equals(p.getStatus().getPhase())).findFirst().orElseThrow();
  }
}
