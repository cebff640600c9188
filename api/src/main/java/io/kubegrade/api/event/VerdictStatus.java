package io.kubegrade.api.event;

public enum VerdictStatus {
  ACCEPTED,
  WRONG_ANSWER,
  COMPILE_ERROR,
  RUNTIME_ERROR,
  TIME_LIMIT_EXCEEDED,
  MEMORY_LIMIT_EXCEEDED,
  /** The platform failed, not the submission; it is safe to grade the submission again. */
  INTERNAL_ERROR,
  CANCELLED
}
