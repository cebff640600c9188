package io.kubegrade.runner.sink;

import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.api.redis.RedisConnections;
import io.kubegrade.api.redis.RedisLayout;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes events straight into their submission's log through {@link RedisLayout#APPEND_EVENT}, as
 * a trusted writer: the command line's {@code grade --redis}, on a Redis of one's own. (Runners in
 * pods and warm pools report through {@link InboxEventSink} instead: they may not write logs.) The
 * script numbers each event, appends it to the history and publishes it atomically, so a
 * subscriber that subscribes first and then reads the history cannot miss one, and refuses
 * anything after the terminal event. There is no object store here: a verdict's inline screenshot
 * is dropped.
 */
public final class RedisEventSink implements EventSink {
  public static final String CHANNEL = RedisLayout.EVENTS_CHANNEL;
  public static final Duration HISTORY_TTL = RedisLayout.HISTORY_TTL;
  private static final Logger log = LoggerFactory.getLogger(RedisEventSink.class);

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final boolean ownsClient;
  private final List<RedisFuture<Long>> inFlight = new ArrayList<>();

  private RedisEventSink(RedisClient client, StatefulRedisConnection<String, String> connection, boolean ownsClient) {
    this.client = client;
    this.connection = connection;
    this.ownsClient = ownsClient;
  }

  /** A sink with its own client and connection, both closed with it. */
  public static RedisEventSink connect(String url) {
    RedisClient client = RedisConnections.client(url, "runner");
    return new RedisEventSink(client, client.connect(), true);
  }

  /** A sink over a connection someone else owns: closing the sink only flushes. */
  public static RedisEventSink over(StatefulRedisConnection<String, String> shared) {
    return new RedisEventSink(null, shared, false);
  }

  public static String historyKey(String submissionId) {
    return RedisLayout.historyKey(submissionId);
  }

  @Override
  public void publish(GradingEvent event) {
    GradingEvent stored = event.verdict() == null ? event : event.withVerdict(event.verdict().withoutScreenshot());
    RedisFuture<Long> sent = connection.async().eval(RedisLayout.APPEND_EVENT, ScriptOutputType.INTEGER,
        RedisLayout.appendEventKeys(event.submissionId()), RedisLayout.appendEventArgs(stored));
    synchronized (inFlight) {
      inFlight.add(sent);
    }
  }

  @Override
  public void flush() {
    List<RedisFuture<Long>> waiting;
    synchronized (inFlight) {
      waiting = new ArrayList<>(inFlight);
      inFlight.clear();
    }
    Delivered.awaitAll(waiting);
  }

  @Override
  public void close() {
    try {
      flush();
    } catch (IllegalStateException e) {
      log.error(e.getMessage());
    }
    if (ownsClient) {
      connection.close();
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
