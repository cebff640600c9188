package io.kubegrade.gateway.stream;

import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.gateway.ops.Timings;
import io.kubegrade.api.redis.RedisLayout;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** One client's view of one submission: emits each event once, in sequence order. */
final class ClientStream {
  private final String submissionId;
  private FluxSink<GradingEvent> sink;
  private final StatefulRedisConnection<String, String> redis;
  private final Mono<GradingEvent> fallback;
  private final AtomicBoolean catchingUp = new AtomicBoolean();
  private final AtomicBoolean again = new AtomicBoolean();
  private final int bufferLimit;
  private final AtomicInteger undelivered = new AtomicInteger();
  private final Sinks.One<Boolean> overflow = Sinks.one();
  private Timer firstRead;
  /** After a failed catch-up read, the next is tried this much later (doubling, up to the longest). */
  private static final Duration FIRST_RETRY = Duration.ofMillis(100);
  private static final Duration LONGEST_RETRY = Duration.ofSeconds(2);
  private Duration retryDelay = FIRST_RETRY;
  private volatile boolean overflowed;
  private long last;
  private boolean done;

  ClientStream(String submissionId, long afterSeq, StatefulRedisConnection<String, String> redis,
      Mono<GradingEvent> fallback, int bufferLimit, Timer firstRead) {
    this.submissionId = submissionId;
    this.firstRead = firstRead;
    this.last = afterSeq;
    this.redis = redis;
    this.fallback = fallback;
    this.bufferLimit = bufferLimit;
  }

  synchronized void attach(FluxSink<GradingEvent> sink) {
    this.sink = sink;
  }

  /** The client took one event from the buffer. */
  void delivered() {
    undelivered.decrementAndGet();
  }

  /** Emits once the client has fallen more than the buffer behind. */
  Mono<Boolean> overflow() {
    return overflow.asMono();
  }

  boolean overflowed() {
    return overflowed;
  }

  /** A live event: emitted if it is the next one; a gap means history has what we missed. */
  void offer(GradingEvent event) {
    boolean gap;
    synchronized (this) {
      if (done || event.seq() <= last) {
        return;
      }
      gap = event.seq() != last + 1;
      if (!gap) {
        emit(event);
      }
    }
    if (gap) {
      catchUp();
    }
  }

  /** Reads the history after the last emitted event; one read at a time, repeated if asked meanwhile. */
  void catchUp() {
    if (!catchingUp.compareAndSet(false, true)) {
      again.set(true);
      return;
    }
    long from;
    synchronized (this) {
      if (done) {
        catchingUp.set(false);
        return;
      }
      from = last;
    }
    Timer timer = firstRead;
    firstRead = null; // only the read a stream opens with is the subscribe's
    // History index i holds seq i+1 (the script appends strictly in sequence).
    Mono<List<GradingEvent>> read = redis.reactive().lrange(RedisLayout.historyKey(submissionId), from, -1)
        .map(GradingEvent::fromJson)
        .collectList()
        .flatMap(events -> events.isEmpty() ? nothingAfter(from) : Mono.just(events));
    (timer == null ? read : Timings.timed(read, timer))
        .subscribe(events -> events.forEach(this::offerFromHistory),
            error -> {
              catchingUp.set(false);
              // Redis is away: the resubscription after reconnecting calls catchUp again - but that
              // read may itself meet Redis still loading its data, and then nothing would call it
              // again: read again after a moment, for as long as the stream is open.
              retryCatchUp();
            },
            () -> {
              catchingUp.set(false);
              synchronized (this) {
                retryDelay = FIRST_RETRY;
              }
              if (again.getAndSet(false)) {
                catchUp();
              }
            });
  }

  private void retryCatchUp() {
    Duration delay;
    synchronized (this) {
      if (done) {
        return;
      }
      delay = retryDelay;
      retryDelay = retryDelay.multipliedBy(2).compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : retryDelay.multipliedBy(2);
    }
    Mono.delay(delay).subscribe(tick -> catchUp());
  }

  /**
   * The history has nothing after {@code from}. From the start, that is a log Redis forgot: the
   * stored verdict, if any. Later, it may be a client resuming at or after the terminal event (a
   * browser's Last-Event-ID once the verdict came): the stream completes at once rather than
   * waiting for an event that will never come.
   */
  private Mono<List<GradingEvent>> nothingAfter(long from) {
    if (from == 0) {
      return fallback.map(List::of).defaultIfEmpty(List.of());
    }
    return redis.reactive().get(RedisLayout.doneKey(submissionId))
        .map(terminalSeq -> {
          completeIfEndedBy(Long.parseLong(terminalSeq));
          return List.<GradingEvent>of();
        })
        .switchIfEmpty(fallback.map(terminal -> {
          completeIfEndedBy(terminal.seq());
          return List.of(terminal);
        }))
        .defaultIfEmpty(List.of());
  }

  private synchronized void completeIfEndedBy(long terminalSeq) {
    if (!done && terminalSeq <= last) {
      done = true;
      sink.complete();
    }
  }

  private synchronized void offerFromHistory(GradingEvent event) {
    if (!done && event.seq() > last && (event.seq() == last + 1 || event.isTerminal())) {
      emit(event);
    }
  }

  private void emit(GradingEvent event) {
    last = event.seq();
    if (undelivered.incrementAndGet() > bufferLimit) {
      done = true;
      overflowed = true;
      overflow.tryEmitValue(true);
      return;
    }
    sink.next(event);
    if (event.isTerminal()) {
      done = true;
      sink.complete();
    }
  }

  synchronized void fail(Throwable error) {
    if (!done) {
      done = true;
      sink.error(error);
    }
  }
}
