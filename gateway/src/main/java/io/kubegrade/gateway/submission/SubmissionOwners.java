package io.kubegrade.gateway.submission;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.kubegrade.api.redis.RedisLayout;
import io.kubegrade.gateway.storage.RedisFailures;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Who owns each submission, asked by every stream client before it subscribes. An owner never
 * changes, so the answer is shared by concurrent asks and remembered; it comes from Redis
 * ({@link RedisLayout#ownerKey}, written at submit, beside the event log) while the log lives and
 * from MongoDB after that. Opening streams thus costs MongoDB nothing while a submission is live:
 * 300 learners opening their own submissions at once waited 3 s for FerretDB's 300 lookups.
 * Absent submissions and failed lookups are not remembered.
 */
@Component
public class SubmissionOwners {
  /** Owners remembered in this gateway, each for {@link #KEPT_FOR}: about 150 bytes an entry. */
  static final int KEPT = 100_000;
  static final Duration KEPT_FOR = Duration.ofMinutes(10);

  private final StatefulRedisConnection<String, String> redis;
  private final SubmissionStore store;
  private final AsyncCache<String, String> owners = Caffeine.newBuilder()
      .maximumSize(KEPT).expireAfterWrite(KEPT_FOR).buildAsync();

  public SubmissionOwners(StatefulRedisConnection<String, String> redis, SubmissionStore store) {
    this.redis = redis;
    this.store = store;
  }

  /** Records the owner of a new submission, before anything tells the world it exists. */
  Mono<Void> record(String id, String user) {
    return redis.reactive().set(RedisLayout.ownerKey(id), user, SetArgs.Builder.ex(RedisLayout.HISTORY_TTL)).then();
  }

  /** Whether {@code user} owns submission {@code id}: false as well for one that does not exist. */
  public Mono<Boolean> isOwnedBy(String id, String user) {
    return Mono.fromFuture(() -> owners.get(id, (key, executor) -> lookUp(key).toFuture()), true)
        .map(user::equals)
        .defaultIfEmpty(false);
  }

  private Mono<String> lookUp(String id) {
    // A Redis restart (a dropped connection, then LOADING) is waited out: a stream opened in that
    // moment is not refused for it.
    return redis.reactive().get(RedisLayout.ownerKey(id))
        .retryWhen(RedisFailures.retryFor(Duration.ofSeconds(10)))
        .switchIfEmpty(Mono.defer(() -> store.find(id).map(Submission::user)));
  }
}
