package io.kubegrade.gateway.ops;

import io.kubegrade.api.challenge.ChallengeFormat;
import io.kubegrade.gateway.GatewayProperties;
import io.kubegrade.gateway.challenge.ChallengeCatalog;
import io.kubegrade.gateway.dispatch.RedisQueueDispatcher;
import io.kubegrade.gateway.storage.ObjectStore;
import io.kubegrade.gateway.stream.InboxRelay;
import io.kubegrade.gateway.submission.SubmissionStore;
import io.kubegrade.gateway.submission.VerdictRecorder;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.ReactiveHealthIndicator;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Gets the backing services ready (bucket, indexes, consumer groups, the configured challenge
 * catalogue), retrying until they answer. Readiness stays DOWN until this has finished, so no
 * traffic arrives at a gateway that cannot store it.
 */
@Component("initializedHealthIndicator")
public class Initializer implements SmartLifecycle, ReactiveHealthIndicator {
  private static final Logger log = LoggerFactory.getLogger(Initializer.class);

  private final ObjectStore objects;
  private final SubmissionStore submissions;
  private final ChallengeCatalog catalog;
  private final RedisQueueDispatcher queue;
  private final StatefulRedisConnection<String, String> redis;
  private final GatewayProperties properties;
  private volatile boolean done;
  private volatile String lastProblem = "starting";
  private Disposable work;

  public Initializer(ObjectStore objects, SubmissionStore submissions, ChallengeCatalog catalog,
      RedisQueueDispatcher queue, StatefulRedisConnection<String, String> redis, GatewayProperties properties) {
    this.objects = objects;
    this.submissions = submissions;
    this.catalog = catalog;
    this.queue = queue;
    this.redis = redis;
    this.properties = properties;
  }

  Mono<Void> initialize() {
    return objects.ensureBucket()
        .then(submissions.ensureIndexes())
        .then(queue.ensureGroup())
        .then(VerdictRecorder.ensureGroup(redis))
        .then(InboxRelay.ensureGroup(redis))
        .then(importCatalogue());
  }

  private Mono<Void> importCatalogue() {
    return Flux.fromIterable(properties.challenges().importDirs())
        .flatMapIterable(Initializer::challengeFiles)
        .map(ChallengeFormat::read)
        .concatMap(catalog::saveIfAbsent)
        .filter(Boolean::booleanValue)
        .count()
        .doOnNext(n -> {
          if (n > 0) {
            log.info("imported {} challenges from {}", n, properties.challenges().importDirs());
          }
        })
        .then();
  }

  static List<Path> challengeFiles(Path root) {
    if (Files.isRegularFile(root)) {
      return List.of(root);
    }
    try (Stream<Path> files = Files.walk(root, 2)) {
      return files.filter(p -> p.getFileName().toString().equals("challenge.yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read challenges under " + root, e);
    }
  }

  @Override
  public void start() {
    work = initialize()
        .doOnError(e -> lastProblem = e.toString())
        .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(250)).maxBackoff(Duration.ofSeconds(5))
            .filter(e -> !(e instanceof UncheckedIOException) && !(e instanceof io.kubegrade.api.challenge.InvalidChallengeException))
            .doBeforeRetry(s -> log.warn("backing services not ready: {}", s.failure().toString())))
        .subscribe(v -> { }, e -> {
          lastProblem = e.getMessage();
          log.error("initialisation failed: {}", e.getMessage());
        }, () -> {
          done = true;
          log.info("backing services ready");
        });
  }

  @Override
  public void stop() {
    if (work != null) {
      work.dispose();
    }
  }

  @Override
  public boolean isRunning() {
    return work != null && !work.isDisposed();
  }

  @Override
  public Mono<Health> health() {
    return Mono.just(done ? Health.up().build() : Health.down().withDetail("waitingFor", lastProblem).build());
  }
}
