package io.kubegrade.operator.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a runner pod's container here, the way a kubelet would in the runner image: the pod's
 * command - tini, then the image's own {@code kubegrade-runner} script (runner-image/), run as
 * is - its arguments, and its environment with Secret references resolved. Only what the image
 * or the kubelet provides is mapped: the jar's place in the image, java on the PATH, the
 * termination-message file and the memory-backed /tmp.
 */
public final class PodProcess {
  /** What the kubelet would report: exit code and termination message. */
  public record Exit(int code, String terminationMessage, String output) {}

  /** A pod's container running here: its memory-backed /tmp is {@code tmp}. */
  public record Running(Process process, Path tmp, Path terminationLog, java.util.concurrent.CompletableFuture<byte[]> output) {
    public Exit await() throws IOException, InterruptedException {
      assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
      return new Exit(process.exitValue(), Files.readString(terminationLog), new String(output.join(), StandardCharsets.UTF_8));
    }
  }

  private PodProcess() {}

  public static Exit run(KubernetesClient client, Pod pod, Path scratch) throws IOException, InterruptedException {
    return start(client, pod, scratch).await();
  }

  /** Starts the pod's container and returns at once (a warm pod waits for its job). */
  public static Running start(KubernetesClient client, Pod pod, Path scratch) throws IOException {
    Container c = pod.getSpec().getContainers().get(0);
    assertThat(c.getCommand()).as("tini, then the image's wrapper").containsExactly("/usr/bin/tini", "--", "kubegrade-runner");
    Path jar = Jobs.root().resolve("runner-image/target/kubegrade-runner-all.jar");
    assertThat(jar).as("the runner's packaged jar (mvn package)").exists();
    Path wrapper = Jobs.root().resolve("runner-image/kubegrade-runner");
    java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("/bin/sh", wrapper.toString()));
    command.addAll(c.getArgs());

    Path tmp = Files.createDirectories(scratch.resolve("tmp"));
    Path terminationLog = scratch.resolve("termination-log");
    Files.deleteIfExists(terminationLog);
    Files.createFile(terminationLog);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    String path = env.get("PATH");
    env.clear();
    for (EnvVar e : c.getEnv()) {
      String value = e.getValue() != null ? e.getValue() : secretValue(client, pod, e);
      // The pod's /tmp is a memory-backed emptyDir: here, a directory of this test's.
      env.put(e.getName(), value.equals("/tmp") || value.startsWith("/tmp/") ? tmp + value.substring(4) : value);
    }
    assertThat(env.get("KUBEGRADE_TERMINATION_LOG")).isEqualTo(c.getTerminationMessagePath());
    // What the image provides: java on the PATH, the jar where the wrapper looks; and the kubelet's file.
    env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + path);
    env.put("KUBEGRADE_RUNNER_JAR", jar.toString());
    env.put("KUBEGRADE_RUNNER_CDS", scratch.resolve("no-archive-here.jsa").toString());
    env.put("KUBEGRADE_TERMINATION_LOG", terminationLog.toString());

    Process process = builder.directory(tmp.toFile()).start();
    java.util.concurrent.CompletableFuture<byte[]> output = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return process.getInputStream().readAllBytes();
      } catch (IOException e) {
        return e.toString().getBytes(StandardCharsets.UTF_8);
      }
    });
    return new Running(process, tmp, terminationLog, output);
  }

  private static String secretValue(KubernetesClient client, Pod pod, EnvVar e) {
    var ref = e.getValueFrom().getSecretKeyRef();
    Secret secret = client.secrets().inNamespace(pod.getMetadata().getNamespace()).withName(ref.getName()).get();
    assertThat(secret).as("Secret %s the pod refers to", ref.getName()).isNotNull();
    return new String(Base64.getDecoder().decode(secret.getData().get(ref.getKey())), StandardCharsets.UTF_8);
  }
}
