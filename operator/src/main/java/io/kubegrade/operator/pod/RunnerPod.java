package io.kubegrade.operator.pod;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kubegrade.api.gradingjob.GradingJob;
import io.kubegrade.api.gradingjob.GradingJobLabels;
import io.kubegrade.api.gradingjob.GradingJobSpec;
import io.kubegrade.api.job.Attempt;
import io.kubegrade.api.job.RunnerContract;
import io.kubegrade.operator.OperatorSettings.RunnerPodSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runner pod of one attempt at a job: owned by the job, never restarted, deadline from the
 * job's limits, Pod Security "restricted", read-only root with memory-backed /tmp and /dev/shm, no
 * service-account token, and only what the runner needs - a presigned source URL and Redis
 * credentials from a Secret (docs/operator.md, "The runner pod").
 */
public final class RunnerPod {
  public static final String CONTAINER = "runner";
  public static final String TERMINATION_LOG = "/dev/termination-log";
  /** tini reaps Chromium's helpers; kubegrade-runner is the image's wrapper around the jar. */
  public static final java.util.List<String> COMMAND = java.util.List.of("/usr/bin/tini", "--", "kubegrade-runner");
  public static final long RUNNER_UID = 10001;

  private final RunnerPodSettings settings;

  public RunnerPod(RunnerPodSettings settings) {
    this.settings = settings;
  }

  /** Attempt {@code n}'s pod name: deterministic, so a restarted operator finds what it created. */
  public static String name(GradingJob job, int attempt) {
    String base = job.getMetadata().getName();
    String suffix = "-" + attempt;
    return (base.length() + suffix.length() > 253 ? base.substring(0, 253 - suffix.length()) : base) + suffix;
  }

  public static Map<String, String> selectorLabels() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(GradingJobLabels.NAME, GradingJobLabels.RUNNER_NAME);
    labels.put(GradingJobLabels.COMPONENT, GradingJobLabels.RUNNER_COMPONENT);
    labels.put(GradingJobLabels.PART_OF, GradingJobLabels.PART_OF_VALUE);
    labels.put(GradingJobLabels.MANAGED_BY, GradingJobLabels.OPERATOR);
    return labels;
  }

  public Pod build(GradingJob job, Attempt attempt, String sourceUrl) {
    GradingJobSpec spec = job.getSpec();
    GradingJobSpec.JobLimits limits = spec.limits();
    long timeout = limits != null && limits.timeoutSeconds() != null ? limits.timeoutSeconds() : settings.defaultTimeoutSeconds();
    String memory = limits != null && limits.memory() != null ? limits.memory() : settings.defaultMemory();
    String cpu = limits != null && limits.cpu() != null ? limits.cpu() : settings.defaultCpu();

    Map<String, String> labels = selectorLabels();
    labels.put(GradingJobLabels.INSTANCE, labelValue(job.getMetadata().getName()));
    labels.put(GradingJobLabels.SUBMISSION, labelValue(spec.submissionId()));
    labels.put(GradingJobLabels.ATTEMPT, String.valueOf(attempt.number()));

    return new PodBuilder()
        .withNewMetadata()
          .withName(name(job, (int) attempt.number()))
          .withNamespace(job.getMetadata().getNamespace())
          .withLabels(labels)
          .addToAnnotations("kubegrade.io/challenge", spec.challenge().id())
          .addToOwnerReferences(new OwnerReferenceBuilder()
              .withApiVersion(job.getApiVersion()).withKind(job.getKind())
              .withName(job.getMetadata().getName()).withUid(job.getMetadata().getUid())
              .withController(true).withBlockOwnerDeletion(true).build())
        .endMetadata()
        .withNewSpec()
          .withRestartPolicy("Never")
          .withActiveDeadlineSeconds(timeout)
          .withTerminationGracePeriodSeconds(5L)
          .withServiceAccountName(settings.serviceAccount())
          .withAutomountServiceAccountToken(false)
          .withEnableServiceLinks(false)
          .withRuntimeClassName(settings.runtimeClassName())
          .withNodeSelector(settings.nodeSelector().isEmpty() ? null : settings.nodeSelector())
          .withTolerations(settings.tolerations())
          .withNewSecurityContext()
            .withRunAsNonRoot(true).withRunAsUser(RUNNER_UID).withRunAsGroup(RUNNER_UID).withFsGroup(RUNNER_UID)
            .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
          .endSecurityContext()
          .addNewContainer()
            .withName(CONTAINER)
            .withImage(settings.image())
            .withImagePullPolicy(settings.imagePullPolicy())
            .withCommand(COMMAND)
            .withArgs("job")
            .withEnv(env(job, attempt, sourceUrl))
            .withNewResources()
              .addToRequests("memory", new Quantity(memory))
              .addToRequests("cpu", new Quantity(settings.cpuRequest()))
              .addToLimits("memory", new Quantity(memory))
              .addToLimits("cpu", new Quantity(cpu))
            .endResources()
            .withNewSecurityContext()
              .withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true).withRunAsNonRoot(true)
              .withPrivileged(false)
              .withNewCapabilities().withDrop("ALL").endCapabilities()
            .endSecurityContext()
            .withTerminationMessagePath(TERMINATION_LOG)
            .withTerminationMessagePolicy("FallbackToLogsOnError")
            .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
            .addNewVolumeMount().withName("dshm").withMountPath("/dev/shm").endVolumeMount()
          .endContainer()
          .addNewVolume().withName("tmp")
            .withNewEmptyDir().withMedium("Memory").withSizeLimit(new Quantity(settings.tmpSize())).endEmptyDir()
          .endVolume()
          .addNewVolume().withName("dshm")
            .withNewEmptyDir().withMedium("Memory").withSizeLimit(new Quantity("256Mi")).endEmptyDir()
          .endVolume()
        .endSpec()
        .build();
  }

  private List<EnvVar> env(GradingJob job, Attempt attempt, String sourceUrl) {
    List<EnvVar> env = new ArrayList<>();
    env.add(plain(RunnerContract.SUBMISSION_ID, job.getSpec().submissionId()));
    env.add(plain(RunnerContract.ATTEMPT, String.valueOf(attempt.number())));
    // The attempt's capability: visible to whoever may read pods here (the operator, admins), as
    // the presigned URL is; it lets its holder report this one attempt's events, nothing else.
    env.add(plain(RunnerContract.ATTEMPT_TOKEN, attempt.token()));
    env.add(plain(RunnerContract.CHALLENGE, job.getSpec().challenge().document()));
    env.add(plain(RunnerContract.SOURCE_URL, sourceUrl));
    env.add(plain(RunnerContract.REDIS_URL, settings.redisUrl()));
    if (settings.redisSecret() != null) {
      env.add(secret(RunnerContract.REDIS_USERNAME, settings.redisSecret(), settings.redisUsernameKey()));
      env.add(secret(RunnerContract.REDIS_PASSWORD, settings.redisSecret(), settings.redisPasswordKey()));
    }
    env.add(plain(RunnerContract.TERMINATION_LOG, TERMINATION_LOG));
    env.add(plain(RunnerContract.WORK_DIR, "/tmp/kubegrade"));
    env.add(plain(RunnerContract.CHROMIUM_SANDBOX, String.valueOf(settings.chromiumSandbox())));
    if (settings.requireNetworkPolicy()) {
      env.add(plain(RunnerContract.REQUIRE_NETWORK_POLICY, "true"));
    }
    env.add(plain("HOME", "/tmp"));
    return env;
  }

  private static EnvVar plain(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }

  private static EnvVar secret(String name, String secret, String key) {
    return new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef()
        .withName(secret).withKey(key).withOptional(false).endSecretKeyRef().endValueFrom().build();
  }

  /** Label values are at most 63 characters of [A-Za-z0-9._-], starting and ending alphanumeric. */
  static String labelValue(String s) {
    String v = s.replaceAll("[^A-Za-z0-9._-]", "-");
    if (v.length() > 63) {
      v = v.substring(0, 54) + "-" + Integer.toHexString(s.hashCode());
    }
    return v.replaceAll("^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "");
  }
}
