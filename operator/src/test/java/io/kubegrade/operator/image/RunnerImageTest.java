package io.kubegrade.operator.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubegrade.operator.pod.RunnerPod;
import io.kubegrade.operator.testing.Jobs;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * There is no Docker here, so the images cannot be built: this checks that the Dockerfiles agree
 * with the pods the operator and the chart create (user, command, paths), and RunnerPodContractIT
 * runs the image's own wrapper script with the pod's command and environment.
 */
class RunnerImageTest {
  private static String read(String path) throws IOException {
    return Files.readString(Jobs.root().resolve(path));
  }

  @Test
  void theRunnerImageProvidesWhatTheRunnerPodRuns() throws IOException {
    String dockerfile = read("runner-image/Dockerfile");
    assertThat(dockerfile).contains("FROM debian:bookworm-slim")
        .contains("chromium chromium-driver openjdk-17-jre-headless tini")
        .contains("useradd --uid " + RunnerPod.RUNNER_UID)
        .contains("USER " + RunnerPod.RUNNER_UID + ":" + RunnerPod.RUNNER_UID)
        .contains("COPY runner-image/kubegrade-runner /usr/local/bin/kubegrade-runner")
        .contains("COPY runner-image/target/kubegrade-runner-all.jar /opt/kubegrade/runner.jar")
        .contains("KUBEGRADE_CDS_DUMP=/opt/kubegrade/runner.jsa")
        .contains("org.opencontainers.image.title").contains("org.opencontainers.image.version")
        .contains("org.opencontainers.image.source").contains("org.opencontainers.image.licenses");
    assertThat(RunnerPod.COMMAND.get(0)).isEqualTo("/usr/bin/tini"); // Debian's tini package
    String wrapper = read("runner-image/kubegrade-runner");
    assertThat(wrapper).contains("/opt/kubegrade/runner.jar").contains("/opt/kubegrade/runner.jsa")
        .contains("-XX:SharedArchiveFile").contains("-XX:ArchiveClassesAtExit").contains("-XX:-UsePerfData");
    assertThat(Files.isExecutable(Jobs.root().resolve("runner-image/kubegrade-runner"))).isTrue();
  }

  @Test
  void theGatewayAndOperatorImagesRunAsTheUserTheChartExpects() throws IOException {
    String chartHelpers = read("helm/kubegrade/templates/_helpers.tpl");
    assertThat(chartHelpers).contains("runAsUser: 10001");
    for (String dockerfile : new String[] {"gateway/Dockerfile", "operator/Dockerfile"}) {
      assertThat(read(dockerfile)).as(dockerfile).contains("USER 10001:10001").contains("/usr/bin/tini")
          .contains("org.opencontainers.image.title");
    }
    assertThat(read("gateway/Dockerfile")).contains("COPY gateway/target/kubegrade-gateway-exec.jar /app/gateway.jar")
        .contains("COPY challenges /app/challenges");
    assertThat(read("helm/kubegrade/templates/gateway.yaml")).contains("KUBEGRADE_CHALLENGES_IMPORTDIRS, value: /app/challenges");
    assertThat(read("operator/Dockerfile")).contains("COPY operator/target/kubegrade-operator-all.jar /app/operator.jar");
  }

}
