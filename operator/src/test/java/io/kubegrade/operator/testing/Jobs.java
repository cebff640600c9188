package io.kubegrade.operator.testing;

import io.kubegrade.api.Json;
import io.kubegrade.api.challenge.ChallengeFormat;
import io.kubegrade.api.gradingjob.GradingJob;
import io.kubegrade.api.gradingjob.GradingJobSpec;
import io.kubegrade.operator.OperatorSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** GradingJobs and operator settings as the tests need them, with real catalogue challenges. */
public final class Jobs {
  private Jobs() {}

  /** The mock API server logs every request at INFO; the tests' own output is what matters. */
  public static void quietMockServer() {
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver.MockWebServer").setLevel(java.util.logging.Level.WARNING);
  }

  public static Path root() {
    return Path.of(System.getProperty("kubegrade.root", "..")).toAbsolutePath().normalize();
  }

  /** The challenge's document as the gateway snapshots it: the parsed challenge as JSON. */
  public static String challengeDocument(String id) {
    try {
      return Json.mapper().writeValueAsString(ChallengeFormat.read(root().resolve("challenges").resolve(id).resolve("challenge.yaml")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static GradingJob job(String namespace, String submissionId, String owner, String challenge) {
    return new GradingJob(namespace, submissionId, new GradingJobSpec(submissionId,
        new GradingJobSpec.ChallengeSnapshot(challenge, challengeDocument(challenge)),
        new GradingJobSpec.SourceLocation("kubegrade", "sources/" + owner + "/" + submissionId + ".jsx"),
        new GradingJobSpec.JobLimits(60L, "1Gi", "1"), owner));
  }

  /** Settings for tests: everything from defaults but what {@code overrides} sets. */
  public static OperatorSettings settings(Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    env.put("KUBEGRADE_HTTP_PORT", "0");
    env.put("KUBEGRADE_RUNNER_IMAGE", "kubegrade/runner:test");
    env.put("KUBEGRADE_RUNNER_REDIS_SECRET", "kubegrade-runner-redis");
    env.put("KUBEGRADE_S3_ACCESS_KEY", "test");
    env.put("KUBEGRADE_S3_SECRET_KEY", "test-secret");
    env.put("KUBEGRADE_WARM_POOL_MAX", "0"); // warm pods: the tests that want them say so
    env.putAll(overrides);
    return OperatorSettings.fromEnvironment(env);
  }
}
