package io.kubegrade.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.kubegrade.operator.testing.Chart;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart, linted and rendered offline with helm-java: what it renders is parsed and
 * checked - security contexts, the runner NetworkPolicy, RBAC verbs, toggles - and values the
 * schema forbids are rejected with the value's name.
 */
class HelmChartTest {

  private static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static <T extends HasMetadata> T named(List<HasMetadata> objects, Class<T> type, String name) {
    return all(objects, type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
  }

  @Test
  void theChartLintsStrictly() {
    var result = Chart.lint(Map.of());
    assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    assertThat(result.getMessages()).as("lint findings").noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    assertThat(Files.exists(Chart.path().resolve("README.md"))).isTrue();
  }

  @Test
  void everyPodRunsRestrictedAndEveryObjectIsLabelled() {
    List<HasMetadata> objects = Chart.templateWithTestHooks("grading", Map.of());
    assertThat(objects).extracting(o -> o.getKind()).contains("Deployment", "Service", "ServiceAccount", "Role",
        "RoleBinding", "NetworkPolicy", "PodDisruptionBudget", "Secret", "Pod");
    List<PodSpec> pods = Stream.concat(all(objects, Deployment.class).stream().map(d -> d.getSpec().getTemplate().getSpec()),
        all(objects, Pod.class).stream().map(Pod::getSpec)).toList();
    assertThat(pods).hasSize(3).allSatisfy(spec -> {
      assertThat(spec.getSecurityContext().getRunAsNonRoot()).isTrue();
      assertThat(spec.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
      for (Container c : spec.getContainers()) {
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
      }
    });
    objects.stream().filter(o -> !o.getKind().equals("CustomResourceDefinition")).forEach(o ->
        assertThat(o.getMetadata().getLabels()).as(o.getKind() + " " + o.getMetadata().getName())
            .containsEntry("app.kubernetes.io/part-of", "kubegrade").containsKey("app.kubernetes.io/instance")
            .containsKey("app.kubernetes.io/managed-by"));
    assertThat(named(objects, ServiceAccount.class, "kg-kubegrade-runner").getAutomountServiceAccountToken()).isFalse();

    Deployment operator = named(objects, Deployment.class, "kg-kubegrade-operator");
    Map<String, String> env = new java.util.HashMap<>();
    operator.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()
        .forEach(e -> env.put(e.getName(), e.getValue()));
    assertThat(env).containsEntry("KUBEGRADE_RUNNER_SERVICE_ACCOUNT", "kg-kubegrade-runner")
        .containsEntry("KUBEGRADE_RUNNER_IMAGE", "ghcr.io/kubegrade/runner:0.1.0")
        .containsEntry("KUBEGRADE_RUNNER_REDIS_SECRET", "kg-kubegrade-redis")
        .containsEntry("KUBEGRADE_MAX_RUNNING_PODS", "10")
        .containsEntry("KUBEGRADE_WARM_POOL_MIN", "2").containsEntry("KUBEGRADE_WARM_POOL_MAX", "10")
        .containsEntry("KUBEGRADE_WARM_POOL_MAX_IDLE", "30m")
        .containsEntry("KUBEGRADE_WARM_POOL_OWNER", "grading/kg-kubegrade-operator");
    // The pool lives in the release namespace unless told otherwise; what the chart sets, the operator reads.
    assertThat(operator.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
        .filteredOn(e -> e.getName().equals("KUBEGRADE_WARM_POOL_NAMESPACES")).singleElement()
        .satisfies(e -> assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.namespace"));
    env.put("KUBEGRADE_WARM_POOL_NAMESPACES", "grading");
    env.values().removeIf(java.util.Objects::isNull);
    assertThat(io.kubegrade.operator.OperatorSettings.fromEnvironment(env).warmPool())
        .isEqualTo(new io.kubegrade.operator.OperatorSettings.WarmPool(2, 10, java.time.Duration.ofMinutes(30),
            java.util.Set.of("grading"), "grading/kg-kubegrade-operator"));
    Deployment gateway = named(objects, Deployment.class, "kg-kubegrade-gateway");
    assertThat(gateway.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
        .anySatisfy(e -> {
          assertThat(e.getName()).isEqualTo("KUBEGRADE_DISPATCH_MODE");
          assertThat(e.getValue()).isEqualTo("kubernetes");
        });
  }

  @Test
  void runnerPodsMayReachOnlyDnsRedisAndS3AndNothingMayReachThem() {
    NetworkPolicy policy = named(Chart.template("grading", Map.of("redis.port", 6380, "s3.port", 9000,
        "s3.cidr", "10.20.0.0/16")), NetworkPolicy.class, "kg-kubegrade-runner");
    assertThat(policy.getSpec().getPodSelector().getMatchLabels()).containsEntry("app.kubernetes.io/component", "runner")
        .containsEntry("app.kubernetes.io/part-of", "kubegrade");
    assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
    assertThat(policy.getSpec().getIngress()).isEmpty();
    assertThat(policy.getSpec().getEgress()).hasSize(3);
    assertThat(policy.getSpec().getEgress().stream().flatMap(r -> r.getPorts().stream())
        .map(p -> p.getProtocol() + "/" + p.getPort().getIntVal()))
        .containsExactlyInAnyOrder("UDP/53", "TCP/53", "TCP/6380", "TCP/9000");
    assertThat(policy.getSpec().getEgress().get(2).getTo().get(0).getIpBlock().getCidr()).isEqualTo("10.20.0.0/16");
    assertThat(policy.getSpec().getEgress()).allSatisfy(rule -> assertThat(rule.getTo()).isNotEmpty());
    assertThat(Chart.template("grading", Map.of("networkPolicy.enabled", false))).noneMatch(NetworkPolicy.class::isInstance);
  }

  @Test
  void rbacGrantsOnlyWhatEachComponentUses() {
    List<HasMetadata> objects = Chart.template("grading", Map.of());
    Role operator = named(objects, Role.class, "kg-kubegrade-operator");
    assertThat(rules(operator.getRules())).containsExactlyInAnyOrder(
        "kubegrade.io/gradingjobs: get,list,watch,delete",
        "kubegrade.io/gradingjobs/status: get,patch,update",
        "/pods: get,list,watch,create,patch,delete",
        "/events: create,patch");
    assertThat(rules(named(objects, Role.class, "kg-kubegrade-operator-leader").getRules()))
        .containsExactlyInAnyOrder("coordination.k8s.io/leases: get,create,update,patch",
            "apps/deployments[kg-kubegrade-operator]: get");
    assertThat(rules(named(objects, Role.class, "kg-kubegrade-gateway").getRules()))
        .containsExactly("kubegrade.io/gradingjobs: create,get", "/configmaps[kg-kubegrade-gradingjobs]: get");
    assertThat(all(objects, Role.class)).flatExtracting(Role::getRules)
        .allSatisfy(r -> assertThat(r.getVerbs()).doesNotContain("*"))
        .allSatisfy(r -> assertThat(r.getResources()).doesNotContain("secrets", "*"));
    assertThat(objects).noneMatch(ClusterRole.class::isInstance);

    List<HasMetadata> cluster = Chart.template("grading", Map.of("operator.watch", "cluster"));
    assertThat(rules(named(cluster, ClusterRole.class, "kg-kubegrade-operator").getRules())).hasSize(4);
    assertThat(cluster).extracting(HasMetadata::getKind).contains("ClusterRoleBinding");
  }

  private static List<String> rules(List<PolicyRule> rules) {
    return rules.stream().flatMap(r -> r.getResources().stream().map(res ->
        String.join(",", r.getApiGroups()) + "/" + res + (r.getResourceNames().isEmpty() ? "" : r.getResourceNames().toString())
            + ": " + String.join(",", r.getVerbs()))).toList();
  }

  @Test
  void optionalPartsFollowTheirToggles() {
    List<HasMetadata> plain = Chart.template("grading", Map.of());
    assertThat(plain).extracting(HasMetadata::getKind).doesNotContain("Ingress", "HorizontalPodAutoscaler", "ServiceMonitor");
    List<HasMetadata> full = Chart.template("grading", Map.of("gateway.ingress.enabled", true,
        "gateway.autoscaling.enabled", true, "serviceMonitor.enabled", true));
    assertThat(full).extracting(HasMetadata::getKind).contains("Ingress", "HorizontalPodAutoscaler");
    assertThat(Chart.render("grading", Map.of("serviceMonitor.enabled", true))).contains("kind: ServiceMonitor");
    assertThat(named(full, Deployment.class, "kg-kubegrade-gateway").getSpec().getReplicas()).as("the HPA owns replicas").isNull();

    Pod test = named(Chart.templateWithTestHooks("grading", Map.of()), Pod.class, "kg-kubegrade-test-grading");
    assertThat(test.getMetadata().getAnnotations()).containsEntry("kubegrade.io/helm-hook", "test");
    assertThat(test.getSpec().getContainers().get(0).getArgs()).containsExactly("smoke");
    assertThat(Chart.templateWithTestHooks("grading", Map.of("auth.hmacSecret", "", "auth.existingSecret", "", "auth.jwksUrl",
        "https://idp.example.com/jwks"))).noneMatch(Pod.class::isInstance);
  }

  @Test
  void existingSecretsReplaceTheChartsOwn() {
    List<HasMetadata> objects = Chart.template("grading", Map.of("redis.existingSecret", "my-redis",
        "mongodb.existingSecret", "my-mongo", "s3.existingSecret", "my-s3", "auth.existingSecret", "my-auth"));
    assertThat(objects).noneMatch(o -> o.getKind().equals("Secret"));
    assertThat(Chart.render("grading", Map.of("redis.existingSecret", "my-redis"))).contains("name: my-redis");
  }

  @Test
  void corsOriginsReachTheGatewayAndOnlyOriginsAreTaken() {
    Deployment plain = named(Chart.template("grading", Map.of()), Deployment.class, "kg-kubegrade-gateway");
    assertThat(env(plain)).doesNotContainKey("KUBEGRADE_CORS_ALLOWEDORIGINS").containsEntry("KUBEGRADE_CORS_MAXAGE", "30m");
    Deployment listed = named(Chart.template("grading", Map.of("gateway.cors.allowedOrigins[0]", "https://learn.example.com",
        "gateway.cors.allowedOrigins[1]", "https://*.school.example", "gateway.cors.allowedOrigins[2]", "http://localhost:[*]")),
        Deployment.class, "kg-kubegrade-gateway");
    assertThat(env(listed)).containsEntry("KUBEGRADE_CORS_ALLOWEDORIGINS",
        "https://learn.example.com,https://*.school.example,http://localhost:[*]");
    // Origins only (scheme://host[:port], no path, no comma: the gateway reads the list comma-separated).
    assertThatThrownBy(() -> Chart.render("grading", Map.of("gateway.cors.allowedOrigins[0]", "learn.example.com")))
        .hasMessageContaining("allowedOrigins");
  }

  private static Map<String, String> env(Deployment d) {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
    return env;
  }

  @Test
  void valuesTheSchemaForbidsAreRejectedByName() {
    assertThatThrownBy(() -> Chart.render("grading", Map.of("operator.watch", "everything"))).hasMessageContaining("watch");
    assertThatThrownBy(() -> Chart.render("grading", Map.of("auth.hmacSecret", "short"))).hasMessageContaining("hmacSecret");
    assertThatThrownBy(() -> Chart.render("grading", Map.of("gateway.replica", 3))).hasMessageContaining("replica");
    assertThatThrownBy(() -> Chart.render("grading", Map.of("runner.memory", "lots"))).hasMessageContaining("memory");
    assertThatThrownBy(() -> Chart.render("grading", Map.of("operator.pendingTimeout", "soon"))).hasMessageContaining("pendingTimeout");
    assertThatThrownBy(() -> Chart.render("grading", Map.of("redis.runnerPassword", "")))
        .hasMessageContaining("redis.runnerPassword");
  }

}
