package io.kubegrade.api.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisLoadingException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.event.Event;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.event.connection.ConnectionDeactivatedEvent;
import io.lettuce.core.event.connection.ReconnectAttemptEvent;
import io.lettuce.core.event.connection.ReconnectFailedEvent;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * How every component connects to Redis (gateway, operator, runner pods, queue workers): a client
 * that reconnects by itself with exponential back-off from {@link #FIRST_RETRY} to at most
 * {@link #LONGEST_RETRY} between attempts (so a Redis back after an outage is used within seconds,
 * not Lettuce's default 30 s), and logs its connections' lifecycle under the logger
 * {@code io.kubegrade.redis.<component>}: ready (connected and handshaken), lost, reconnecting
 * (attempt, delay), reconnect failed (why). The client owns its resources: shutting it down stops them.
 */
public final class RedisConnections {
  public static final Duration FIRST_RETRY = Duration.ofMillis(100);
  public static final Duration LONGEST_RETRY = Duration.ofSeconds(5);

  private RedisConnections() {}

  public static RedisClient client(String url, String component) {
    return client(RedisURI.create(url), component);
  }

  public static RedisClient client(RedisURI uri, String component) {
    return client(uri, LoggerFactory.getLogger("io.kubegrade.redis." + component));
  }

  /** The same, logging to {@code log}. */
  public static RedisClient client(RedisURI uri, Logger log) {
    ClientResources resources = ClientResources.builder()
        .reconnectDelay(Delay.exponential(FIRST_RETRY, LONGEST_RETRY, 2, TimeUnit.MILLISECONDS))
        .build();
    Disposable logging = resources.eventBus().get().subscribe(event -> log(log, event));
    return new OwningClient(resources, uri, logging);
  }

  /**
   * Whether a Redis failure passes by itself: Redis loading its data after a restart (the command
   * was refused, not done), or the connection dropped or being re-established (the command may or
   * may not have been done) - as opposed to a refused command or a bug. Worth asking again in a
   * moment: a Redis restart takes a second or two.
   */
  public static boolean isMomentary(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof RedisLoadingException || t instanceof RedisConnectionException || t instanceof IOException) {
        return true;
      }
    }
    return false;
  }

  static void log(Logger log, Event event) {
    if (event instanceof ConnectionActivatedEvent e) {
      log.info("Redis connection ready: {}", e.remoteAddress());
    } else if (event instanceof ConnectionDeactivatedEvent e) {
      log.warn("Redis connection lost: {}", e.remoteAddress());
    } else if (event instanceof ReconnectAttemptEvent e) {
      log.info("reconnecting to Redis at {} (attempt {}, after {} ms)", e.remoteAddress(), e.getAttempt(),
          e.getDelay().toMillis());
    } else if (event instanceof ReconnectFailedEvent e) {
      log.warn("reconnecting to Redis at {} failed (attempt {}): {}", e.remoteAddress(), e.getAttempt(),
          e.getCause() == null ? "unknown" : e.getCause().getMessage());
    }
  }

  /** A client whose resources are its own: shut down with it. */
  private static final class OwningClient extends RedisClient {
    private final ClientResources resources;
    private final Disposable logging;

    OwningClient(ClientResources resources, RedisURI uri, Disposable logging) {
      super(resources, uri);
      this.resources = resources;
      this.logging = logging;
    }

    @Override
    public CompletableFuture<Void> shutdownAsync(long quietPeriod, long timeout, TimeUnit timeUnit) {
      return super.shutdownAsync(quietPeriod, timeout, timeUnit).thenCompose(done -> {
        logging.dispose();
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        resources.shutdown(quietPeriod, timeout, timeUnit).addListener(f -> stopped.complete(null));
        return stopped;
      });
    }
  }
}
