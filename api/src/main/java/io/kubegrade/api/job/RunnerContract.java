package io.kubegrade.api.job;

/**
 * The contract between the operator and the runner in a GradingJob's pod (docs/operator.md, "The
 * runner pod"): the environment the operator writes, the exit codes and termination messages the
 * runner answers with. Both sides use these names; nothing else defines them.
 */
public final class RunnerContract {
  /** The submission's id; its events are published under it. */
  public static final String SUBMISSION_ID = "KUBEGRADE_SUBMISSION_ID";
  /** The challenge document (JSON) to grade against. */
  public static final String CHALLENGE = "KUBEGRADE_CHALLENGE";
  /** Which attempt the pod is, and its capability (api.job.Attempt): its events count only with it. */
  public static final String ATTEMPT = "KUBEGRADE_ATTEMPT";
  public static final String ATTEMPT_TOKEN = "KUBEGRADE_ATTEMPT_TOKEN";
  /** A short-lived presigned URL of the source. */
  public static final String SOURCE_URL = "KUBEGRADE_SOURCE_URL";
  public static final String REDIS_URL = "KUBEGRADE_REDIS_URL";
  public static final String REDIS_USERNAME = "KUBEGRADE_REDIS_USERNAME";
  public static final String REDIS_PASSWORD = "KUBEGRADE_REDIS_PASSWORD";
  /** Where the verdict (or why there is none) is written for the kubelet to report. */
  public static final String TERMINATION_LOG = "KUBEGRADE_TERMINATION_LOG";
  /** The termination log's path when {@link #TERMINATION_LOG} does not name one: the kubelet's default. */
  public static final String DEFAULT_TERMINATION_LOG = "/dev/termination-log";
  public static final String WORK_DIR = "KUBEGRADE_WORK_DIR";
  public static final String CHROMIUM_SANDBOX = "KUBEGRADE_CHROMIUM_SANDBOX";
  /**
   * "true": grade only once the pod's NetworkPolicy is in force - the API server (the
   * {@code KUBERNETES_SERVICE_*} address every pod is given) must be unreachable first.
   */
  public static final String REQUIRE_NETWORK_POLICY = "KUBEGRADE_REQUIRE_NETWORK_POLICY";

  /**
   * On a warm pod (started with no job, argument {@code warm}): its capability, 128 random bits
   * in hex. The operator hands the pod its one job under
   * {@link io.kubegrade.api.redis.RedisLayout#warmAssignmentKey}, which only this token names.
   */
  public static final String WARM_TOKEN = "KUBEGRADE_WARM_TOKEN";
  /** On a warm pod: how long it waits for its job before it exits on its own (seconds). */
  public static final String WARM_MAX_WAIT_SECONDS = "KUBEGRADE_WARM_MAX_WAIT_SECONDS";
  /**
   * Where a warm pod creates a file once its browser runs with a page prepared
   * ({@link #WARM_READY_PATH} in the pod); the pod's startup probe tests for it, so the pod turns
   * Ready then (and the operator binds ready pods first).
   */
  public static final String WARM_READY_FILE = "KUBEGRADE_WARM_READY_FILE";
  public static final String WARM_READY_PATH = "/tmp/kubegrade-warm-ready";

  /** Graded (whatever the verdict), or nothing to grade ({@link #ALREADY_GRADED}). */
  public static final int EXIT_GRADED = 0;
  /** The job itself is unusable (bad challenge document, missing variable): retrying cannot help. */
  public static final int EXIT_USAGE = 2;
  /** Graded, and the verdict is INTERNAL_ERROR. */
  public static final int EXIT_INTERNAL_ERROR = 3;
  /** Grading could not begin (source unfetchable, Redis unreachable, sandbox not in force): retry on a fresh pod. */
  public static final int EXIT_CANNOT_START = 4;

  /** The termination message when an earlier attempt, or the gateway, already concluded the submission. */
  public static final String ALREADY_GRADED = "kubegrade: already graded";
  /** The termination message when a later attempt began: this pod's events no longer count. */
  public static final String SUPERSEDED = "kubegrade: superseded";

  /** The termination message of a warm pod that waited its longest and was given no job. */
  public static final String NEVER_BOUND = "kubegrade: no job came";

  private RunnerContract() {}
}
