package io.kubegrade.runner.testing;

import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.runner.sink.EventSink;
import java.util.ArrayList;
import java.util.List;

/** Keeps every event it is given, in order. */
public final class CollectingSink implements EventSink {
  private final List<GradingEvent> events = new ArrayList<>();

  @Override
  public synchronized void publish(GradingEvent event) {
    events.add(event);
  }

  public synchronized List<GradingEvent> events() {
    return List.copyOf(events);
  }
}
