package io.kubegrade.gateway.submission;

import io.kubegrade.api.challenge.Challenge;
import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.api.redis.RedisLayout;
import io.kubegrade.gateway.GatewayProperties;
import io.kubegrade.gateway.challenge.ChallengeCatalog;
import io.kubegrade.gateway.dispatch.Dispatcher;
import io.kubegrade.gateway.ops.Timings;
import io.kubegrade.gateway.problem.ApiProblem;
import io.kubegrade.gateway.storage.ObjectStore;
import io.kubegrade.gateway.stream.EventPublisher;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * Accepting a submission: check the limits, store the source in S3 and the metadata in MongoDB,
 * publish QUEUED, dispatch. If the gateway dies part-way, the sweeper ends the submission with a
 * verdict after {@code kubegrade.submissions.max-wait}; it is never left queued.
 */
@Service
public class SubmissionService {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Logger log = LoggerFactory.getLogger(SubmissionService.class);

  private final SubmissionStore store;
  private final SubmissionOwners owners;
  private final ObjectStore objects;
  private final ChallengeCatalog challenges;
  private final SubmissionRateLimiter limiter;
  private final EventPublisher events;
  private final Dispatcher dispatcher;
  private final StatefulRedisConnection<String, String> redis;
  private final long maxSourceBytes;
  private final Counter accepted;
  private final Map<String, Timer> phases = new HashMap<>();

  public SubmissionService(SubmissionStore store, SubmissionOwners owners, ObjectStore objects, ChallengeCatalog challenges,
      SubmissionRateLimiter limiter, EventPublisher events, Dispatcher dispatcher,
      StatefulRedisConnection<String, String> redis, GatewayProperties properties, MeterRegistry meters) {
    this.store = store;
    this.owners = owners;
    this.objects = objects;
    this.challenges = challenges;
    this.limiter = limiter;
    this.events = events;
    this.dispatcher = dispatcher;
    this.redis = redis;
    this.maxSourceBytes = properties.submissions().maxSourceSize().toBytes();
    this.accepted = Counter.builder("kubegrade.submissions").description("Submissions accepted").register(meters);
    for (String phase : List.of("source", "metadata", "owner", "queued", "dispatch")) {
      phases.put(phase, Timer.builder("kubegrade.submit.phase")
          .description("One phase of accepting a submission: source stored, metadata stored, owner recorded, QUEUED published, dispatched")
          .tag("phase", phase).register(meters));
    }
  }

  /**
   * {@code step} timed as one phase of accepting a submission ({@code kubegrade.submit.phase}):
   * where a submit's time goes, each phase from its start to its end.
   */
  private <T> Mono<T> phase(String name, Mono<T> step) {
    return Timings.timed(step, phases.get(name));
  }

  public Mono<Submission> submit(String user, String challengeId, String source) {
    byte[] bytes = source.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > maxSourceBytes) {
      return Mono.error(ApiProblem.sourceTooLarge(bytes.length, maxSourceBytes));
    }
    return challenges.require(challengeId)
        .flatMap(challenge -> limiter.acquire(user).thenReturn(challenge))
        .flatMap(challenge -> {
          String id = newId();
          String key = ObjectStore.sourceKey(user, challengeId, id);
          Submission submission = new Submission(id, user, challengeId, SubmissionStatus.QUEUED, Instant.now(), null,
              bytes.length, false, null);
          // Source, then metadata, then QUEUED, then the job: each exists only once what it
          // refers to does. A dispatch that fails after QUEUED ends the submission at once.
          return phase("source", objects.put(key, bytes, "text/javascript; charset=utf-8"))
              .then(phase("metadata", store.insert(submission, key)))
              .then(phase("owner", owners.record(id, user)))
              .then(phase("queued", events.queued(id)))
              .then(phase("dispatch", dispatcher.dispatch(id, user, challenge, source, key))
                  .onErrorResume(e -> concludeUndispatched(id, challenge, e)))
              .doOnSuccess(v -> accepted.increment())
              .thenReturn(submission);
        });
  }

  private Mono<Void> concludeUndispatched(String id, Challenge challenge, Throwable cause) {
    log.error("submission {} could not be dispatched; it ends with INTERNAL_ERROR: {}", id, cause.toString());
    Verdict verdict = Verdict.of(VerdictStatus.INTERNAL_ERROR, "the submission could not be handed to a grader",
        challenge.tests().size(), 0);
    return events.conclude(id, verdict).then(Mono.error(ApiProblem.dispatchFailed(id, Duration.ofSeconds(10))));
  }

  /** The submission with its live status: RUNNING once a runner has said STARTED. */
  public Mono<Submission> get(String id, String user) {
    return store.findOwned(id, user)
        .switchIfEmpty(Mono.error(() -> ApiProblem.notFound("submission", id)))
        .flatMap(s -> s.status().isFinal() ? Mono.just(s)
            // Not recorded yet: the log says how far it is - past QUEUED, or concluded already
            // (a client that has the verdict from a stream finds it here too).
            : redis.reactive().lindex(RedisLayout.historyKey(id), -1).map(GradingEvent::fromJson)
                .map(last -> last.isTerminal() && last.verdict() != null ? s.concludedBy(last)
                    : last.seq() > 1 ? s.withStatus(SubmissionStatus.RUNNING) : s)
                .onErrorReturn(s)
                .defaultIfEmpty(s));
  }

  public Mono<ObjectStore.PresignedUrl> sourceUrl(String id, String user) {
    return store.findOwned(id, user)
        .switchIfEmpty(Mono.error(() -> ApiProblem.notFound("submission", id)))
        .map(s -> objects.presignGet(ObjectStore.sourceKey(s.user(), s.challengeId(), s.id())));
  }

  public Mono<ObjectStore.PresignedUrl> screenshotUrl(String id, String user) {
    return store.findOwned(id, user)
        .switchIfEmpty(Mono.error(() -> ApiProblem.notFound("submission", id)))
        .flatMap(s -> (s.hasScreenshot() ? Mono.just(true) : s.status().isFinal() ? Mono.just(false) : verdictInLogHasScreenshot(id))
            .flatMap(has -> has ? Mono.just(objects.presignGet(ObjectStore.screenshotKey(s.user(), s.challengeId(), s.id())))
                : Mono.error(ApiProblem.notFound("screenshot of submission", id))));
  }

  /**
   * Whether the verdict already in the submission's log refers to a screenshot: a client that has
   * just received the verdict may ask before MongoDB has recorded it (the relay stores the image
   * before the verdict enters the log).
   */
  private Mono<Boolean> verdictInLogHasScreenshot(String id) {
    return redis.reactive().lindex(RedisLayout.historyKey(id), -1)
        .map(GradingEvent::fromJson)
        .map(e -> e.isTerminal() && e.verdict() != null && e.verdict().screenshot() != null)
        .onErrorReturn(false)
        .defaultIfEmpty(false);
  }

  static String newId() {
    byte[] b = new byte[12];
    RANDOM.nextBytes(b);
    return "s" + HexFormat.of().formatHex(b);
  }
}
