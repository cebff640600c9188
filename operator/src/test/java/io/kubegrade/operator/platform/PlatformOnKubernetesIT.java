package io.kubegrade.operator.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.kubegrade.api.Json;
import io.kubegrade.api.event.EventType;
import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.api.gradingjob.GradingJob;
import io.kubegrade.api.gradingjob.GradingJobPhase;
import io.kubegrade.gateway.GatewayApplication;
import io.kubegrade.operator.OperatorMain;
import io.kubegrade.operator.testing.Chart;
import io.kubegrade.operator.testing.Jobs;
import io.kubegrade.operator.testing.KubeApiServer;
import io.kubegrade.operator.testing.Kubelet;
import io.kubegrade.operator.testing.PodProcess;
import io.kubegrade.runner.testing.RunnerRedisUser;
import io.kubegrade.runner.testing.BackingServers;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The whole platform in Kubernetes mode, without Docker: a real kube-apiserver; the gateway (as
 * its own ServiceAccount with the chart's RBAC) creating a GradingJob per submission; the operator
 * (likewise) making the runner pod; this test as the kubelet, running each pod's container here
 * against real Redis (the runner's ACL user), FerretDB, MinIO and Chromium; and a WebSocket client
 * that must receive every event, QUEUED to VERDICT, with no gap.
 */
class PlatformOnKubernetesIT {
  static final String NS = "grading";
  static final String SECRET = "platform-on-kubernetes-hmac-secret-0123456789";

  static KubeApiServer server;
  static KubernetesClient admin;
  static ConfigurableApplicationContext gateway;
  static OperatorMain operator;
  static ExecutorService node = Executors.newFixedThreadPool(2);
  static int port;

  @BeforeAll
  static void platform() throws Exception {
    Jobs.quietMockServer();
    String sa = "system:serviceaccount:" + NS + ":kg-kubegrade-";
    String groups = ",\"system:serviceaccounts,system:serviceaccounts:" + NS + ",system:authenticated\"";
    server = KubeApiServer.start(List.of("operator-token," + sa + "operator,op" + groups, "gateway-token," + sa + "gateway,gw" + groups));
    admin = server.client(KubeApiServer.ADMIN_TOKEN);
    try (InputStream crd = new FileInputStream(Jobs.root().resolve("crds/gradingjobs.kubegrade.io.yaml").toFile())) {
      admin.apiextensions().v1().customResourceDefinitions().load(crd).create();
    }
    admin.apiextensions().v1().customResourceDefinitions().withName(GradingJob.CRD_NAME)
        .waitUntilCondition(c -> c.getStatus() != null && c.getStatus().getConditions().stream()
            .anyMatch(x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())), 30, TimeUnit.SECONDS);
    admin.resource(new NamespaceBuilder().withNewMetadata().withName(NS)
        .addToLabels("pod-security.kubernetes.io/enforce", "restricted").endMetadata().build()).create();
    for (HasMetadata o : Chart.template(NS, Map.of())) {
      if (o instanceof ServiceAccount || o instanceof Role || o instanceof RoleBinding
          || o instanceof io.fabric8.kubernetes.api.model.ConfigMap) {
        o.getMetadata().setNamespace(NS);
        admin.resource(o).create();
      }
    }
    BackingServers servers = BackingServers.shared();
    RedisClient redisClient = RedisClient.create(servers.redis.url());
    try (StatefulRedisConnection<String, String> redis = redisClient.connect()) {
      RunnerRedisUser.create(redis);
    }
    redisClient.shutdown();
    admin.resource(new SecretBuilder().withNewMetadata().withName("kg-kubegrade-redis").withNamespace(NS).endMetadata()
        .addToStringData("runner-username", RunnerRedisUser.NAME).addToStringData("runner-password", RunnerRedisUser.PASSWORD)
        .build()).create();

    // The kubelet: every runner pod's container runs here as soon as the pod exists.
    Kubelet kubelet = new Kubelet(admin);
    Path scratch = Files.createTempDirectory("kubegrade-node-");
    admin.pods().inNamespace(NS).inform(new ResourceEventHandler<>() {
      public void onAdd(Pod pod) {
        node.submit(() -> {
          kubelet.running(pod);
          PodProcess.Exit exit = PodProcess.run(admin, pod, Files.createTempDirectory(scratch, pod.getMetadata().getName()));
          if (exit.code() != 0) {
            System.err.println("runner pod " + pod.getMetadata().getName() + " exited " + exit.code() + ":\n" + exit.output());
          }
          kubelet.terminated(pod, exit.code(), exit.code() == 0 ? "Completed" : "Error", exit.terminationMessage());
          return null;
        });
      }

      public void onUpdate(Pod oldPod, Pod newPod) {}

      public void onDelete(Pod pod, boolean unknown) {}
    });

    operator = OperatorMain.start(server.client("operator-token"), Jobs.settings(Map.of(
        "KUBEGRADE_WATCH_NAMESPACES", NS, "KUBEGRADE_RUNNER_SERVICE_ACCOUNT", "kg-kubegrade-runner",
        "KUBEGRADE_RUNNER_REDIS_SECRET", "kg-kubegrade-redis", "KUBEGRADE_REDIS_URL", servers.redis.url(),
        "KUBEGRADE_RUNNER_REDIS_URL", servers.redis.url(), "KUBEGRADE_S3_ENDPOINT", servers.s3Endpoint().toString(),
        "KUBEGRADE_S3_ACCESS_KEY", BackingServers.S3_USER, "KUBEGRADE_S3_SECRET_KEY", BackingServers.S3_PASSWORD)), true);

    // The gateway's Kubernetes client configures itself as in a pod; here from system properties.
    System.setProperty("kubernetes.master", server.url());
    System.setProperty("kubernetes.auth.token", "gateway-token");
    System.setProperty("kubernetes.trust.certificates", "true");
    System.setProperty("kubernetes.auth.tryKubeConfig", "false");
    System.setProperty("kubernetes.auth.tryServiceAccount", "false");
    gateway = new SpringApplicationBuilder(GatewayApplication.class).run(
        "--server.port=0", "--kubegrade.redis.url=" + servers.redis.url(), "--kubegrade.mongo.uri=" + servers.mongoUri(),
        "--kubegrade.mongo.database=platform-on-kubernetes", "--kubegrade.s3.endpoint=" + servers.s3Endpoint(),
        "--kubegrade.s3.access-key=" + BackingServers.S3_USER, "--kubegrade.s3.secret-key=" + BackingServers.S3_PASSWORD,
        "--kubegrade.s3.bucket=platform-on-kubernetes", "--kubegrade.security.hmac-secret=" + SECRET,
        "--kubegrade.security.local-tokens=true", "--kubegrade.dispatch.mode=kubernetes", "--kubegrade.dispatch.namespace=" + NS,
        "--kubegrade.dispatch.job-owner=kg-kubegrade-gradingjobs",
        "--kubegrade.challenges.import-dirs=" + Jobs.root().resolve("challenges"), "--kubegrade.stream.rsocket-tcp-port=-1",
        "--kubegrade.instance-id=platform-on-kubernetes");
    port = Integer.parseInt(gateway.getEnvironment().getProperty("local.server.port"));
    HttpClient http = HttpClient.newHttpClient();
    await().atMost(Duration.ofSeconds(90)).until(() -> http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness")).build(), HttpResponse.BodyHandlers.ofString())
        .statusCode() == 200);
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (operator != null) {
      operator.close();
    }
    node.shutdownNow();
    if (admin != null) {
      admin.close();
    }
    if (server != null) {
      server.close();
    }
    for (String p : List.of("kubernetes.master", "kubernetes.auth.token", "kubernetes.trust.certificates",
        "kubernetes.auth.tryKubeConfig", "kubernetes.auth.tryServiceAccount")) {
      System.clearProperty(p);
    }
  }

  @Test
  void aSubmissionIsGradedInItsOwnPodAndEveryEventReachesTheClient() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + port;
    String token = Json.mapper().readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/local/token"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"ada\"}")).build(),
        HttpResponse.BodyHandlers.ofString()).body()).get("token").asText();
    String source = Files.readString(Jobs.root().resolve("challenges/counter/solutions/ACCEPTED/class-component.jsx"));
    HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/submissions"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.mapper().writeValueAsString(Map.of("challengeId", "counter",
            "source", source)))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    String id = Json.mapper().readTree(accepted.body()).get("id").asText();

    List<GradingEvent> events = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> verdict = new CompletableFuture<>();
    http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/api/v1/submissions/" + id
        + "/events/ws?after=0&access_token=" + token), new WebSocket.Listener() {
          private final StringBuilder frame = new StringBuilder();

          @Override
          public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            frame.append(data);
            if (last) {
              GradingEvent e = GradingEvent.fromJson(frame.toString());
              frame.setLength(0);
              events.add(e);
              if (e.type() == EventType.VERDICT) {
                verdict.complete(null);
              }
            }
            ws.request(1);
            return null;
          }
        }).get(10, TimeUnit.SECONDS);
    verdict.get(3, TimeUnit.MINUTES);

    assertThat(events.get(0).type()).isEqualTo(EventType.QUEUED);
    assertThat(events).extracting(GradingEvent::seq).containsExactly(
        java.util.stream.LongStream.rangeClosed(1, events.size()).boxed().toArray(Long[]::new));
    assertThat(events.get(events.size() - 1).verdict().status().name()).as(events.get(events.size() - 1).toJson())
        .isEqualTo("ACCEPTED");

    GradingJob job = admin.resources(GradingJob.class).inNamespace(NS).withName(id).get();
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      GradingJob j = admin.resources(GradingJob.class).inNamespace(NS).withName(id).get();
      return j.getStatus() != null && j.getStatus().phase() == GradingJobPhase.Succeeded;
    });
    assertThat(job.getSpec().owner()).isEqualTo("ada");
    // Owned by the release's ConfigMap (read with the chart's RBAC), so helm uninstall removes it.
    assertThat(job.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
      assertThat(o.getKind()).isEqualTo("ConfigMap");
      assertThat(o.getName()).isEqualTo("kg-kubegrade-gradingjobs");
      assertThat(o.getUid()).isEqualTo(admin.configMaps().inNamespace(NS).withName("kg-kubegrade-gradingjobs").get()
          .getMetadata().getUid());
    });
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      JsonNode stored = Json.mapper().readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/submissions/" + id))
          .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).body());
      return "ACCEPTED".equals(stored.path("status").asText());
    });
  }
}
