package io.kubegrade.runner.job;

/** What a runner pod does, whichever way it got its job ({@link PodJob}: in its environment; {@link WarmPodJob}: given it while waiting). */
public interface PodRun {
  /** Grades the pod's one job; nothing to do when it was concluded meanwhile (or, warm, none came). */
  PodJob.Result run() throws PodJob.CannotStartException;

  /** Where the time went, for the pod's log. */
  String timeline();

  /** Writes why grading could not start where the operator reads it. */
  void reportCannotStart(PodJob.CannotStartException e);
}
