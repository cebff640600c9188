package io.kubegrade.gateway.challenge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.kubegrade.api.Json;
import io.kubegrade.api.challenge.Challenge;
import io.kubegrade.api.challenge.ChallengeFormat;
import io.kubegrade.api.challenge.InvalidChallengeException;
import io.kubegrade.gateway.GatewayProperties;
import io.kubegrade.gateway.problem.ApiProblem;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.List;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Challenges with hot reads cached in Redis (shared by every gateway replica); every write goes to
 * MongoDB first and then drops the cached copies. A Redis failure only costs the cache.
 */
@Component
public class ChallengeCatalog {
  static final String LIST_KEY = "kubegrade:cache:challenges";

  private final ChallengeStore store;
  private final StatefulRedisConnection<String, String> redis;
  private final SetArgs ttl;

  public ChallengeCatalog(ChallengeStore store, StatefulRedisConnection<String, String> redis, GatewayProperties properties) {
    this.store = store;
    this.redis = redis;
    this.ttl = SetArgs.Builder.ex(properties.challenges().cacheTtl());
  }

  static String key(String id) {
    return "kubegrade:cache:challenge:" + id;
  }

  public Mono<Challenge> get(String id) {
    return redis.reactive().get(key(id)).onErrorResume(e -> Mono.empty())
        .map(json -> read(json, new TypeReference<Challenge>() {}))
        .switchIfEmpty(Mono.defer(() -> store.find(id)
            .flatMap(c -> redis.reactive().set(key(id), write(c), ttl).onErrorResume(e -> Mono.empty()).thenReturn(c))));
  }

  public Mono<Challenge> require(String id) {
    return get(id).switchIfEmpty(Mono.error(() -> ApiProblem.unknownChallenge(id)));
  }

  public Flux<ChallengeSummary> list() {
    return redis.reactive().get(LIST_KEY).onErrorResume(e -> Mono.empty())
        .map(json -> read(json, new TypeReference<List<ChallengeSummary>>() {}))
        .switchIfEmpty(Mono.defer(() -> store.list().collectList()
            .flatMap(l -> redis.reactive().set(LIST_KEY, write(l), ttl).onErrorResume(e -> Mono.empty()).thenReturn(l))))
        .flatMapMany(Flux::fromIterable);
  }

  /** Parses, validates and saves; emits true when created. */
  public Mono<Boolean> save(String yaml, String source, String expectedId) {
    Challenge challenge;
    try {
      challenge = ChallengeFormat.parse(yaml, source);
    } catch (InvalidChallengeException e) {
      return Mono.error(ApiProblem.invalidChallenge(source, e.problems()));
    }
    if (expectedId != null && !expectedId.equals(challenge.id())) {
      return Mono.error(ApiProblem.badRequest("the document's id '" + challenge.id() + "' does not match the path's '"
          + expectedId + "'"));
    }
    return save(challenge);
  }

  public Mono<Boolean> save(Challenge challenge) {
    return store.save(challenge).flatMap(created -> invalidate(challenge.id()).thenReturn(created));
  }

  public Mono<Boolean> saveIfAbsent(Challenge challenge) {
    return store.saveIfAbsent(challenge).flatMap(created -> invalidate(challenge.id()).thenReturn(created));
  }

  public Mono<Boolean> delete(String id) {
    return store.delete(id).flatMap(deleted -> invalidate(id).thenReturn(deleted));
  }

  private Mono<Void> invalidate(String id) {
    return redis.reactive().del(key(id), LIST_KEY).onErrorResume(e -> Mono.empty()).then();
  }

  private static String write(Object value) {
    try {
      return Json.mapper().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static <T> T read(String json, TypeReference<T> type) {
    try {
      return Json.mapper().readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cached value unreadable: " + e.getOriginalMessage(), e);
    }
  }
}
