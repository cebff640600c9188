package io.kubegrade.runner.sink;

import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.api.job.Attempt;
import io.kubegrade.api.redis.InboxEntry;
import io.kubegrade.api.redis.RedisConnections;
import io.kubegrade.api.redis.RedisLayout;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * How a runner reports: each event is added to {@link RedisLayout#INBOX_STREAM} with its attempt's
 * capability, for a gateway to relay into the submission's log (which numbers it and checks the
 * capability). A runner's Redis user can do nothing more (RedisLayout.RUNNER_ACL). With each event
 * the sink also asks - in the same round trip - whether its attempt is still the current one and
 * the submission still open; when it is not, the next publish (or flush) throws
 * {@link AttemptSupersededException} and the runner stops grading. A terminal event waits for a
 * check of its own first. (The gateway's relay checks the capability again, atomically: this only
 * spares it work and the learner a stale verdict in flight.)
 */
public final class InboxEventSink implements EventSink {
  private final StatefulRedisConnection<String, String> connection;
  private final Attempt attempt;
  private final List<Delivered.Sent> inFlight = new ArrayList<>();
  private RedisFuture<String> currentAttempt;
  private RedisFuture<Long> concluded;
  private boolean terminalSent;

  public InboxEventSink(StatefulRedisConnection<String, String> connection, Attempt attempt) {
    this.connection = connection;
    this.attempt = attempt;
  }

  /** Throws {@link AttemptSupersededException} unless {@code attempt} is current and its submission open. */
  public static void requireCurrent(RedisCommands<String, String> redis, Attempt attempt) {
    check(attempt, redis.hget(RedisLayout.attemptKey(attempt.submissionId()), "n"),
        redis.exists(RedisLayout.doneKey(attempt.submissionId())));
  }

  @Override
  public synchronized void publish(GradingEvent event) {
    if (event.isTerminal()) {
      // A verdict is worth one round trip: asked now, not with the last event (which may be a
      // second old), so an attempt superseded meanwhile does not send it at all.
      askWhetherCurrent();
    }
    raiseIfSuperseded(event.isTerminal());
    Map<String, String> fields = new InboxEntry(attempt, event).fields();
    inFlight.add(new Delivered.Sent(connection.async().xadd(RedisLayout.INBOX_STREAM, fields),
        () -> connection.async().xadd(RedisLayout.INBOX_STREAM, fields)));
    if (event.isTerminal()) {
      terminalSent = true;
    } else {
      askWhetherCurrent();
    }
  }

  private void askWhetherCurrent() {
    currentAttempt = connection.async().hget(RedisLayout.attemptKey(attempt.submissionId()), "n");
    concluded = connection.async().exists(RedisLayout.doneKey(attempt.submissionId()));
  }

  @Override
  public void flush() {
    List<Delivered.Sent> waiting;
    synchronized (this) {
      waiting = new ArrayList<>(inFlight);
      inFlight.clear();
    }
    Delivered.awaitEach(waiting);
    synchronized (this) {
      raiseIfSuperseded(true);
    }
  }

  /** Looks at the last check (waiting for it only when asked to). */
  private void raiseIfSuperseded(boolean wait) {
    if (currentAttempt == null || terminalSent) {
      return;
    }
    if (!wait && !(currentAttempt.isDone() && concluded.isDone())) {
      return;
    }
    try {
      check(attempt, currentAttempt.get(10, TimeUnit.SECONDS), concluded.get(10, TimeUnit.SECONDS));
    } catch (AttemptSupersededException e) {
      throw e;
    } catch (ExecutionException e) {
      if (!RedisConnections.isMomentary(e.getCause())) {
        throw new IllegalStateException("could not check the attempt is current: " + e.getMessage(), e);
      }
      // Redis restarting (its connection dropped, or loading its data): ask again - now, once
      // the events are in, for as long as that lasts (within the sink's patience).
      currentAttempt = null;
      if (wait) {
        Delivered.untilAnswered(() -> requireCurrent(connection.sync(), attempt));
      }
    } catch (Exception e) {
      throw new IllegalStateException("could not check the attempt is current: " + e.getMessage(), e);
    }
  }

  private static void check(Attempt attempt, String current, Long done) {
    if (!String.valueOf(attempt.number()).equals(current)) {
      throw new AttemptSupersededException(attempt, current == null ? "no attempt is current"
          : "attempt " + current + " is the current one");
    }
    if (done != null && done > 0) {
      throw new AttemptSupersededException(attempt, "the submission was concluded meanwhile");
    }
  }
}
