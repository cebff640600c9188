package io.kubegrade.gateway;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/** Everything the gateway is configured with, under {@code kubegrade.*} (docs/gateway.md). */
@Validated
@ConfigurationProperties("kubegrade")
public record GatewayProperties(
    @Valid @DefaultValue Redis redis,
    @Valid @DefaultValue Mongo mongo,
    @Valid @DefaultValue S3 s3,
    @Valid @DefaultValue Submissions submissions,
    @Valid @DefaultValue Security security,
    @Valid @DefaultValue Stream stream,
    @Valid @DefaultValue Runner runner,
    @Valid @DefaultValue Challenges challenges,
    @Valid @DefaultValue Dispatch dispatch,
    @Valid @DefaultValue Cors cors,
    @DefaultValue("") String instanceId) {

  /** This process's name when none is configured: one per gateway, whichever group it reads. */
  private static final String UNNAMED = "gateway-" + UUID.randomUUID();

  /** The consumer name this gateway reads Redis streams under: {@code instanceId}, or a name of its own. */
  public String consumerName() {
    return instanceId.isBlank() ? UNNAMED : instanceId;
  }

  public record Redis(@NotBlank @DefaultValue("redis://127.0.0.1:6379") String url) {}

  /**
   * {@code serverSelectionTimeout}: how long an operation waits for a usable MongoDB server before
   * it fails (the driver's own default, 30 s, would hold a submission that long before its 503);
   * a {@code serverSelectionTimeoutMS} in the URI wins.
   */
  public record Mongo(@NotBlank @DefaultValue("mongodb://127.0.0.1:27017") String uri,
      @NotBlank @DefaultValue("kubegrade") String database,
      @NotNull @DefaultValue("2s") Duration serverSelectionTimeout) {}

  public record S3(URI endpoint, @NotBlank @DefaultValue("us-east-1") String region,
      @NotBlank @DefaultValue("kubegrade") String bucket, String accessKey, String secretKey,
      @DefaultValue("true") boolean pathStyle, @DefaultValue("true") boolean createBucket,
      @NotNull @DefaultValue("5m") Duration presignTtl) {}

  /**
   * {@code maxWait}: a submission without a verdict after this long gets INTERNAL_ERROR, so none
   * stays queued or running forever.
   */
  public record Submissions(@NotNull @DefaultValue("64KB") DataSize maxSourceSize,
      @Min(1) @DefaultValue("30") int perUserPerMinute,
      @NotNull @DefaultValue("10m") Duration maxWait,
      @NotNull @DefaultValue("30s") Duration sweepEvery) {}

  /** One of {@code hmacSecret} (at least 32 bytes) or {@code jwksUrl}; roles come from {@code rolesClaim}. */
  public record Security(String hmacSecret, URI jwksUrl, String issuer,
      @NotBlank @DefaultValue("roles") String rolesClaim,
      @DefaultValue("false") boolean localTokens,
      @NotNull @DefaultValue("12h") Duration localTokenTtl,
      @NotNull @DefaultValue("60s") Duration clockSkew) {}

  /**
   * {@code clientBuffer}: events held for a client that does not read; beyond it the client is
   * disconnected. {@code claimIdle}: a verdict another gateway took but did not record within
   * this is recorded here.
   */
  public record Stream(@Min(1) @Max(100_000) @DefaultValue("256") int clientBuffer,
      @DefaultValue("0") int rsocketTcpPort,
      @NotNull @DefaultValue("30s") Duration claimIdle,
      @NotNull @DefaultValue("10s") Duration claimEvery) {}

  /** {@code embeddedPoolSize > 0} runs a warm runner pool inside the gateway (the local platform). */
  public record Runner(@Min(0) @Max(16) @DefaultValue("0") int embeddedPoolSize, Path workDir) {}

  /**
   * {@code mode}: {@code queue} (the Redis job stream read by warm runner pools) or
   * {@code kubernetes} (a GradingJob per submission in {@code namespace}, for the operator).
   * {@code deadlineMargin}: added to a challenge's time limit for its runner pod's deadline
   * (browser start, page load, publishing). {@code jobOwner}: a ConfigMap in that namespace every
   * GradingJob is owned by, so deleting it (helm uninstall) deletes the jobs and their pods.
   * Queue mode: a job whose worker has sent no heartbeat for {@code takeoverIdle} is taken over - a
   * new attempt, as a new job for another worker, which fences the silent one - checked every
   * {@code takeoverEvery}; after {@code maxAttempts} attempts it ends with INTERNAL_ERROR.
   */
  public record Dispatch(@NotNull @DefaultValue("queue") DispatchMode mode, String namespace,
      @NotNull @DefaultValue("60s") Duration deadlineMargin, String jobOwner,
      @NotNull @DefaultValue("30s") Duration takeoverIdle,
      @NotNull @DefaultValue("5s") Duration takeoverEvery,
      @Min(1) @DefaultValue("3") int maxAttempts) {}

  public enum DispatchMode { queue, kubernetes }

  /**
   * Which other origins' pages may call the gateway from a browser (the front end is usually on
   * another origin): {@code allowedOrigins}, each an origin ({@code https://learn.example.com}) or
   * a pattern ({@code https://*.example.com}, {@code http://localhost:[*]}). Requests from the
   * gateway's own origin (the playground) are always allowed; requests from any other origin are
   * refused - HTTP, SSE, the events WebSocket and RSocket over WebSocket alike - with a 403
   * problem. Bearer tokens only: no cookies, so no credentials mode. {@code maxAge}: how long a
   * browser may cache a preflight's answer.
   */
  public record Cors(@DefaultValue List<@NotBlank String> allowedOrigins, @NotNull @DefaultValue("30m") Duration maxAge) {}

  /** Challenge files imported at start-up when not yet stored (the local platform's catalogue). */
  public record Challenges(@DefaultValue List<Path> importDirs, @NotNull @DefaultValue("10m") Duration cacheTtl) {}
}
