package io.kubegrade.operator.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.gradingjob.GradingJob;
import io.kubegrade.api.gradingjob.GradingJobPhase;
import io.kubegrade.operator.OperatorMain;
import io.kubegrade.operator.testing.Jobs;
import io.kubegrade.operator.testing.KubeApiServer;
import io.kubegrade.operator.testing.Kubelet;
import io.kubegrade.operator.testing.RecordingVerdictPublisher;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.FileInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The operator's own overhead, on a real kube-apiserver: N GradingJobs created at once with at
 * most M runner pods, and a kubelet that "grades" each pod the moment it appears (running, then
 * terminated with a verdict). What is left is what the operator and the API server add per job:
 * creation to pod, pod finished to status, and jobs per second. With a rate, the jobs arrive at
 * that many per second instead (open loop: each is created at its time whatever the earlier ones
 * are doing, each by a user of its own so per-user turns never hold one back), and creation to pod
 * is reported for every job. scripts/bench-operator.sh.
 *
 * <p>usage: OperatorBenchmark [jobs] [max running pods] [jobs per second, 0 = all at once]
 */
public final class OperatorBenchmark {
  public static void main(String[] args) throws Exception {
    int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int slots = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    double rate = args.length > 2 ? Double.parseDouble(args[2]) : 0;
    String ns = "bench";
    try (KubeApiServer server = KubeApiServer.start(List.of());
        KubernetesClient admin = server.client(KubeApiServer.ADMIN_TOKEN)) {
      try (InputStream crd = new FileInputStream(Jobs.root().resolve("crds/gradingjobs.kubegrade.io.yaml").toFile())) {
        admin.apiextensions().v1().customResourceDefinitions().load(crd).create();
      }
      admin.apiextensions().v1().customResourceDefinitions().withName(GradingJob.CRD_NAME)
          .waitUntilCondition(c -> c.getStatus() != null && c.getStatus().getConditions().stream()
              .anyMatch(x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())), 30, TimeUnit.SECONDS);
      admin.resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
      admin.resource(new ServiceAccountBuilder().withNewMetadata().withName("kubegrade-runner").withNamespace(ns).endMetadata()
          .build()).create();

      Map<String, Long> created = new ConcurrentHashMap<>();
      Map<String, Long> podSeen = new ConcurrentHashMap<>();
      Map<String, Long> podDone = new ConcurrentHashMap<>();
      Map<String, Long> finished = new ConcurrentHashMap<>();
      CountDownLatch all = new CountDownLatch(jobs);
      Kubelet kubelet = new Kubelet(admin);
      ExecutorService node = Executors.newFixedThreadPool(4);
      String verdict = new Verdict(VerdictStatus.ACCEPTED, null, 3, 3, 100, List.of(), null, null, List.of(), null, null)
          .toBoundedJson(4096);
      admin.pods().inNamespace(ns).inform(new ResourceEventHandler<>() {
        public void onAdd(Pod pod) {
          String job = pod.getMetadata().getOwnerReferences().get(0).getName();
          podSeen.putIfAbsent(job, System.nanoTime());
          node.submit(() -> {
            kubelet.terminated(pod, 0, "Completed", verdict);
            podDone.put(job, System.nanoTime());
          });
        }

        public void onUpdate(Pod oldPod, Pod newPod) {}

        public void onDelete(Pod pod, boolean unknown) {}
      });
      admin.resources(GradingJob.class).inNamespace(ns).inform(new ResourceEventHandler<>() {
        public void onAdd(GradingJob job) {}

        public void onUpdate(GradingJob old, GradingJob job) {
          if (job.phase() == GradingJobPhase.Succeeded && finished.putIfAbsent(job.getMetadata().getName(), System.nanoTime()) == null) {
            all.countDown();
          }
        }

        public void onDelete(GradingJob job, boolean unknown) {}
      });
      Map<String, String> env = Map.of("KUBEGRADE_WATCH_NAMESPACES", ns, "KUBEGRADE_MAX_RUNNING_PODS", String.valueOf(slots));
      try (OperatorMain operator = OperatorMain.start(admin, Jobs.settings(env), true, new RecordingVerdictPublisher(),
          source -> "http://s3.test/" + source.key(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
        long start = System.nanoTime();
        if (rate <= 0) {
          for (int i = 0; i < jobs; i++) {
            String name = String.format("b%05d", i);
            admin.resource(Jobs.job(ns, name, "user" + (i % 10), "counter")).create();
            created.put(name, System.nanoTime());
          }
        } else {
          ExecutorService clients = Executors.newFixedThreadPool(16);
          for (int i = 0; i < jobs; i++) {
            long due = start + Math.round(i * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
              TimeUnit.NANOSECONDS.sleep(wait);
            }
            String name = String.format("b%05d", i);
            String user = "user" + i;
            // From the create request on: its own round trip to the API server is counted too.
            clients.submit(() -> {
              long sent = System.nanoTime();
              admin.resource(Jobs.job(ns, name, user, "counter")).create();
              created.put(name, sent);
            });
          }
          clients.shutdown();
          clients.awaitTermination(1, TimeUnit.MINUTES);
        }
        long createdAll = System.nanoTime() - start;
        if (!all.await(10, TimeUnit.MINUTES)) {
          throw new IllegalStateException("only " + finished.size() + " of " + jobs + " jobs finished");
        }
        long wall = System.nanoTime() - start;
        List<Long> toPod = new ArrayList<>();
        List<Long> toStatus = new ArrayList<>();
        created.forEach((job, t) -> {
          toPod.add(podSeen.get(job) - t);
          toStatus.add(finished.get(job) - podDone.get(job));
        });
        // With more jobs than slots, creation-to-pod includes queueing: report the first wave alone too.
        List<Long> firstWave = new ArrayList<>();
        created.entrySet().stream().sorted(Map.Entry.comparingByValue()).limit(slots)
            .forEach(e -> firstWave.add(podSeen.get(e.getKey()) - e.getValue()));
        if (Boolean.getBoolean("kubegrade.bench.trace")) {
          podSeen.values().stream().sorted().forEach(t -> System.out.printf("TRACE pod %d ms%n", (t - start) / 1_000_000));
        }
        if (rate > 0) {
          System.out.printf("RESULT rate_offered %.1f%n", rate);
          System.out.printf("RESULT rate_created %.1f%n", jobs / (createdAll / 1e9));
          System.out.printf("RESULT create_to_pod_median_ms %.0f%n", percentile(toPod, 50));
          System.out.printf("RESULT create_to_pod_p99_ms %.0f%n", percentile(toPod, 99));
          System.out.printf("RESULT create_to_pod_max_ms %.0f%n", percentile(toPod, 100));
        }
        System.out.printf("RESULT jobs %d%n", jobs);
        System.out.printf("RESULT slots %d%n", slots);
        System.out.printf("RESULT create_to_pod_first_wave_median_ms %.0f%n", percentile(firstWave, 50));
        System.out.printf("RESULT create_to_pod_first_wave_p90_ms %.0f%n", percentile(firstWave, 90));
        System.out.printf("RESULT pod_done_to_status_median_ms %.0f%n", percentile(toStatus, 50));
        System.out.printf("RESULT pod_done_to_status_p90_ms %.0f%n", percentile(toStatus, 90));
        System.out.printf("RESULT jobs_per_second %.1f%n", jobs / (wall / 1e9));
        System.out.printf("RESULT wall_ms %.0f%n", wall / 1e6);
      } finally {
        node.shutdownNow();
      }
    }
    System.exit(0);
  }

  private static double percentile(List<Long> nanos, int p) {
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    int index = Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1);
    return sorted.get(Math.max(0, index)) / 1e6;
  }
}
