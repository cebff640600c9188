package io.kubegrade.gateway.storage;

import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Reads a Redis stream as one consumer of a group, for ever: first the entries this consumer name
 * was given before a restart, then new ones (a blocking read on a connection of its own), retried
 * with backoff while Redis is away; and every {@code claimEvery} it claims entries another consumer
 * took and left idle past {@code claimIdle} (a gateway that died). Each entry goes to the handler,
 * which acknowledges it - or leaves it pending, to be claimed again. Used for the verdict stream and
 * the runners' inbox.
 */
public final class StreamGroupReader implements Disposable {
  private static final Logger log = LoggerFactory.getLogger(StreamGroupReader.class);

  private final StatefulRedisConnection<String, String> blocking;
  private final Disposable.Composite running = Disposables.composite();
  private volatile boolean reading = true;

  private StreamGroupReader(StatefulRedisConnection<String, String> blocking) {
    this.blocking = blocking;
  }

  /**
   * Starts reading {@code stream} as {@code consumer} of {@code group} (created if missing), up to
   * {@code batch} entries a read and {@code concurrency} handled at once; {@code what} names the
   * entries in logs.
   */
  public static StreamGroupReader start(RedisClient client, StatefulRedisConnection<String, String> redis, String stream,
      String group, String consumer, int batch, int concurrency, Duration claimIdle, Duration claimEvery, String what,
      Function<StreamMessage<String, String>, Mono<Void>> handler) {
    StreamGroupReader reader = new StreamGroupReader(client.connect());
    Consumer<String> me = Consumer.from(group, consumer);
    Flux<StreamMessage<String, String>> own = Flux.defer(() -> reader.blocking.reactive().xreadgroup(me,
        XReadArgs.Builder.count(batch), XReadArgs.StreamOffset.from(stream, "0")));
    Flux<StreamMessage<String, String>> fresh = Flux.defer(() -> reader.blocking.reactive().xreadgroup(me,
            XReadArgs.Builder.count(batch).block(Duration.ofSeconds(2)), XReadArgs.StreamOffset.lastConsumed(stream)))
        .repeat(() -> reader.reading);
    reader.running.add(RedisStreams.ensureGroup(redis, stream, group).thenMany(own.concatWith(fresh))
        .flatMap(handler, concurrency)
        .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(5))
            .filter(e -> reader.reading)
            .doBeforeRetry(s -> log.warn("reading {} failed, retrying: {}", what, s.failure().toString())))
        .subscribe());
    reader.running.add(Flux.interval(claimEvery, claimEvery)
        .onBackpressureDrop()
        .concatMap(t -> redis.reactive().xautoclaim(stream, XAutoClaimArgs.Builder.xautoclaim(me, claimIdle, "0-0").count(batch))
            .flatMapMany(claimed -> Flux.fromIterable(claimed.getMessages()))
            .doOnNext(m -> log.info("taking over {} entry {}, left by another consumer", what, m.getId()))
            .concatMap(handler)
            .onErrorResume(e -> {
              log.warn("claiming abandoned {} failed: {}", what, e.toString());
              return Mono.empty();
            }))
        .subscribe());
    return reader;
  }

  @Override
  public void dispose() {
    reading = false;
    running.dispose();
    blocking.close();
  }

  @Override
  public boolean isDisposed() {
    return running.isDisposed();
  }
}
