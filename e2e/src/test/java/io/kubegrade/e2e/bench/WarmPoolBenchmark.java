package io.kubegrade.e2e.bench;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubegrade.api.gradingjob.GradingJob;
import io.kubegrade.api.gradingjob.GradingJobLabels;
import io.kubegrade.e2e.testing.Cluster;
import io.kubegrade.e2e.testing.Learner;
import io.kubegrade.e2e.testing.Release;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Warm runner pods against pods created per job, side by side on the real node (run by
 * scripts/bench-warm.sh): for each mode, one installation of the chart, then
 * <ol>
 *   <li>{@code seq N}: one submission at a time, HTTP submit to VERDICT on the learner's WebSocket,
 *       and the runner's own time from its job to its verdict (the pod's timeline line);</li>
 *   <li>with warm pods, what an idle pod holds: memory (its cgroup's memory.current, page cache of
 *       its memory-backed /tmp and /dev/shm included) and CPU over 30 s of waiting;</li>
 *   <li>{@code burst B}: B submissions within one second, time to the last verdict;</li>
 *   <li>{@code rate R S}: open-loop arrivals at R/s for S seconds (last: on a small node it leaves
 *       a backlog behind it).</li>
 * </ol>
 * RESULT lines are named {@code <mode>_...}; modes "off" (a pod created per job) and "warm", as the
 * sixth argument says. Bounded: at most 400 submissions per rate.
 */
public final class WarmPoolBenchmark {
  private static final Pattern COLD = Pattern.compile("timeline jvm=(\\d+)ms.* total=(\\d+)ms");
  private static final Pattern WARM = Pattern.compile("timeline warm \\(waited (\\d+)ms for the job\\).* total=(\\d+)ms");

  public static void main(String[] args) throws Exception {
    int sequential = Integer.parseInt(args.length > 0 ? args[0] : "20");
    double rate = Double.parseDouble(args.length > 1 ? args[1] : "2");
    int seconds = Integer.parseInt(args.length > 2 ? args[2] : "120");
    int burst = Integer.parseInt(args.length > 3 ? args[3] : "50");
    int drain = Integer.parseInt(args.length > 4 ? args[4] : "300");
    List<String> modes = List.of((args.length > 5 ? args[5] : "off,warm").split(","));
    Cluster cluster = Cluster.get();
    String source = Learner.sample("counter", "ACCEPTED/hooks.jsx");
    ScheduledExecutorService arrivals = Executors.newScheduledThreadPool(4);
    for (String mode : modes) {
      Map<String, String> values = new LinkedHashMap<>();
      values.put("runner.warmPool.max", mode.equals("warm") ? "10" : "0");
      values.put("runner.warmPool.min", "2");
      Release release = Release.install(cluster, "bench", "kubegrade-bench", values);
      KubernetesClient k = cluster.admin();
      release.learner("warmup").grade("counter", source, Duration.ofMinutes(3));
      if (mode.equals("warm")) {
        awaitIdle(k, release.namespace(), 2);
      }
      List<Long> latency = new ArrayList<>();
      List<Long> runner = new ArrayList<>();
      for (int i = 0; i < sequential; i++) {
        if (mode.equals("warm")) {
          awaitIdle(k, release.namespace(), 1); // one at a time: each finds the pool as a quiet node keeps it
        }
        Learner learner = release.learner("seq-" + System.nanoTime());
        Instant t0 = Instant.now();
        Learner.Stream stream = learner.grade("counter", source, Duration.ofMinutes(3));
        latency.add(ClusterBenchmark.since(t0, stream.verdictArrival()));
        runnerTotal(k, release, stream.id()).ifPresent(runner::add);
        System.out.printf("SAMPLE %s %d submit->verdict %d ms%n", mode, i + 1, latency.get(latency.size() - 1));
      }
      System.out.printf("RESULT %s_seq_p50 %d ms | HTTP submit to VERDICT on the WebSocket, one at a time, n=%d%n", mode,
          ClusterBenchmark.percentile(latency, 50), latency.size());
      System.out.printf("RESULT %s_seq_p90 %d ms%n", mode, ClusterBenchmark.percentile(latency, 90));
      System.out.printf("RESULT %s_seq_runner_p50 %d ms | the runner: %s%n", mode, ClusterBenchmark.percentile(runner, 50),
          mode.equals("warm") ? "given its job to verdict published" : "process start to verdict published");
      int idlePods = mode.equals("warm") ? 2 : 0; // the pool's floor, once it is quiet
      if (idlePods > 0) {
        awaitQuiet(k, release.namespace(), idlePods);
        idleCost(k, release.namespace()); // the burst's wait below then returns at once
      }
      // The burst before the sustained rate: on a small node the rate leaves a backlog behind it.
      if (burst > 0) {
        awaitQuiet(k, release.namespace(), idlePods);
        ClusterBenchmark.openLoop(release, source, burst, 1, drain, arrivals, mode + "_burst");
      }
      if (seconds > 0) {
        awaitQuiet(k, release.namespace(), idlePods);
        ClusterBenchmark.openLoop(release, source, rate, seconds, drain, arrivals, mode + "_rate");
      }
      release.uninstall();
    }
    arrivals.shutdownNow();
    System.exit(0);
  }

  private static List<Pod> idle(KubernetesClient k, String ns) {
    return k.pods().inNamespace(ns).withLabel(GradingJobLabels.WARM, GradingJobLabels.WARM_IDLE).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null && p.getStatus() != null
            && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
        .toList();
  }

  private static void awaitIdle(KubernetesClient k, String ns, int atLeast) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (idle(k, ns).size() < atLeast && System.nanoTime() < end) {
      Thread.sleep(250);
    }
  }

  /** Until no runner pod grades or starts, and {@code idle} warm pods stand ready. */
  private static void awaitQuiet(KubernetesClient k, String ns, int idle) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (System.nanoTime() < end) {
      long busy = k.pods().inNamespace(ns).withLabel(GradingJobLabels.COMPONENT, GradingJobLabels.RUNNER_COMPONENT).list()
          .getItems().stream().filter(p -> p.getStatus() != null && !"Succeeded".equals(p.getStatus().getPhase())
              && !"Failed".equals(p.getStatus().getPhase()))
          .filter(p -> !GradingJobLabels.WARM_IDLE.equals(p.getMetadata().getLabels().get(GradingJobLabels.WARM))).count();
      if (busy == 0 && idle(k, ns).size() >= idle) {
        return;
      }
      Thread.sleep(1000);
    }
  }

  /** The runner's own time for the job, from the timeline line of the pod that graded it. */
  private static Optional<Long> runnerTotal(KubernetesClient k, Release release, String id) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      GradingJob job = release.job(id);
      String podName = job == null || job.getStatus() == null ? null : job.getStatus().podName();
      Pod pod = podName == null ? null : k.pods().inNamespace(release.namespace()).withName(podName).get();
      if (pod != null && pod.getStatus() != null && "Succeeded".equals(pod.getStatus().getPhase())) {
        String log = k.pods().inNamespace(release.namespace()).withName(podName).getLog();
        Matcher warm = WARM.matcher(log);
        if (warm.find()) {
          return Optional.of(Long.parseLong(warm.group(2)));
        }
        Matcher cold = COLD.matcher(log);
        return cold.find() ? Optional.of(Long.parseLong(cold.group(2))) : Optional.empty();
      }
      Thread.sleep(200);
    }
    return Optional.empty();
  }

  /** What the idle pods hold while they wait: their cgroups on this node (the node is this machine). */
  private static void idleCost(KubernetesClient k, String ns) throws Exception {
    List<Pod> pods = idle(k, ns);
    Map<Pod, PodCgroup> cgroups = new LinkedHashMap<>();
    for (Pod p : pods) {
      PodCgroup.of(p.getMetadata().getUid()).ifPresent(c -> cgroups.put(p, c));
    }
    Map<Pod, Long> before = new LinkedHashMap<>();
    for (var e : cgroups.entrySet()) {
      before.put(e.getKey(), e.getValue().cpuMicros());
    }
    Thread.sleep(30_000);
    List<Long> memory = new ArrayList<>();
    List<Long> cpuMillis = new ArrayList<>();
    for (var e : cgroups.entrySet()) {
      memory.add(e.getValue().memoryBytes() / (1024 * 1024));
      cpuMillis.add((e.getValue().cpuMicros() - before.get(e.getKey())) / 1000);
    }
    System.out.printf("RESULT warm_idle_pod_memory %d MiB | memory use of an idle warm pod's cgroup (median of %d)%n",
        ClusterBenchmark.percentile(memory, 50), memory.size());
    System.out.printf("RESULT warm_idle_pod_cpu %d ms | CPU an idle warm pod used in 30 s of waiting (median of %d)%n",
        ClusterBenchmark.percentile(cpuMillis, 50), cpuMillis.size());
  }

  /** A pod's cgroup: unified (v2: memory.current, cpu.stat) or the v1 memory and cpuacct hierarchies. */
  record PodCgroup(Path memory, Path cpu, boolean unified) {
    static Optional<PodCgroup> of(String uid) throws IOException {
      Optional<Path> v1Memory = find(Path.of("/sys/fs/cgroup/memory"), uid);
      if (v1Memory.isPresent()) {
        Optional<Path> v1Cpu = find(Path.of("/sys/fs/cgroup/cpuacct"), uid);
        return v1Cpu.map(cpu -> new PodCgroup(v1Memory.get(), cpu, false));
      }
      return find(Path.of("/sys/fs/cgroup"), uid).map(d -> new PodCgroup(d, d, true));
    }

    private static Optional<Path> find(Path root, String uid) throws IOException {
      if (!Files.isDirectory(root)) {
        return Optional.empty();
      }
      String cgroupfs = "pod" + uid;
      String systemd = "pod" + uid.replace('-', '_') + ".slice";
      try (Stream<Path> dirs = Files.walk(root, 7)) {
        return dirs.filter(Files::isDirectory).filter(d -> {
          String n = d.getFileName().toString();
          return n.equals(cgroupfs) || n.endsWith(systemd);
        }).findFirst();
      }
    }

    long memoryBytes() throws IOException {
      return Long.parseLong(Files.readString(memory.resolve(unified ? "memory.current" : "memory.usage_in_bytes")).trim());
    }

    long cpuMicros() throws IOException {
      if (!unified) {
        return Long.parseLong(Files.readString(cpu.resolve("cpuacct.usage")).trim()) / 1000;
      }
      return Files.readAllLines(cpu.resolve("cpu.stat")).stream().filter(l -> l.startsWith("usage_usec "))
          .mapToLong(l -> Long.parseLong(l.substring("usage_usec ".length()).trim())).findFirst().orElse(0);
    }
  }
}
