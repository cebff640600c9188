package io.kubegrade.runner.sink;

import io.kubegrade.api.event.GradingEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the verdict to a file - in Kubernetes, the pod's termination-message path, which the
 * kubelet caps at 4 KiB - so the operator learns the verdict even if Redis never saw it.
 */
public final class TerminationMessageSink implements EventSink {
  public static final int MAX_BYTES = 4096;
  private final Path file;

  public TerminationMessageSink(Path file) {
    this.file = file;
  }

  @Override
  public void publish(GradingEvent event) {
    if (!event.isTerminal()) {
      return;
    }
    try {
      Files.writeString(file, event.verdict().toBoundedJson(MAX_BYTES), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the termination message to " + file, e);
    }
  }
}
