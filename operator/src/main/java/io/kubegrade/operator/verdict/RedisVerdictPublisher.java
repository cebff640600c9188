package io.kubegrade.operator.verdict;

import io.kubegrade.api.event.EventSequence;
import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.redis.RedisLayout;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * Appends the verdict through the shared {@link RedisLayout#APPEND_EVENT} script, continuing the
 * submission's sequence: the script refuses a second terminal event and any gap, so a runner that
 * published after all, or another operator replica, cannot produce two verdicts.
 */
public final class RedisVerdictPublisher implements VerdictPublisher {
  private final StatefulRedisConnection<String, String> redis;

  public RedisVerdictPublisher(StatefulRedisConnection<String, String> redis) {
    this.redis = redis;
  }

  @Override
  public java.util.Optional<Verdict> existing(String submissionId) {
    RedisCommands<String, String> commands = redis.sync();
    if (commands.exists(RedisLayout.doneKey(submissionId)) == 0) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(published(commands, submissionId, Verdict.of(VerdictStatus.INTERNAL_ERROR,
        "the submission was concluded, and its events have expired", 0, 0)));
  }

  @Override
  public Verdict conclude(String submissionId, Verdict verdict) {
    RedisCommands<String, String> commands = redis.sync();
    for (int attempt = 0; attempt < 5; attempt++) {
      if (commands.exists(RedisLayout.doneKey(submissionId)) > 0) {
        return published(commands, submissionId, verdict);
      }
      long next = RedisLayout.nextSeq(commands.get(RedisLayout.lastSeqKey(submissionId)));
      GradingEvent event = new EventSequence(submissionId, next).verdict(verdict);
      Long stored = commands.eval(RedisLayout.APPEND_EVENT, ScriptOutputType.INTEGER,
          RedisLayout.appendEventKeys(submissionId), RedisLayout.appendEventArgs(event));
      if (stored != null && stored == 1) {
        return verdict;
      }
      // 0: someone appended meanwhile; -1: someone concluded meanwhile. Look again.
    }
    throw new IllegalStateException("could not append the verdict of " + submissionId + ": the stream kept changing");
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
