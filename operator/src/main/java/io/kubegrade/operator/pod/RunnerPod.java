package io.kubegrade.operator.pod;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kubegrade.api.gradingjob.GradingJob;
import io.kubegrade.api.gradingjob.GradingJobLabels;
import io.kubegrade.api.gradingjob.GradingJobSpec;
import io.kubegrade.api.job.Attempt;
import io.kubegrade.api.job.RunnerContract;
import io.kubegrade.operator.OperatorSettings.RunnerPodSettings;
import java.time.Duration;
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
  public static final String TERMINATION_LOG = RunnerContract.DEFAULT_TERMINATION_LOG;
  /** tini reaps Chromium's helpers; kubegrade-runner is the image's wrapper around the jar. */
  public static final java.util.List<String> COMMAND = java.util.List.of("/usr/bin/tini", "--", "kubegrade-runner");
  public static final long RUNNER_UID = 10001;
  public static final String CHALLENGE_ANNOTATION = "kubegrade.io/challenge";

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
    Map<String, String> labels = selectorLabels();
    labels.putAll(jobLabels(job, attempt));
    List<EnvVar> env = new ArrayList<>();
    env.add(plain(RunnerContract.SUBMISSION_ID, spec.submissionId()));
    env.add(plain(RunnerContract.ATTEMPT, String.valueOf(attempt.number())));
    // The attempt's capability: visible to whoever may read pods here (the operator, admins), as
    // the presigned URL is; it lets its holder report this one attempt's events, nothing else.
    env.add(plain(RunnerContract.ATTEMPT_TOKEN, attempt.token()));
    env.add(plain(RunnerContract.CHALLENGE, spec.challenge().document()));
    env.add(plain(RunnerContract.SOURCE_URL, sourceUrl));
    env.addAll(commonEnv());
    return pod(name(job, (int) attempt.number()), job.getMetadata().getNamespace(), labels,
        Map.of(CHALLENGE_ANNOTATION, spec.challenge().id()), timeoutSeconds(job), memory(job), cpu(job), "job", env, null)
        .editMetadata().addToOwnerReferences(owner(job)).endMetadata().build();
  }

  /**
   * An idle warm pod: the runner starts its JVM and browser, prepares a page, and waits for one
   * job under its token (RunnerContract.WARM_TOKEN) - no submission, source or challenge in it, no
   * owner. Default limits; its deadline covers the longest wait and a job's timeout after it, and
   * binding shortens it to the job's ({@link #bind}). Ready once its page is prepared (a startup
   * probe, which stops probing then).
   */
  public Pod buildWarm(String namespace, String name, String token, Duration maxWait) {
    Map<String, String> labels = selectorLabels();
    labels.put(GradingJobLabels.WARM, GradingJobLabels.WARM_IDLE);
    List<EnvVar> env = new ArrayList<>();
    env.add(plain(RunnerContract.WARM_TOKEN, token));
    env.add(plain(RunnerContract.WARM_MAX_WAIT_SECONDS, String.valueOf(maxWait.toSeconds())));
    env.add(plain(RunnerContract.WARM_READY_FILE, RunnerContract.WARM_READY_PATH));
    env.addAll(commonEnv());
    Probe ready = new ProbeBuilder().withNewExec().withCommand("/usr/bin/test", "-e", RunnerContract.WARM_READY_PATH).endExec()
        .withPeriodSeconds(1).withFailureThreshold(WARM_START_BUDGET_SECONDS)
        .withTimeoutSeconds(1).build();
    return pod(name, namespace, labels, Map.of(), maxWait.toSeconds() + MAX_WARM_JOB_SECONDS, settings.defaultMemory(),
        settings.defaultCpu(), "warm", env, ready).build();
  }

  /** A warm pod not ready after this long is restarted by its kubelet - and, never restarted, ends and is replaced. */
  static final int WARM_START_BUDGET_SECONDS = 120;

  /** The longest timeout a job bound to a warm pod may have (a warm pod's deadline must cover it). */
  public static final long MAX_WARM_JOB_SECONDS = 3600;

  /** Whether {@code job} can run on a warm pod: its limits are the defaults idle pods start with. */
  public boolean fitsWarm(GradingJob job) {
    return memory(job).equals(settings.defaultMemory()) && cpu(job).equals(settings.defaultCpu())
        && timeoutSeconds(job) <= MAX_WARM_JOB_SECONDS;
  }

  /**
   * What binding a warm pod to attempt {@code attempt} of {@code job} changes on it: the job's
   * labels and owner reference (from now on it is that job's pod, like one created for it), when
   * it was bound, and a deadline of the job's timeout from now.
   */
  public Pod bind(Pod idle, GradingJob job, Attempt attempt, java.time.Instant now) {
    Map<String, String> labels = new LinkedHashMap<>(idle.getMetadata().getLabels());
    labels.putAll(jobLabels(job, attempt));
    labels.put(GradingJobLabels.WARM, GradingJobLabels.WARM_BOUND);
    String started = idle.getStatus() == null ? null : idle.getStatus().getStartTime();
    long elapsed = started == null ? 0 : Math.max(0, Duration.between(java.time.Instant.parse(started), now).toSeconds() + 1);
    long deadline = elapsed + timeoutSeconds(job);
    Long current = idle.getSpec().getActiveDeadlineSeconds();
    return new PodBuilder(idle)
        .editMetadata()
          .withLabels(labels)
          .addToAnnotations(CHALLENGE_ANNOTATION, job.getSpec().challenge().id())
          .addToAnnotations(GradingJobLabels.BOUND_AT, now.toString())
          .withOwnerReferences(owner(job))
        .endMetadata()
        .editSpec().withActiveDeadlineSeconds(current == null ? deadline : Math.min(current, deadline)).endSpec()
        .build();
  }

  /**
   * What {@link #bind} changed, as a JSON patch (RFC 6902) that sets labels, annotations, owners
   * and the deadline whatever they were - no resourceVersion test: the claim is the lock.
   */
  public static String bindingPatch(Pod bound) {
    List<Map<String, Object>> ops = List.of(
        Map.of("op", "add", "path", "/metadata/labels", "value", bound.getMetadata().getLabels()),
        Map.of("op", "add", "path", "/metadata/annotations", "value", bound.getMetadata().getAnnotations()),
        Map.of("op", "add", "path", "/metadata/ownerReferences", "value", bound.getMetadata().getOwnerReferences()),
        Map.of("op", "add", "path", "/spec/activeDeadlineSeconds", "value", bound.getSpec().getActiveDeadlineSeconds()));
    try {
      return io.kubegrade.api.Json.mapper().writeValueAsString(ops);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The token a warm pod was created with (null for any other pod). */
  public static String warmToken(Pod pod) {
    return pod.getSpec().getContainers().stream().filter(c -> CONTAINER.equals(c.getName())).findFirst()
        .flatMap(c -> c.getEnv().stream().filter(e -> RunnerContract.WARM_TOKEN.equals(e.getName())).findFirst())
        .map(EnvVar::getValue).orElse(null);
  }

  private static Map<String, String> jobLabels(GradingJob job, Attempt attempt) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(GradingJobLabels.INSTANCE, labelValue(job.getMetadata().getName()));
    labels.put(GradingJobLabels.SUBMISSION, labelValue(job.getSpec().submissionId()));
    labels.put(GradingJobLabels.ATTEMPT, String.valueOf(attempt.number()));
    return labels;
  }

  private static io.fabric8.kubernetes.api.model.OwnerReference owner(GradingJob job) {
    return new OwnerReferenceBuilder()
        .withApiVersion(job.getApiVersion()).withKind(job.getKind())
        .withName(job.getMetadata().getName()).withUid(job.getMetadata().getUid())
        .withController(true).withBlockOwnerDeletion(true).build();
  }

  private long timeoutSeconds(GradingJob job) {
    GradingJobSpec.JobLimits limits = job.getSpec().limits();
    return limits != null && limits.timeoutSeconds() != null ? limits.timeoutSeconds() : settings.defaultTimeoutSeconds();
  }

  private String memory(GradingJob job) {
    GradingJobSpec.JobLimits limits = job.getSpec().limits();
    return limits != null && limits.memory() != null ? limits.memory() : settings.defaultMemory();
  }

  private String cpu(GradingJob job) {
    GradingJobSpec.JobLimits limits = job.getSpec().limits();
    return limits != null && limits.cpu() != null ? limits.cpu() : settings.defaultCpu();
  }

  private PodBuilder pod(String name, String namespace, Map<String, String> labels, Map<String, String> annotations,
      long timeout, String memory, String cpu, String mode, List<EnvVar> env, Probe startup) {
    return new PodBuilder()
        .withNewMetadata()
          .withName(name)
          .withNamespace(namespace)
          .withLabels(labels)
          .withAnnotations(annotations.isEmpty() ? null : new LinkedHashMap<>(annotations))
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
            .withArgs(mode)
            .withEnv(env)
            .withStartupProbe(startup)
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
        .endSpec();
  }

  /** What every runner pod's environment holds, job or warm: Redis, where to write, the sandbox. */
  private List<EnvVar> commonEnv() {
    List<EnvVar> env = new ArrayList<>();
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
