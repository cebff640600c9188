package io.kubegrade.runner.sink;

import io.kubegrade.api.event.GradingEvent;

/**
 * Where a runner's events go. Implementations must keep a submission's events in order; publish
 * should not block on the network ({@link #flush()} waits for what is in flight).
 */
public interface EventSink extends AutoCloseable {

  void publish(GradingEvent event);

  /** Waits until everything published so far has been delivered (or failed loudly). */
  default void flush() {}

  @Override
  default void close() {}

  EventSink DISCARD = event -> {};

  static EventSink all(EventSink... sinks) {
    return new EventSink() {
      @Override
      public void publish(GradingEvent event) {
        for (EventSink s : sinks) {
          s.publish(event);
        }
      }

      @Override
      public void flush() {
        for (EventSink s : sinks) {
          s.flush();
        }
      }

      @Override
      public void close() {
        for (EventSink s : sinks) {
          s.close();
        }
      }
    };
  }
}
