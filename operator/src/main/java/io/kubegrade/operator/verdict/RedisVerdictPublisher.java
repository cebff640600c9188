package io.kubegrade.operator.verdict;

import io.kubegrade.api.event.EventSequence;
import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.job.Attempt;
import io.kubegrade.api.redis.RedisLayout;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.Optional;

/**
 * The operator's side of a submission's event log: it begins each runner pod's attempt
 * ({@link RedisLayout#BEGIN_ATTEMPT}: a fresh capability, every earlier attempt fenced) and appends
 * the verdicts it decides itself through {@link RedisLayout#APPEND_EVENT}, which numbers them and
 * refuses a second terminal event - so a runner that published after all, or another operator
 * replica, cannot produce two verdicts. Every call has the connection's short timeout: a
 * reconciliation never hangs on Redis.
 */
public final class RedisVerdictPublisher implements VerdictPublisher {
  private final StatefulRedisConnection<String, String> redis;

  public RedisVerdictPublisher(StatefulRedisConnection<String, String> redis) {
    this.redis = redis;
  }

  @Override
  public Optional<Verdict> existing(String submissionId) {
    RedisCommands<String, String> commands = redis.sync();
    if (commands.exists(RedisLayout.doneKey(submissionId)) == 0) {
      return Optional.empty();
    }
    return Optional.of(published(commands, submissionId, Verdict.of(VerdictStatus.INTERNAL_ERROR,
        "the submission was concluded, and its events have expired", 0, 0)));
  }

  @Override
  public Verdict conclude(String submissionId, Verdict verdict) {
    RedisCommands<String, String> commands = redis.sync();
    GradingEvent event = new EventSequence(submissionId, 1).verdict(verdict);
    Long stored = commands.eval(RedisLayout.APPEND_EVENT, ScriptOutputType.INTEGER,
        RedisLayout.appendEventKeys(submissionId), RedisLayout.appendEventArgs(event));
    return RedisLayout.Appended.of(stored) == RedisLayout.Appended.APPENDED ? verdict : published(commands, submissionId, verdict);
  }

  @Override
  public Optional<Attempt> begin(String submissionId, int attempt) {
    RedisCommands<String, String> commands = redis.sync();
    for (int n = attempt; n < attempt + 10; n++) {
      Attempt candidate = Attempt.begin(submissionId, n);
      Long result = commands.eval(RedisLayout.BEGIN_ATTEMPT, ScriptOutputType.INTEGER,
          RedisLayout.beginAttemptKeys(submissionId), RedisLayout.beginAttemptArgs(n, candidate.token()));
      RedisLayout.Begun begun = RedisLayout.Begun.of(result, n);
      if (begun == RedisLayout.Begun.BEGUN) {
        return Optional.of(candidate);
      }
      if (begun == RedisLayout.Begun.CONCLUDED) {
        return Optional.empty();
      }
      // TAKEN: this number was begun already; try the next.
    }
    throw new IllegalStateException("could not begin an attempt of " + submissionId + " from " + attempt
        + ": ten numbers in a row were taken");
  }

  private static Verdict published(RedisCommands<String, String> commands, String submissionId, Verdict fallback) {
    String last = commands.lindex(RedisLayout.historyKey(submissionId), -1);
    if (last == null) {
      return fallback; // history expired; the done marker alone survives
    }
    GradingEvent event = GradingEvent.fromJson(last);
    return event.verdict() != null ? event.verdict() : fallback;
  }
}
