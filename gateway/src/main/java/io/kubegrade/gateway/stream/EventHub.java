package io.kubegrade.gateway.stream;

import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.api.redis.RedisLayout;
import io.kubegrade.gateway.GatewayProperties;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The gateway's one Redis pub/sub subscription, fanned out to every client stream in this process.
 * A client stream first registers, then reads the submission's history, so nothing published in
 * between is missed; it de-duplicates by sequence number. When Lettuce resubscribes after losing
 * Redis, every open stream re-reads history to pick up what was published while it was away, and
 * a stream that sees a gap in the sequence does the same.
 */
@Component
public class EventHub implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(EventHub.class);

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> redis;
  private final int clientBuffer;
  private final Map<String, Set<ClientStream>> streams = new ConcurrentHashMap<>();
  private final AtomicInteger clients = new AtomicInteger();
  private final Map<String, AtomicInteger> clientsByTransport = new ConcurrentHashMap<>();
  private final MeterRegistry meters;
  private final Timer history;
  private StatefulRedisPubSubConnection<String, String> subscription;
  private volatile boolean running;
  /** Set by stop(), never cleared: before start a stream registers and is caught up on subscribing. */
  private volatile boolean stopped;

  public EventHub(RedisClient client, StatefulRedisConnection<String, String> redis, GatewayProperties properties,
      MeterRegistry meters) {
    this.client = client;
    this.redis = redis;
    this.clientBuffer = properties.stream().clientBuffer();
    this.meters = meters;
    this.history = subscribeTimer(meters, "history");
  }

  /**
   * {@code kubegrade.stream.subscribe}: what opening a stream costs after the handshake, by phase -
   * {@code ownership} (is the submission the caller's) and {@code history} (the first read of its
   * log). The handshake's token check is {@code kubegrade.token.checks}.
   */
  static Timer subscribeTimer(MeterRegistry meters, String phase) {
    return Timer.builder("kubegrade.stream.subscribe").description("Opening an event stream, by phase")
        .tag("phase", phase).register(meters);
  }

  @Override
  public void start() {
    subscription = client.connectPubSub();
    subscription.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String channel, String message) {
        deliver(message);
      }

      @Override
      public void subscribed(String channel, long count) {
        // Also called when Lettuce resubscribes after a reconnect: catch up on what we missed.
        streams.values().forEach(set -> set.forEach(ClientStream::catchUp));
      }
    });
    subscription.async().subscribe(RedisLayout.EVENTS_CHANNEL);
    running = true;
  }

  /**
   * Ends every open stream ({@link GoingAwayException}) and refuses new ones, then drops the
   * subscription. Runs before the web server's graceful shutdown, which otherwise waits its whole
   * timeout for streams that end only with their verdict - or never, for a watcher of a finished one.
   */
  @Override
  public void stop() {
    running = false;
    stopped = true;
    streams.values().forEach(set -> set.forEach(s -> s.fail(new GoingAwayException())));
    if (subscription != null) {
      subscription.close();
    }
  }

  @Override
  public int getPhase() {
    return WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE + 1;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Connected stream clients in this gateway. */
  public int clients() {
    return clients.get();
  }

  /**
   * The events of one submission with {@code seq > afterSeq}: history first, then live, in order,
   * each once, completing after the terminal event. {@code fallback} supplies the terminal event
   * when Redis no longer has the history.
   */
  public Flux<GradingEvent> events(String submissionId, long afterSeq, String transport, Mono<GradingEvent> fallback) {
    AtomicInteger byTransport = clientsByTransport.computeIfAbsent(transport, t -> {
      AtomicInteger n = new AtomicInteger();
      Gauge.builder("kubegrade.stream.clients", n, AtomicInteger::get)
          .description("Clients connected to event streams").tag("transport", t).register(meters);
      return n;
    });
    // The buffer is FluxCreate's; ClientStream counts what sits in it and, past clientBuffer, ends
    // the stream at once (an error queued behind unread events would never reach a client that
    // does not read).
    return Flux.defer(() -> {
      ClientStream stream = new ClientStream(submissionId, afterSeq, redis, fallback, clientBuffer, history);
      return Flux.<GradingEvent>create(sink -> {
            stream.attach(sink);
            streams.computeIfAbsent(submissionId, k -> ConcurrentHashMap.newKeySet()).add(stream);
            clients.incrementAndGet();
            byTransport.incrementAndGet();
            sink.onDispose(() -> {
              clients.decrementAndGet();
              byTransport.decrementAndGet();
              streams.computeIfPresent(submissionId, (k, set) -> {
                set.remove(stream);
                return set.isEmpty() ? null : set;
              });
            });
            if (stopped) {
              stream.fail(new GoingAwayException()); // refused, or stop() ran while it registered
              return;
            }
            stream.catchUp();
          })
          .doOnNext(e -> stream.delivered())
          .takeUntilOther(stream.overflow())
          .concatWith(Mono.defer(() -> stream.overflowed() ? Mono.error(new SlowClientException(clientBuffer)) : Mono.empty()));
    });
  }

  private void deliver(String json) {
    GradingEvent event;
    try {
      event = GradingEvent.fromJson(json);
    } catch (IllegalArgumentException e) {
      log.warn("ignoring a message that is not an event: {}", e.getMessage());
      return;
    }
    Set<ClientStream> watching = streams.get(event.submissionId());
    if (watching != null) {
      watching.forEach(s -> s.offer(event));
    }
  }
}
