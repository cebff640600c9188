package io.kubegrade.gateway.storage;

import io.kubegrade.gateway.GatewayProperties;
import java.time.Instant;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Solution sources and screenshots in S3. Keys: {@code solutions/<user>/<challenge>/<submission>.jsx}
 * and {@code screenshots/<user>/<challenge>/<submission>.png}. Readers get short-lived presigned
 * URLs, never the bytes through the gateway.
 */
@Component
public class ObjectStore {
  private static final Logger log = LoggerFactory.getLogger(ObjectStore.class);

  private final S3AsyncClient s3;
  private final S3Presigner presigner;
  private final GatewayProperties.S3 settings;

  @Autowired
  public ObjectStore(S3AsyncClient s3, S3Presigner presigner, GatewayProperties properties) {
    this(s3, presigner, properties.s3());
  }

  public ObjectStore(S3AsyncClient s3, S3Presigner presigner, GatewayProperties.S3 settings) {
    this.s3 = s3;
    this.presigner = presigner;
    this.settings = settings;
  }

  public record PresignedUrl(String url, Instant expiresAt) {}

  public static String sourceKey(String user, String challengeId, String submissionId) {
    return "solutions/" + user + "/" + challengeId + "/" + submissionId + ".jsx";
  }

  public static String screenshotKey(String user, String challengeId, String submissionId) {
    return "screenshots/" + user + "/" + challengeId + "/" + submissionId + ".png";
  }

  public Mono<Void> put(String key, byte[] bytes, String contentType) {
    return Mono.fromFuture(() -> s3.putObject(b -> b.bucket(settings.bucket()).key(key).contentType(contentType)
            .contentLength((long) bytes.length), AsyncRequestBody.fromBytes(bytes)))
        .then();
  }

  public PresignedUrl presignGet(String key) {
    var request = presigner.presignGetObject(p -> p.signatureDuration(settings.presignTtl())
        .getObjectRequest(g -> g.bucket(settings.bucket()).key(key)));
    return new PresignedUrl(request.url().toString(), request.expiration());
  }

  /** Readiness: the bucket answers. */
  public Mono<Void> ping() {
    return Mono.fromFuture(() -> s3.headBucket(b -> b.bucket(settings.bucket()))).then();
  }

  /** Creates the bucket when configured to and missing (local platform, tests). */
  public Mono<Void> ensureBucket() {
    if (!settings.createBucket()) {
      return Mono.empty();
    }
    return ping().onErrorResume(e -> isMissingBucket(e), e ->
        Mono.fromFuture(() -> s3.createBucket(b -> b.bucket(settings.bucket())))
            .doOnSuccess(r -> log.info("created bucket {}", settings.bucket()))
            .onErrorResume(BucketAlreadyOwnedByYouException.class, x -> Mono.empty())
            .then());
  }

  private static boolean isMissingBucket(Throwable e) {
    Throwable cause = e instanceof CompletionException ? e.getCause() : e;
    return cause instanceof NoSuchBucketException
        || cause instanceof S3Exception s3e && s3e.statusCode() == 404;
  }
}
