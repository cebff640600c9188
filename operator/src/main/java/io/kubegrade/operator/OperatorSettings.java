package io.kubegrade.operator;

import com.fasterxml.jackson.core.type.TypeReference;
import io.fabric8.kubernetes.api.model.Toleration;
import io.kubegrade.api.Json;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Everything the operator is configured with, from {@code KUBEGRADE_*} environment variables the
 * Helm chart sets (docs/operator.md lists them). Fails at start-up, with the variable's name, on a
 * value it cannot use.
 */
public record OperatorSettings(
    Set<String> namespaces,
    Admission admission,
    RunnerPodSettings runner,
    WarmPool warmPool,
    Redis redis,
    S3 s3,
    int httpPort,
    boolean leaderElection,
    String leaseNamespace) {

  /**
   * {@code maxRunningPods}: runner pods at once; {@code maxRunningPerUser}: at most this many of
   * them for one user (0: no cap beyond fair ordering). {@code maxAttempts}: pods per job before an
   * infrastructure failure becomes INTERNAL_ERROR. {@code pendingTimeout}: a pod not running
   * after this is given up (unschedulable, image not pulled). {@code finishedTtl}: finished jobs
   * are deleted after this.
   */
  public record Admission(int maxRunningPods, int maxRunningPerUser, int maxAttempts, Duration pendingTimeout,
      Duration finishedTtl) {}

  /** The runner pod's image, placement and defaults for limits a job leaves out. */
  public record RunnerPodSettings(String image, String imagePullPolicy, String serviceAccount, String runtimeClassName,
      Map<String, String> nodeSelector, List<Toleration> tolerations, long defaultTimeoutSeconds, String defaultMemory,
      String defaultCpu, String cpuRequest, String tmpSize, boolean chromiumSandbox, String redisUrl,
      String redisSecret, String redisUsernameKey, String redisPasswordKey, boolean requireNetworkPolicy) {}

  /**
   * Idle runner pods kept ready in each of {@code namespaces}: between {@code min} and {@code max}
   * (scaled from recent demand: WarmPoolDemand), each recycled after {@code maxIdle}. {@code max}
   * 0 turns warm pods off: every job gets a pod created for it. {@code owner}: the operator's own
   * Deployment ("namespace/name", or null), which owns the idle pods in its namespace so they go
   * when it does (helm uninstall).
   */
  public record WarmPool(int min, int max, Duration maxIdle, Set<String> namespaces, String owner) {
    public WarmPool {
      if (max == 0) {
        min = 0; // off
      }
      if (min < 0 || max < min) {
        throw new IllegalArgumentException("KUBEGRADE_WARM_POOL_MIN (" + min + ") and KUBEGRADE_WARM_POOL_MAX (" + max
            + ") must satisfy 0 <= min <= max");
      }
      if (maxIdle.compareTo(Duration.ofMinutes(1)) < 0) {
        throw new IllegalArgumentException("KUBEGRADE_WARM_POOL_MAX_IDLE must be at least 1m, got " + maxIdle);
      }
    }

    public boolean enabled() {
      return max > 0 && !namespaces.isEmpty();
    }
  }

  /** The operator's own Redis connection: it publishes the verdicts runners could not. */
  public record Redis(String url, String username, String password) {}

  /** Where sources are and how to presign them for runners ({@code endpoint} as runners reach it). */
  public record S3(URI endpoint, String region, String accessKey, String secretKey, boolean pathStyle,
      Duration presignTtl) {}

  public static OperatorSettings fromEnvironment(Map<String, String> env) {
    Env e = new Env(env);
    return new OperatorSettings(
        list(e.get("KUBEGRADE_WATCH_NAMESPACES", "")),
        new Admission(e.integer("KUBEGRADE_MAX_RUNNING_PODS", 10), e.integer("KUBEGRADE_MAX_RUNNING_PER_USER", 0),
            e.integer("KUBEGRADE_MAX_ATTEMPTS", 3), e.duration("KUBEGRADE_PENDING_TIMEOUT", "5m"),
            e.duration("KUBEGRADE_FINISHED_TTL", "1h")),
        new RunnerPodSettings(e.get("KUBEGRADE_RUNNER_IMAGE", "ghcr.io/kubegrade/runner:0.1.0"),
            e.get("KUBEGRADE_RUNNER_IMAGE_PULL_POLICY", "IfNotPresent"),
            e.get("KUBEGRADE_RUNNER_SERVICE_ACCOUNT", "kubegrade-runner"),
            emptyToNull(e.get("KUBEGRADE_RUNNER_RUNTIME_CLASS", "")),
            e.json("KUBEGRADE_RUNNER_NODE_SELECTOR", "{}", new TypeReference<Map<String, String>>() {}),
            e.json("KUBEGRADE_RUNNER_TOLERATIONS", "[]", new TypeReference<List<Toleration>>() {}),
            e.integer("KUBEGRADE_RUNNER_TIMEOUT_SECONDS", 120),
            e.get("KUBEGRADE_RUNNER_MEMORY", "1Gi"), e.get("KUBEGRADE_RUNNER_CPU", "1"),
            e.get("KUBEGRADE_RUNNER_CPU_REQUEST", "500m"), e.get("KUBEGRADE_RUNNER_TMP_SIZE", "256Mi"),
            e.bool("KUBEGRADE_RUNNER_CHROMIUM_SANDBOX", false),
            e.get("KUBEGRADE_RUNNER_REDIS_URL", "redis://redis:6379"),
            emptyToNull(e.get("KUBEGRADE_RUNNER_REDIS_SECRET", "")),
            e.get("KUBEGRADE_RUNNER_REDIS_USERNAME_KEY", "runner-username"),
            e.get("KUBEGRADE_RUNNER_REDIS_PASSWORD_KEY", "runner-password"),
            e.bool("KUBEGRADE_RUNNER_REQUIRE_NETWORK_POLICY", false)),
        new WarmPool(e.integer("KUBEGRADE_WARM_POOL_MIN", 2), e.integer("KUBEGRADE_WARM_POOL_MAX", 10),
            e.duration("KUBEGRADE_WARM_POOL_MAX_IDLE", "30m"),
            // Where the pool lives: the namespaces watched, or when every one is, those named here.
            list(e.get("KUBEGRADE_WARM_POOL_NAMESPACES", "")).isEmpty() ? list(e.get("KUBEGRADE_WATCH_NAMESPACES", ""))
                : list(e.get("KUBEGRADE_WARM_POOL_NAMESPACES", "")),
            emptyToNull(e.get("KUBEGRADE_WARM_POOL_OWNER", ""))),
        new Redis(e.get("KUBEGRADE_REDIS_URL", "redis://127.0.0.1:6379"), emptyToNull(e.get("KUBEGRADE_REDIS_USERNAME", "")),
            emptyToNull(e.get("KUBEGRADE_REDIS_PASSWORD", ""))),
        new S3(URI.create(e.get("KUBEGRADE_S3_ENDPOINT", "http://127.0.0.1:9000")), e.get("KUBEGRADE_S3_REGION", "us-east-1"),
            e.get("KUBEGRADE_S3_ACCESS_KEY", ""), e.get("KUBEGRADE_S3_SECRET_KEY", ""),
            e.bool("KUBEGRADE_S3_PATH_STYLE", true), e.duration("KUBEGRADE_S3_PRESIGN_TTL", "10m")),
        e.integer("KUBEGRADE_HTTP_PORT", 8081),
        e.bool("KUBEGRADE_LEADER_ELECTION", false),
        emptyToNull(e.get("KUBEGRADE_LEASE_NAMESPACE", "")));
  }

  private static Set<String> list(String commaSeparated) {
    return Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .collect(Collectors.toUnmodifiableSet());
  }

  private static String emptyToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  /** Durations as 90s, 5m, 1h, 500ms, or ISO-8601 (PT5M). */
  public static Duration parseDuration(String text) {
    String t = text.trim();
    if (t.startsWith("P") || t.startsWith("p")) {
      return Duration.parse(t);
    }
    int split = 0;
    while (split < t.length() && Character.isDigit(t.charAt(split))) {
      split++;
    }
    if (split == 0) {
      throw new IllegalArgumentException("'" + text + "' is not a duration (use 500ms, 90s, 5m or 1h)");
    }
    long n = Long.parseLong(t.substring(0, split));
    return switch (t.substring(split)) {
      case "ms" -> Duration.ofMillis(n);
      case "s", "" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> throw new IllegalArgumentException("'" + text + "' is not a duration (use 500ms, 90s, 5m or 1h)");
    };
  }

  private record Env(Map<String, String> env) {
    String get(String name, String fallback) {
      String v = env.get(name);
      return v == null ? fallback : v;
    }

    int integer(String name, int fallback) {
      try {
        return Integer.parseInt(get(name, String.valueOf(fallback)).trim());
      } catch (NumberFormatException ex) {
        throw new IllegalArgumentException(name + " must be a whole number, got '" + env.get(name) + "'");
      }
    }

    boolean bool(String name, boolean fallback) {
      String v = get(name, String.valueOf(fallback)).trim();
      if (!v.equals("true") && !v.equals("false")) {
        throw new IllegalArgumentException(name + " must be true or false, got '" + v + "'");
      }
      return Boolean.parseBoolean(v);
    }

    Duration duration(String name, String fallback) {
      try {
        return parseDuration(get(name, fallback));
      } catch (RuntimeException ex) {
        throw new IllegalArgumentException(name + ": " + ex.getMessage());
      }
    }

    <T> T json(String name, String fallback, TypeReference<T> type) {
      String v = get(name, fallback);
      try {
        return Json.mapper().copy().disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .readValue(v.isBlank() ? fallback : v, type);
      } catch (Exception ex) {
        throw new IllegalArgumentException(name + " must be JSON (" + ex.getMessage() + ")");
      }
    }
  }
}
