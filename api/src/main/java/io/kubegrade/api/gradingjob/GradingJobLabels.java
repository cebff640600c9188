package io.kubegrade.api.gradingjob;

/** Labels and condition types everyone who reads or selects GradingJob pods agrees on. */
public final class GradingJobLabels {
  public static final String NAME = "app.kubernetes.io/name";
  public static final String INSTANCE = "app.kubernetes.io/instance";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String PART_OF = "app.kubernetes.io/part-of";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String SUBMISSION = "kubegrade.io/submission";
  public static final String ATTEMPT = "kubegrade.io/attempt";
  /**
   * On warm runner pods: {@link #WARM_IDLE} while the pod waits for a job (no owner, no
   * submission), {@link #WARM_BOUND} once the operator bound it to one - then it carries the job's
   * labels and owner reference like any runner pod. Absent on pods created for a job.
   */
  public static final String WARM = "kubegrade.io/warm";
  public static final String WARM_IDLE = "idle";
  public static final String WARM_BOUND = "bound";
  /** On a bound warm pod: when it was bound (RFC 3339); its grading started then, not when the pod did. */
  public static final String BOUND_AT = "kubegrade.io/bound-at";

  public static final String RUNNER_NAME = "kubegrade-runner";
  public static final String RUNNER_COMPONENT = "runner";
  public static final String PART_OF_VALUE = "kubegrade";
  public static final String OPERATOR = "kubegrade-operator";

  /**
   * Condition types: Admitted (a pod exists), Started (the runner runs), Completed (a verdict
   * stands), Failed (set with Completed: True when the platform could not grade - INTERNAL_ERROR
   * or CANCELLED - False when the submission was graded, whatever its verdict).
   */
  public static final String ADMITTED = "Admitted";
  public static final String STARTED = "Started";
  public static final String COMPLETED = "Completed";
  public static final String FAILED = "Failed";
  /** False while the operator cannot reconcile the job (Redis or the API server failing); why, in its message. */
  public static final String RECONCILED = "Reconciled";

  private GradingJobLabels() {}
}
