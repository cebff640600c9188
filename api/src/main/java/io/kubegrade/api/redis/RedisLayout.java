package io.kubegrade.api.redis;

import java.time.Duration;

/**
 * Where kubegrade keeps things in Redis, shared by every process that reads or writes them
 * (docs/events.md). All event writes go through {@link #APPEND_EVENT}, so the rules that keep a
 * submission's stream gap-free and singly-terminated hold whoever writes: the gateway (QUEUED, and
 * a verdict for a submission nobody graded in time), a runner, or the operator.
 */
public final class RedisLayout {
  /** Every event of every submission is published here; subscribers filter by submission id. */
  public static final String EVENTS_CHANNEL = "kubegrade:events";
  /** Jobs for the warm runner pools: a stream read by the consumer group {@link #RUNNERS_GROUP}. */
  public static final String JOB_STREAM = "kubegrade:jobs";
  public static final String RUNNERS_GROUP = "runners";
  /** Every terminal event, durably, until a gateway has recorded it ({@link #GATEWAYS_GROUP}). */
  public static final String VERDICT_STREAM = "kubegrade:verdicts";
  public static final String GATEWAYS_GROUP = "gateways";
  public static final Duration HISTORY_TTL = Duration.ofHours(24);
  /** Roughly how many entries the verdict stream keeps once recorded (XADD MAXLEN ~). */
  public static final long VERDICT_STREAM_MAX = 100_000;

  /**
   * KEYS: history list, last-seq key, done key, verdict stream. ARGV: seq, event JSON, TTL
   * seconds, channel, "1" when terminal, submission id, verdict stream max length.
   * Returns 1 when stored and published; 0 when seq is not the next number (a duplicate or a
   * gap); -1 when the submission already has its terminal event.
   */
  public static final String APPEND_EVENT = """
      if redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
      local last = tonumber(redis.call('GET', KEYS[2]) or '0')
      local seq = tonumber(ARGV[1])
      if seq ~= last + 1 then return 0 end
      redis.call('SET', KEYS[2], seq, 'EX', ARGV[3])
      redis.call('RPUSH', KEYS[1], ARGV[2])
      redis.call('EXPIRE', KEYS[1], ARGV[3])
      if ARGV[5] == '1' then
        redis.call('SET', KEYS[3], seq, 'EX', ARGV[3])
        redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[7], '*', 'submissionId', ARGV[6], 'event', ARGV[2])
      end
      redis.call('PUBLISH', ARGV[4], ARGV[2])
      return 1
      """;

  /**
   * The Redis ACL rules of the user runner pods log in as (docs/operator.md): it can append events
   * through {@link #APPEND_EVENT} - whose commands Redis checks against the caller's ACL - and read
   * where a submission's sequence stands, nothing else: no job stream, no history, no other
   * channel, no configuration.
   */
  public static final String RUNNER_ACL = "on resetkeys resetchannels -@all +@connection +eval +evalsha +get +exists"
      + " +set +rpush +expire +xadd +publish ~kubegrade:submission:*:seq ~kubegrade:submission:*:done"
      + " ~kubegrade:submission:*:events ~kubegrade:verdicts &kubegrade:events";

  private RedisLayout() {}

  public static String historyKey(String submissionId) {
    return "kubegrade:submission:" + submissionId + ":events";
  }

  public static String lastSeqKey(String submissionId) {
    return "kubegrade:submission:" + submissionId + ":seq";
  }

  /** The seq of a submission's next event, from the value at {@link #lastSeqKey} (null: none yet). */
  public static long nextSeq(String lastSeq) {
    return (lastSeq == null ? 0 : Long.parseLong(lastSeq)) + 1;
  }

  public static String doneKey(String submissionId) {
    return "kubegrade:submission:" + submissionId + ":done";
  }

  public static String[] appendEventKeys(String submissionId) {
    return new String[] {historyKey(submissionId), lastSeqKey(submissionId), doneKey(submissionId), VERDICT_STREAM};
  }

  public static String[] appendEventArgs(io.kubegrade.api.event.GradingEvent event) {
    return new String[] {String.valueOf(event.seq()), event.toJson(), String.valueOf(HISTORY_TTL.toSeconds()),
        EVENTS_CHANNEL, event.isTerminal() ? "1" : "0", event.submissionId(), String.valueOf(VERDICT_STREAM_MAX)};
  }
}
