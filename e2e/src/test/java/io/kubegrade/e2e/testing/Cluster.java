package io.kubegrade.e2e.testing;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The cluster the end-to-end tests run on: the single node {@code scripts/cluster.sh up} starts on
 * this machine (its kubeconfig in {@code KUBECONFIG}, or found through the script), or any other
 * cluster given by {@code KUBECONFIG} whose nodes can reach {@link #hostAddress()}. Without one the
 * tests are skipped - unless {@code -Dkubegrade.e2e.required=true} (scripts/test.sh sets it), then
 * they fail: CI must not pass by skipping.
 */
public final class Cluster {
  private static Cluster shared;

  private final Path kubeconfig;
  private final String hostAddress;
  private final Runnable imageLoader;
  private final KubernetesClient admin;
  private boolean imagesLoaded;

  private Cluster(Path kubeconfig, String hostAddress, Runnable imageLoader) {
    this.kubeconfig = kubeconfig;
    this.hostAddress = hostAddress;
    this.imageLoader = imageLoader;
    this.admin = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(read(kubeconfig))).build();
  }

  /** Another cluster (k3s in Docker, say): its kubeconfig, and how this checkout's images get onto it. */
  public static Cluster of(Path kubeconfig, Runnable imageLoader) {
    return new Cluster(kubeconfig, null, imageLoader);
  }

  /** The cluster of this test run; skips (or fails, when required) without one. */
  public static synchronized Cluster get() {
    if (shared == null) {
      Map<String, String> env = clusterScriptEnv();
      String path = System.getenv("KUBECONFIG");
      if (path == null || path.isBlank()) {
        path = env.get("KUBECONFIG");
      }
      String host = System.getenv().getOrDefault("KUBEGRADE_CLUSTER_HOST", env.get("KUBEGRADE_CLUSTER_HOST"));
      if (path == null || !Files.isReadable(Path.of(path)) || host == null) {
        String why = "no cluster: start one with `sudo scripts/cluster.sh up` (scripts/test.sh does)";
        if (Boolean.getBoolean("kubegrade.e2e.required")) {
          throw new IllegalStateException(why);
        }
        Assumptions.abort(why);
      }
      shared = new Cluster(Path.of(path), host, () -> run(List.of(root().resolve("scripts/build-images.sh").toString(),
          "--load", "--no-package"), 1800).lines().filter(l -> l.startsWith("image ")).forEach(System.out::println));
    }
    return shared;
  }

  public KubernetesClient admin() {
    return admin;
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  /** Where pods reach services running on this machine (the node's bridge address). */
  public String hostAddress() {
    return hostAddress;
  }

  /** The images of this checkout's jars, built and loaded into the cluster once per test run. */
  public synchronized void loadImages() {
    if (!imagesLoaded) {
      imageLoader.run();
      imagesLoaded = true;
    }
  }

  /** A namespace that enforces Pod Security "restricted", as docs/operations.md tells admins to make. */
  public void restrictedNamespace(String name) {
    Namespace ns = new NamespaceBuilder().withNewMetadata().withName(name)
        .addToLabels("pod-security.kubernetes.io/enforce", "restricted")
        .addToLabels("pod-security.kubernetes.io/enforce-version", "v1.31")
        .addToLabels("pod-security.kubernetes.io/warn", "restricted").endMetadata().build();
    admin.resource(ns).serverSideApply();
  }

  public String kubectl(String... args) {
    List<String> command = new ArrayList<>(List.of(tool("kubectl").toString(), "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    return run(command, 300);
  }

  public String helm(String... args) {
    List<String> command = new ArrayList<>(List.of(tool("helm").toString(), "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    return run(command, 900);
  }

  /** {@code scripts/cluster.sh restart <component>} (containerd, kubelet...) on the local node. */
  public void restart(String component) {
    run(List.of(root().resolve("scripts/cluster.sh").toString(), "restart", component), 120);
  }

  /** {@code scripts/cluster.sh kill <component>}: SIGKILL, as a crash (containerd with its shims). */
  public void crash(String component) {
    run(List.of(root().resolve("scripts/cluster.sh").toString(), "kill", component), 60);
  }

  public static Path root() {
    return Path.of(System.getProperty("kubegrade.root", "..")).toAbsolutePath().normalize();
  }

  static Path tool(String name) {
    return Path.of(System.getenv().getOrDefault("KUBEGRADE_TOOLS", System.getProperty("user.home") + "/.cache/kubegrade/bin"), name);
  }

  /** Runs a command; its output, or an exception with both streams when it fails. */
  public static String run(List<String> command, long timeoutSeconds) {
    try {
      Path out = Files.createTempFile("kubegrade-e2e-", ".out");
      Process p = new ProcessBuilder(command).directory(root().toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
        throw new IllegalStateException(String.join(" ", command) + ": no result within " + timeoutSeconds + "s\n"
            + Files.readString(out));
      }
      String output = Files.readString(out, StandardCharsets.UTF_8);
      Files.deleteIfExists(out);
      if (p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + output);
      }
      return output;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> clusterScriptEnv() {
    Map<String, String> env = new HashMap<>();
    Path script = root().resolve("scripts/cluster.sh");
    if (Files.isExecutable(script)) {
      for (String line : run(List.of(script.toString(), "env"), 30).split("\n")) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          env.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
    }
    return env;
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
