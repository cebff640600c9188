package io.kubegrade.runner.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubegrade.api.redis.RedisConnections;
import io.kubegrade.runner.testing.RedisServerProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * The Redis client every component uses, against a real redis-server stopped and started again:
 * its connection's lifecycle is logged (ready, lost, reconnecting, failed attempts, ready again),
 * and its back-off is bounded, so the connection is back within seconds of Redis.
 */
class RedisConnectionsIT {

  /** A logger that keeps what it is told. */
  static final class RecordingLogger extends LegacyAbstractLogger {
    final List<String> lines = new CopyOnWriteArrayList<>();

    RecordingLogger() {
      this.name = "io.kubegrade.redis.test";
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args, Throwable t) {
      lines.add(level + " " + MessageFormatter.basicArrayFormat(pattern, args));
    }

    @Override public boolean isTraceEnabled() {
      return false;
    }

    @Override public boolean isDebugEnabled() {
      return false;
    }

    @Override public boolean isInfoEnabled() {
      return true;
    }

    @Override public boolean isWarnEnabled() {
      return true;
    }

    @Override public boolean isErrorEnabled() {
      return true;
    }

    boolean said(String text) {
      return lines.stream().anyMatch(l -> l.contains(text));
    }
  }

  private static void awaitLine(RecordingLogger log, String text) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!log.said(text)) {
      assertThat(System.nanoTime()).as("'%s' logged; got %s", text, log.lines).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void theConnectionComesBackWithinTheLongestRetryOfRedisAndSaysSoAlongTheWay() throws Exception {
    RedisServerProcess redis = RedisServerProcess.start();
    RecordingLogger log = new RecordingLogger();
    RedisClient client = RedisConnections.client(RedisURI.create(redis.url()), log);
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      assertThat(connection.sync().ping()).isEqualTo("PONG");
      awaitLine(log, "INFO Redis connection ready");

      redis.stopProcess();
      awaitLine(log, "WARN Redis connection lost");
      awaitLine(log, "reconnecting to Redis");
      awaitLine(log, "failed (attempt");
      Thread.sleep(RedisConnections.LONGEST_RETRY.toMillis() + 2000); // the back-off at its longest

      log.lines.clear();
      redis.startProcess();
      long back = System.nanoTime();
      connection.setTimeout(Duration.ofSeconds(1));
      String pong = null;
      while (pong == null) {
        try {
          pong = connection.sync().ping();
        } catch (RedisException e) {
          assertThat(Duration.ofNanos(System.nanoTime() - back)).as("reconnected within the longest retry")
              .isLessThan(RedisConnections.LONGEST_RETRY.plusSeconds(5));
        }
      }
      assertThat(pong).isEqualTo("PONG");
      awaitLine(log, "INFO Redis connection ready");
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      redis.close();
    }
  }
}
