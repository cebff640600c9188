package io.kubegrade.api.redis;

import io.kubegrade.api.event.GradingEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where kubegrade keeps things in Redis, shared by every process that reads or writes them
 * (docs/events.md). A submission's event log has one owner: {@link #APPEND_EVENT}, which numbers
 * every event itself, refuses writes from any attempt but the current one, and keeps the log
 * gap-free and singly terminated whoever writes.
 *
 * <p>Two kinds of writer: trusted ones (the gateway, the operator) run the script directly;
 * runners - which run hostile code - cannot write the log at all. A runner appends its events to
 * {@link #INBOX_STREAM} with its attempt's capability (an unguessable token the trusted party that
 * began the attempt handed it), and a gateway relays them through the same script, which checks the
 * token against the hash {@link #BEGIN_ATTEMPT} stored. A runner's Redis user ({@link #RUNNER_ACL})
 * can add to the inbox and read which attempt is current; nothing else.
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
  /** What runners report, until a gateway has relayed it into the submission's log ({@link #RELAYS_GROUP}). */
  public static final String INBOX_STREAM = "kubegrade:inbox";
  public static final String RELAYS_GROUP = "relays";
  public static final Duration HISTORY_TTL = Duration.ofHours(24);
  /** Roughly how many entries the verdict stream keeps once recorded (XADD MAXLEN ~). */
  public static final long VERDICT_STREAM_MAX = 100_000;

  /**
   * Appends one event to a submission's log and publishes it, numbering it itself.
   *
   * <p>KEYS: history list, last-seq key, done key, verdict stream, attempt hash. ARGV: the event's
   * JSON without {@code seq} (an object: it starts with a brace), TTL seconds, channel, "1" when
   * terminal, submission id, verdict stream max length, attempt ("" when written for the
   * submission itself - QUEUED, a gateway giving up - rather than for one attempt), the attempt's
   * token ("" for a trusted writer), and with a token the attempt's own event counter (1, 2, ...).
   *
   * <p>Returns the event's seq when appended; 0 when that counter was already appended (a
   * redelivery); -1 when the submission already has its terminal event; -2 when the attempt is
   * not the current one (superseded); -3 when the token is not the attempt's (refused); -4 when the
   * counter is ahead of the next one (an earlier event of the attempt has not arrived yet).
   */
  public static final String APPEND_EVENT = """
      if redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
      if ARGV[7] ~= '' then
        if redis.call('HGET', KEYS[5], 'n') ~= ARGV[7] then return -2 end
        if ARGV[8] ~= '' then
          if redis.call('HGET', KEYS[5], 'h') ~= redis.sha1hex(ARGV[8]) then return -3 end
          local k = tonumber(ARGV[9])
          local last = tonumber(redis.call('HGET', KEYS[5], 'k') or '0')
          if k <= last then return 0 end
          if k > last + 1 then return -4 end
          redis.call('HSET', KEYS[5], 'k', k)
        end
      end
      local seq = redis.call('INCR', KEYS[2])
      redis.call('EXPIRE', KEYS[2], ARGV[2])
      local event = '{"seq":' .. seq .. ',' .. string.sub(ARGV[1], 2)
      redis.call('RPUSH', KEYS[1], event)
      redis.call('EXPIRE', KEYS[1], ARGV[2])
      if ARGV[4] == '1' then
        redis.call('SET', KEYS[3], seq, 'EX', ARGV[2])
        redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[6], '*', 'submissionId', ARGV[5], 'event', event)
      end
      redis.call('PUBLISH', ARGV[3], event)
      return seq
      """;

  /**
   * Begins attempt n of a submission, which fences every earlier one: from now on only attempt n
   * may append. Run by whoever starts an attempt - the gateway for queued jobs, the operator for
   * runner pods - never by a runner. KEYS: attempt hash, done key, and in queue mode the job
   * stream. ARGV: attempt number, the attempt's token ("" for an attempt run by a trusted writer),
   * TTL seconds, and in queue mode the job entry's fields and values: the entry is added in the
   * same step, and first (a script is not rolled back when a command fails), so no attempt is ever
   * begun without its job, or queued without being begun. The
   * hash keeps n, the token's SHA-1 (never the token) and the last event counter appended (k).
   *
   * <p>Returns n when begun; -1 when the submission already has its terminal event; -2 when
   * attempt n or a later one has begun already.
   */
  public static final String BEGIN_ATTEMPT = """
      if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
      local current = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
      local n = tonumber(ARGV[1])
      if n <= current then return -2 end
      if KEYS[3] then
        redis.call('XADD', KEYS[3], '*', unpack(ARGV, 4))
      end
      local hash = ''
      if ARGV[2] ~= '' then hash = redis.sha1hex(ARGV[2]) end
      redis.call('HSET', KEYS[1], 'n', n, 'h', hash, 'k', 0)
      redis.call('EXPIRE', KEYS[1], ARGV[3])
      return n
      """;

  /**
   * Gives a warm runner pod its one job, or takes the pod out of the pool, in one step: the pod is
   * claimed - at most once, ever - and the job, if any, handed to it.
   *
   * <p>KEYS: the pod's claim key and assignment list ({@link #warmClaimKey}, {@link #warmAssignmentKey}).
   * ARGV: who claims (a job's attempt, or "recycle"), the assignment's JSON ("" to claim only), TTL
   * seconds. Returns 1 when claimed now, 0 when this claimant had claimed it already (a retried
   * reconciliation: the assignment was handed over then), -1 when someone else had.
   */
  public static final String ASSIGN_WARM = """
      if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[3]) then
        if redis.call('GET', KEYS[1]) == ARGV[1] then return 0 end
        return -1
      end
      if ARGV[2] ~= '' then
        redis.call('RPUSH', KEYS[2], ARGV[2])
        redis.call('EXPIRE', KEYS[2], ARGV[3])
      end
      return 1
      """;

  /**
   * The Redis user runner pods log in as (docs/operator.md): it may add entries to the inbox - not
   * read it - and read whether its attempt is still the current one and whether the submission is
   * concluded (a hash of attempt number, token hash and counter; a sequence number); a warm pod
   * also waits on and takes from an assignment list ({@link #warmAssignmentKey}), whose name only
   * that pod's token gives. It cannot write any submission's log, the verdict stream, the job
   * stream or any channel, read any event history, source or challenge, list keys, or run scripts.
   */
  public static final String RUNNER_ACL = "on resetkeys resetchannels -@all +@connection +xadd +hget +exists +blpop"
      + " ~kubegrade:inbox %R~kubegrade:submission:*:attempt %R~kubegrade:submission:*:done"
      + " ~kubegrade:warm:*:assignment";

  /**
   * The Redis user warm runner workers (queue mode) log in as: the pod runner's rights, plus
   * taking jobs from the job stream as the runners group (which lets a worker read any queued job:
   * workers share a queue, so they share its jobs - docs/runner.md).
   */
  public static final String WORKER_ACL = RUNNER_ACL.replace(" ~kubegrade:inbox", " ~kubegrade:inbox ~" + JOB_STREAM)
      + " +xreadgroup +xack +xclaim +xdel +xgroup|create";

  private RedisLayout() {}

  /**
   * Where a warm pod's one job is handed to it: named by the SHA-256 of the pod's token
   * (RunnerContract.WARM_TOKEN), so only that pod - and the operator, which reads the token from
   * the pod it created - can name it. The braces keep a pod's two keys in one Redis Cluster slot.
   */
  public static String warmAssignmentKey(String warmToken) {
    return "kubegrade:warm:{" + sha256(warmToken) + "}:assignment";
  }

  /** Who claimed a warm pod (the job's attempt it was given to, or "recycle"): set once, never replaced. */
  public static String warmClaimKey(String warmToken) {
    return "kubegrade:warm:{" + sha256(warmToken) + "}:claim";
  }

  public static String[] assignWarmKeys(String warmToken) {
    return new String[] {warmClaimKey(warmToken), warmAssignmentKey(warmToken)};
  }

  /** {@code assignment}: the job's JSON, or null to take the pod out of the pool without a job. */
  public static String[] assignWarmArgs(String claimant, String assignment) {
    return new String[] {claimant, assignment == null ? "" : assignment, String.valueOf(HISTORY_TTL.toSeconds())};
  }

  private static String sha256(String s) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  public static String historyKey(String submissionId) {
    return "kubegrade:submission:" + submissionId + ":events";
  }

  /**
   * Who owns a submission (the user's name), written by the gateway before its QUEUED event, for
   * {@link #HISTORY_TTL} like the log: a stream opened while the log lives is checked here, without
   * MongoDB. Only gateways write it (no runner's ACL allows SET).
   */
  public static String ownerKey(String submissionId) {
    return "kubegrade:submission:" + submissionId + ":owner";
  }

  public static String lastSeqKey(String submissionId) {
    return "kubegrade:submission:" + submissionId + ":seq";
  }

  public static String doneKey(String submissionId) {
    return "kubegrade:submission:" + submissionId + ":done";
  }

  /** The current attempt of a submission: a hash of n, h (its token's SHA-1) and k (its last event counter). */
  public static String attemptKey(String submissionId) {
    return "kubegrade:submission:" + submissionId + ":attempt";
  }

  public static String[] appendEventKeys(String submissionId) {
    return new String[] {historyKey(submissionId), lastSeqKey(submissionId), doneKey(submissionId), VERDICT_STREAM,
        attemptKey(submissionId)};
  }

  /** A trusted writer's append for the submission itself (any attempt). */
  public static String[] appendEventArgs(GradingEvent event) {
    return appendEventArgs(event, "", "", 0);
  }

  /** A trusted writer's append on behalf of attempt {@code attempt} (refused once another began). */
  public static String[] appendEventArgs(GradingEvent event, long attempt) {
    return appendEventArgs(event, String.valueOf(attempt), "", 0);
  }

  /** A relayed append of a runner's event: its attempt, token and counter (the event's own seq). */
  public static String[] appendEventArgs(GradingEvent event, long attempt, String token) {
    return appendEventArgs(event, String.valueOf(attempt), token, event.seq());
  }

  private static String[] appendEventArgs(GradingEvent event, String attempt, String token, long counter) {
    return new String[] {event.toJsonWithoutSeq(), String.valueOf(HISTORY_TTL.toSeconds()), EVENTS_CHANNEL,
        event.isTerminal() ? "1" : "0", event.submissionId(), String.valueOf(VERDICT_STREAM_MAX), attempt, token,
        String.valueOf(counter)};
  }

  public static String[] beginAttemptKeys(String submissionId) {
    return new String[] {attemptKey(submissionId), doneKey(submissionId)};
  }

  public static String[] beginAttemptArgs(long attempt, String token) {
    return new String[] {String.valueOf(attempt), token == null ? "" : token, String.valueOf(HISTORY_TTL.toSeconds())};
  }

  /** Begins the attempt and adds its job to {@link #JOB_STREAM} in one step. */
  public static String[] queueAttemptKeys(String submissionId) {
    return new String[] {attemptKey(submissionId), doneKey(submissionId), JOB_STREAM};
  }

  public static String[] queueAttemptArgs(long attempt, String token, Map<String, String> job) {
    List<String> args = new ArrayList<>(List.of(beginAttemptArgs(attempt, token)));
    job.forEach((field, value) -> {
      args.add(field);
      args.add(value);
    });
    return args.toArray(String[]::new);
  }

  /** What {@link #BEGIN_ATTEMPT} answered for attempt {@code n}. */
  public enum Begun {
    BEGUN, CONCLUDED, TAKEN;

    public static Begun of(long result, long n) {
      if (result == n) {
        return BEGUN;
      }
      return switch ((int) result) {
        case -1 -> CONCLUDED;
        case -2 -> TAKEN;
        default -> throw new IllegalArgumentException("not a begin result for attempt " + n + ": " + result);
      };
    }
  }

  /** What {@link #ASSIGN_WARM} answered. */
  public enum Claimed {
    CLAIMED, ALREADY_OURS, TAKEN;

    public static Claimed of(long result) {
      return switch ((int) result) {
        case 1 -> CLAIMED;
        case 0 -> ALREADY_OURS;
        case -1 -> TAKEN;
        default -> throw new IllegalArgumentException("not an assign result: " + result);
      };
    }
  }

  /** What {@link #APPEND_EVENT} answered. */
  public enum Appended {
    APPENDED, DUPLICATE, CONCLUDED, SUPERSEDED, REFUSED, OUT_OF_TURN;

    public static Appended of(long result) {
      if (result > 0) {
        return APPENDED;
      }
      return switch ((int) result) {
        case 0 -> DUPLICATE;
        case -1 -> CONCLUDED;
        case -2 -> SUPERSEDED;
        case -3 -> REFUSED;
        case -4 -> OUT_OF_TURN;
        default -> throw new IllegalArgumentException("not an append result: " + result);
      };
    }
  }
}
