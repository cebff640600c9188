package io.kubegrade.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kubegrade.api.gradingjob.GradingJob;
import io.kubegrade.api.gradingjob.GradingJobPhase;
import io.kubegrade.api.redis.RedisLayout;
import io.kubegrade.operator.testing.Chart;
import io.kubegrade.operator.testing.Jobs;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The whole platform on a real single-node cluster (k3s in Docker): the three images built from
 * their Dockerfiles and loaded into k3s, Redis (with the runner's ACL user), MongoDB and MinIO in
 * their own namespace, the chart installed with its NetworkPolicy enforced, then {@code helm test}
 * - which submits a known-good solution and waits for ACCEPTED - and the GradingJob's status.
 *
 * <p>Needs Docker (and images from Docker Hub); without Docker it is skipped, loudly, by
 * Testcontainers. It has not run on the machines this project is developed on (docs/operations.md).
 */
@Testcontainers(disabledWithoutDocker = true)
class KubegradeChartE2E {
  static final String TAG = "e2e";
  static final String RUNNER_PASSWORD = "e2e-runner-password";

  @Container
  static final K3sContainer K3S = new K3sContainer(DockerImageName.parse("rancher/k3s:v1.31.4-k3s1"));

  @Test
  void theChartInstallsAndGradesASubmission() throws Exception {
    for (String component : List.of("runner", "gateway", "operator")) {
      String dockerfile = component.equals("runner") ? "runner-image/Dockerfile" : component + "/Dockerfile";
      String image = new ImageFromDockerfile("docker.io/kubegrade/" + component + ":" + TAG, false)
          .withFileFromPath(".", Jobs.root()).withDockerfile(Jobs.root().resolve(dockerfile)).get();
      loadIntoK3s(image);
    }
    Path kubeconfig = Files.createTempFile("k3s-", ".yaml");
    Files.writeString(kubeconfig, K3S.getKubeConfigYaml());
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(K3S.getKubeConfigYaml())).build()) {
      for (HasMetadata o : client.load(Files.newInputStream(Jobs.root().resolve("operator/src/test/resources/e2e/backing-services.yaml")))
          .items()) {
        if (o.getKind().equals("Deployment") && o.getMetadata().getName().equals("redis")) {
          var container = ((io.fabric8.kubernetes.api.model.apps.Deployment) o).getSpec().getTemplate().getSpec().getContainers().get(0);
          List<String> args = new ArrayList<>(List.of("--requirepass", "e2e-admin", "--user"));
          args.addAll(List.of(("kubegrade-runner " + RedisLayout.RUNNER_ACL + " >" + RUNNER_PASSWORD).split(" ")));
          container.setArgs(args);
        }
        client.resource(o).serverSideApply();
      }
      client.apps().deployments().inNamespace("data").list().getItems().forEach(d ->
          client.apps().deployments().inNamespace("data").withName(d.getMetadata().getName()).waitUntilReady(5, java.util.concurrent.TimeUnit.MINUTES));

      Map<String, Object> values = new java.util.LinkedHashMap<>(Map.of(
          "image.registry", "docker.io", "image.pullPolicy", "Never",
          "image.gateway.tag", TAG, "image.operator.tag", TAG, "image.runner.tag", TAG,
          "redis.host", "redis.data", "redis.password", "e2e-admin", "redis.runnerPassword", RUNNER_PASSWORD,
          "mongodb.uri", "mongodb://mongo.data:27017", "s3.endpoint", "http://minio.data:9000"));
      values.putAll(Map.of("s3.createBucket", true, "s3.accessKey", "e2e-minio", "s3.secretKey", "e2e-minio-secret",
          "s3.port", 9000, "auth.hmacSecret", Chart.REQUIRED.get("auth.hmacSecret"), "gateway.replicas", 1));
      var install = new Helm(Chart.path()).install().withName("kg").withNamespace("kubegrade").createNamespace()
          .withKubeConfig(kubeconfig).waitReady().withTimeout(600)
          .set("redis.podSelector.matchLabels.app\\.kubernetes\\.io/name", "redis")
          .set("redis.namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name", "data")
          .set("s3.podSelector.matchLabels.app\\.kubernetes\\.io/name", "minio")
          .set("s3.namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name", "data");
      values.forEach(install::set);
      install.call();

      Helm.test("kg").withNamespace("kubegrade").withKubeConfig(kubeconfig).withTimeout(600).call();

      await().atMost(Duration.ofMinutes(2)).until(() -> client.resources(GradingJob.class).inNamespace("kubegrade").list()
          .getItems().stream().anyMatch(j -> j.getStatus() != null && j.getStatus().phase() == GradingJobPhase.Succeeded
              && "ACCEPTED".equals(j.getStatus().verdict().status())));
    }
  }

  private static void loadIntoK3s(String image) throws Exception {
    Path tar = Files.createTempFile("image-", ".tar");
    try (InputStream saved = DockerClientFactory.instance().client().saveImageCmd(image).exec()) {
      Files.copy(saved, tar, StandardCopyOption.REPLACE_EXISTING);
    }
    K3S.copyFileToContainer(MountableFile.forHostPath(tar), "/tmp/image.tar");
    var result = K3S.execInContainer("ctr", "-n", "k8s.io", "images", "import", "/tmp/image.tar");
    assertThat(result.getExitCode()).as(result.getStderr()).isZero();
  }
}
