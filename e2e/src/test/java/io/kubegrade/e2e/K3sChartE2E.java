package io.kubegrade.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubegrade.api.redis.RedisLayout;
import io.kubegrade.e2e.testing.Cluster;
import io.kubegrade.e2e.testing.Release;
import io.kubegrade.runner.testing.RunnerRedisUser;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The chart on k3s in Docker (Testcontainers), where Docker and a registry exist: the images built
 * from their Dockerfiles and imported into k3s, Redis (with the runner's ACL user), MongoDB and
 * MinIO from Docker Hub in namespace "data", then the same install-and-helm-test body as
 * {@link ChartLifecycleE2E} runs on the node scripts/cluster.sh starts. Skipped where there is no
 * Docker or no registry to pull k3s from (the machines this project is developed on).
 */
class K3sChartE2E {
  static final DockerImageName K3S_IMAGE = DockerImageName.parse("rancher/k3s:v1.31.4-k3s1");
  static final String TAG = "0.1.0";
  static K3sContainer k3s;

  @BeforeAll
  static void start() {
    Assumptions.assumeTrue(DockerClientFactory.instance().isDockerAvailable(), "no Docker: k3s cannot run here");
    try {
      DockerClientFactory.instance().client().pullImageCmd(K3S_IMAGE.asCanonicalNameString()).start().awaitCompletion(5, TimeUnit.MINUTES);
    } catch (Exception e) {
      Assumptions.abort("cannot pull " + K3S_IMAGE + " (no registry?): " + e.getMessage());
    }
    k3s = new K3sContainer(K3S_IMAGE);
    k3s.start();
  }

  @AfterAll
  static void stop() {
    if (k3s != null) {
      k3s.stop();
    }
  }

  @Test
  void theChartInstallsAndPassesHelmTestOnK3s() throws Exception {
    Path kubeconfig = Files.createTempFile("k3s-", ".yaml");
    Files.writeString(kubeconfig, k3s.getKubeConfigYaml());
    Cluster cluster = Cluster.of(kubeconfig, K3sChartE2E::loadImages);
    KubernetesClient k = cluster.admin();
    try (InputStream manifests = Files.newInputStream(Cluster.root().resolve("e2e/src/test/resources/k3s/backing-services.yaml"))) {
      for (HasMetadata o : k.load(manifests).items()) {
        if (o instanceof Deployment d && d.getMetadata().getName().equals("redis")) {
          List<String> args = new ArrayList<>(List.of("--requirepass", "e2e-admin", "--user"));
          args.addAll(List.of((RunnerRedisUser.NAME + " " + RedisLayout.RUNNER_ACL + " >" + RunnerRedisUser.PASSWORD).split(" ")));
          d.getSpec().getTemplate().getSpec().getContainers().get(0).setArgs(args);
        }
        k.resource(o).serverSideApply();
      }
    }
    k.apps().deployments().inNamespace("data").list().getItems().forEach(d ->
        k.apps().deployments().inNamespace("data").withName(d.getMetadata().getName()).waitUntilReady(5, TimeUnit.MINUTES));
    Map<String, String> services = new LinkedHashMap<>();
    services.put("redis.host", "redis.data");
    services.put("redis.password", "e2e-admin");
    services.put("redis.runnerPassword", RunnerRedisUser.PASSWORD);
    services.put("redis.podSelector.matchLabels.app\\.kubernetes\\.io/name", "redis");
    services.put("redis.namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name", "data");
    services.put("mongodb.uri", "mongodb://mongo.data:27017");
    services.put("s3.endpoint", "http://minio.data:9000");
    services.put("s3.createBucket", "true");
    services.put("s3.accessKey", "e2e-minio");
    services.put("s3.secretKey", "e2e-minio-secret");
    services.put("s3.port", "9000");
    services.put("s3.podSelector.matchLabels.app\\.kubernetes\\.io/name", "minio");
    services.put("s3.namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name", "data");
    Release release = ChartLifecycleE2E.installAndPassHelmTest(cluster, services, "kg", "kubegrade");
    assertThat(release.namespace()).isEqualTo("kubegrade");
  }

  /** Each image built from its Dockerfile by Testcontainers, saved, and imported into k3s's containerd. */
  static void loadImages() {
    try {
      for (String component : List.of("runner", "gateway", "operator")) {
        String dockerfile = component.equals("runner") ? "runner-image/Dockerfile" : component + "/Dockerfile";
        String image = new ImageFromDockerfile("ghcr.io/kubegrade/" + component + ":" + TAG, false)
            .withFileFromPath(".", Cluster.root()).withDockerfile(Cluster.root().resolve(dockerfile)).get();
        Path tar = Files.createTempFile("image-", ".tar");
        try (InputStream saved = DockerClientFactory.instance().client().saveImageCmd(image).exec()) {
          Files.copy(saved, tar, StandardCopyOption.REPLACE_EXISTING);
        }
        k3s.copyFileToContainer(MountableFile.forHostPath(tar), "/tmp/image.tar");
        var result = k3s.execInContainer("ctr", "-n", "k8s.io", "images", "import", "/tmp/image.tar");
        assertThat(result.getExitCode()).as(result.getStderr()).isZero();
      }
    } catch (Exception e) {
      throw new IllegalStateException("loading the images into k3s failed", e);
    }
  }
}
