package io.kubegrade.runner.sink;

import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.api.redis.RedisLayout;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes events to Redis through {@link RedisLayout#APPEND_EVENT}: each event is appended to its
 * submission's history list and published on {@link RedisLayout#EVENTS_CHANNEL} atomically, so a
 * subscriber that subscribes first and then reads the history cannot miss an event. The script
 * refuses a sequence number out of turn and anything after the terminal event, so a retried
 * publish never duplicates an event; a terminal event also goes to the durable verdict stream.
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
    RedisClient client = RedisClient.create(RedisURI.create(url));
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
    RedisFuture<Long> sent = connection.async().eval(RedisLayout.APPEND_EVENT, ScriptOutputType.INTEGER,
        RedisLayout.appendEventKeys(event.submissionId()), RedisLayout.appendEventArgs(event));
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
    try {
      CompletableFuture.allOf(waiting.stream().map(RedisFuture::toCompletableFuture).toArray(CompletableFuture[]::new))
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("events were not delivered to Redis: " + e.getMessage(), e);
    }
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
