package io.kubegrade.e2e.testing;

import io.fabric8.kubernetes.api.model.Service;
import io.kubegrade.api.gradingjob.GradingJob;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One installation of helm/kubegrade with the real helm binary (scripts/install-servers.sh builds
 * it), in a namespace enforcing Pod Security "restricted", pointed at {@link HostServices}. The
 * tests talk to the gateway as a front end in the cluster's network would: through its Service.
 */
public final class Release {
  public static final String HMAC_SECRET = "e2e-hmac-secret-of-at-least-thirty-two-bytes";
  private static Release shared;

  private final Cluster cluster;
  private final String name;
  private final String namespace;
  private final Map<String, String> serviceValues;

  private Release(Cluster cluster, String name, String namespace, Map<String, String> serviceValues) {
    this.cluster = cluster;
    this.name = name;
    this.namespace = namespace;
    this.serviceValues = serviceValues;
  }

  /**
   * The installation most tests share (release "kg" in "kubegrade-e2e"), installed once per run.
   * One gateway replica, two runner slots (the node has two cores), a short pod deadline margin
   * so the deadline test waits seconds rather than a minute, and no warm runner pods: these tests
   * follow pods created for their jobs (WarmPoolE2E has its own installation with them); everything
   * else the chart's defaults.
   */
  public static synchronized Release shared() {
    if (shared == null) {
      Cluster cluster = Cluster.get();
      Map<String, String> values = new LinkedHashMap<>();
      values.put("gateway.replicas", "1");
      values.put("operator.maxRunningPods", "2");
      values.put("runner.warmPool.max", "0");
      values.put("gateway.env[0].name", "KUBEGRADE_DISPATCH_DEADLINEMARGIN");
      values.put("gateway.env[0].value", "15s");
      shared = install(cluster, "kg", "kubegrade-e2e", values);
    }
    return shared;
  }

  /** Installs, pointed at {@link HostServices}, and waits for gateway and operator. */
  public static Release install(Cluster cluster, String name, String namespace, Map<String, String> values) {
    return install(cluster, HostServices.on(cluster).chartValues(), name, namespace, values);
  }

  /**
   * Installs (replacing an earlier installation of the same name) with {@code serviceValues} for
   * Redis, MongoDB and S3, and waits for gateway and operator.
   */
  public static Release install(Cluster cluster, Map<String, String> serviceValues, String name, String namespace,
      Map<String, String> values) {
    cluster.loadImages();
    Release release = new Release(cluster, name, namespace, serviceValues);
    if (cluster.helm("list", "-n", namespace, "-q").lines().anyMatch(name::equals)) {
      release.uninstall();
    }
    cluster.restrictedNamespace(namespace);
    release.helm("install", values);
    return release;
  }

  public void upgrade(Map<String, String> values) {
    helm("upgrade", values);
  }

  private void helm(String verb, Map<String, String> values) {
    Map<String, String> all = new LinkedHashMap<>(serviceValues);
    all.put("image.pullPolicy", "Never");
    all.put("auth.hmacSecret", HMAC_SECRET);
    all.putAll(values);
    List<String> args = new ArrayList<>(List.of(verb, name, Cluster.root().resolve("helm/kubegrade").toString(),
        "-n", namespace, "--wait", "--timeout", "10m"));
    // --set types values as YAML does (numbers, booleans), which the chart's schema checks.
    all.forEach((k, v) -> {
      args.add("--set");
      args.add(k + "=" + v.replace("\\", "\\\\").replace(",", "\\,"));
    });
    cluster.helm(args.toArray(String[]::new));
  }

  /** Until the gateway and the operator are Ready again (after a fault took them down, say). */
  public void awaitReady(java.time.Duration within) {
    for (String component : List.of("gateway", "operator")) {
      cluster.admin().apps().deployments().inNamespace(namespace).withName(fullname() + "-" + component)
          .waitUntilCondition(d -> d.getStatus() != null && d.getStatus().getReadyReplicas() != null
              && d.getStatus().getReadyReplicas() >= 1, within.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  /** {@code helm test}: the chart's own check submits a known-good solution and waits for ACCEPTED. */
  public String test() {
    return cluster.helm("test", name, "-n", namespace, "--timeout", "10m");
  }

  public void uninstall() {
    cluster.helm("uninstall", name, "-n", namespace, "--wait", "--timeout", "5m");
  }

  public String name() {
    return name;
  }

  public String namespace() {
    return namespace;
  }

  public String fullname() {
    return name.contains("kubegrade") ? name : name + "-kubegrade";
  }

  public Cluster cluster() {
    return cluster;
  }

  /** The gateway's Service, as a client inside the cluster's network reaches it. */
  public URI gateway() {
    Service service = cluster.admin().services().inNamespace(namespace).withName(fullname() + "-gateway").get();
    return URI.create("http://" + service.getSpec().getClusterIP() + ":8080");
  }

  public Learner learner(String user) {
    return new Learner(gateway(), HMAC_SECRET, user);
  }

  public GradingJob job(String submissionId) {
    return cluster.admin().resources(GradingJob.class).inNamespace(namespace).withName(submissionId).get();
  }
}
