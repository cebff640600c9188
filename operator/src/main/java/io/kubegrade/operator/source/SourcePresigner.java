package io.kubegrade.operator.source;

import io.kubegrade.api.gradingjob.GradingJobSpec.SourceLocation;

/** Turns where a source is into a short-lived URL the runner can GET without credentials. */
public interface SourcePresigner {
  String presign(SourceLocation source);
}
