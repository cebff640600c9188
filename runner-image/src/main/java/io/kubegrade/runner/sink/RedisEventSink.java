package io.kubegrade.runner.sink;

import io.kubegrade.api.event.GradingEvent;
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
 * Publishes events to Redis. Each event is appended to its submission's history list and then
 * published on {@value #CHANNEL}, atomically, in one script: a subscriber that subscribes first and
 * then reads the history cannot miss an event, and de-duplicates by {@code seq}. The script refuses
 * a sequence number it has already stored, so a retried publish never duplicates an event.
 */
public final class RedisEventSink implements EventSink {
  public static final String CHANNEL = "kubegrade:events";
  public static final Duration HISTORY_TTL = Duration.ofHours(24);
  private static final Logger log = LoggerFactory.getLogger(RedisEventSink.class);

  static final String APPEND_AND_PUBLISH = """
      local last = tonumber(redis.call('GET', KEYS[2]) or '0')
      local seq = tonumber(ARGV[1])
      if seq <= last then return 0 end
      redis.call('SET', KEYS[2], seq, 'EX', ARGV[3])
      redis.call('RPUSH', KEYS[1], ARGV[2])
      redis.call('EXPIRE', KEYS[1], ARGV[3])
      redis.call('PUBLISH', ARGV[4], ARGV[2])
      return 1
      """;

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final boolean ownsClient;
  private final List<RedisFuture<Long>> inFlight = new ArrayList<>();

  public RedisEventSink(RedisClient client, StatefulRedisConnection<String, String> connection, boolean ownsClient) {
    this.client = client;
    this.connection = connection;
    this.ownsClient = ownsClient;
  }

  public static RedisEventSink connect(String url) {
    RedisClient client = RedisClient.create(RedisURI.create(url));
    return new RedisEventSink(client, client.connect(), true);
  }

  public static String historyKey(String submissionId) {
    return "kubegrade:submission:" + submissionId + ":events";
  }

  public static String lastSeqKey(String submissionId) {
    return "kubegrade:submission:" + submissionId + ":seq";
  }

  @Override
  public void publish(GradingEvent event) {
    RedisFuture<Long> sent = connection.async().eval(APPEND_AND_PUBLISH, ScriptOutputType.INTEGER,
        new String[] {historyKey(event.submissionId()), lastSeqKey(event.submissionId())},
        String.valueOf(event.seq()), event.toJson(), String.valueOf(HISTORY_TTL.toSeconds()), CHANNEL);
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
    connection.close();
    if (ownsClient) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
