package io.kubegrade.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.kubegrade.api.redis.RedisConnections;
import io.kubegrade.operator.job.GradingJobReconciler;
import io.kubegrade.operator.job.JobEvents;
import io.kubegrade.operator.ops.JobMetrics;
import io.kubegrade.operator.ops.OperatorHttpServer;
import io.kubegrade.operator.pod.OrphanPodSweeper;
import io.kubegrade.operator.pod.RunnerPod;
import io.kubegrade.operator.source.S3SourcePresigner;
import io.kubegrade.operator.source.SourcePresigner;
import io.kubegrade.operator.verdict.RedisVerdictPublisher;
import io.kubegrade.operator.verdict.VerdictPublisher;
import io.kubegrade.operator.warm.RedisWarmClaims;
import io.kubegrade.operator.warm.WarmBinder;
import io.kubegrade.operator.warm.WarmClaims;
import io.kubegrade.operator.warm.WarmPool;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the operator: one controller (GradingJob), the warm runner pods, the orphan sweep, health
 * and metrics endpoints, and - with several replicas - leader election, so only one instance
 * reconciles and keeps the warm pods.
 */
public final class OperatorMain implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OperatorMain.class);

  /** The bound on every Redis call a reconciliation makes. */
  static final Duration REDIS_TIMEOUT = Duration.ofSeconds(3);

  private final Operator operator;
  private final OperatorHttpServer http;
  private final RedisClient redisClient;
  private final StatefulRedisConnection<String, String> redis;
  private final S3SourcePresigner presigner;
  private final WarmPool warmPool;

  private OperatorMain(Operator operator, OperatorHttpServer http, RedisClient redisClient,
      StatefulRedisConnection<String, String> redis, S3SourcePresigner presigner, WarmPool warmPool) {
    this.operator = operator;
    this.http = http;
    this.redisClient = redisClient;
    this.redis = redis;
    this.presigner = presigner;
    this.warmPool = warmPool;
  }

  public static void main(String[] args) {
    OperatorSettings settings;
    try {
      settings = OperatorSettings.fromEnvironment(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("kubegrade-operator: " + e.getMessage());
      System.exit(2);
      return;
    }
    OperatorMain main = start(new KubernetesClientBuilder().build(), settings, false);
    // With leader election, stopping the operator makes JOSDK call System.exit, which blocks
    // forever inside a shutdown hook: then only the connections are closed, and the Lease
    // expires for a standby to take over.
    Runtime.getRuntime().addShutdownHook(new Thread(settings.leaderElection() ? main::closeConnections : main::close,
        "kubegrade-operator-shutdown"));
  }

  /**
   * Starts everything against {@code client}. {@code embedded}: the caller owns the client and the
   * process (tests), so neither is closed or exited on stop.
   */
  public static OperatorMain start(KubernetesClient client, OperatorSettings settings, boolean forTests) {
    RedisClient redisClient = redisClient(settings.redis());
    StatefulRedisConnection<String, String> redis = redisClient.connect();
    S3SourcePresigner presigner = new S3SourcePresigner(settings.s3());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OperatorMain main = start(client, settings, forTests, new RedisVerdictPublisher(redis), presigner, registry,
        new RedisWarmClaims(redis));
    return new OperatorMain(main.operator, main.http, redisClient, redis, presigner, main.warmPool);
  }

  /**
   * The operator's Redis client. Every Redis call a reconciliation makes is bounded: a Redis that
   * does not answer fails the reconciliation in seconds (it is retried), never holds a reconcile
   * thread; the connection reconnects by itself once Redis is back (RedisVerdictPublisherIT).
   */
  public static RedisClient redisClient(OperatorSettings.Redis settings) {
    RedisURI uri = RedisURI.create(settings.url());
    if (settings.password() != null) {
      if (settings.username() != null) {
        uri.setUsername(settings.username());
      }
      uri.setPassword((CharSequence) settings.password());
    }
    uri.setTimeout(REDIS_TIMEOUT);
    return RedisConnections.client(uri, "operator");
  }

  /** Starts with the given collaborators (tests pass their own fakes of these interfaces), warm pods off. */
  public static OperatorMain start(KubernetesClient client, OperatorSettings settings, boolean forTests,
      VerdictPublisher verdicts, SourcePresigner presigner, PrometheusMeterRegistry registry) {
    if (settings.warmPool().enabled()) {
      throw new IllegalArgumentException("warm runner pods need their claims in Redis: pass WarmClaims, or set"
          + " KUBEGRADE_WARM_POOL_MAX=0");
    }
    return start(client, settings, forTests, verdicts, presigner, registry, null);
  }

  /** Starts with the given collaborators; {@code warmClaims} only used with warm pods on. */
  public static OperatorMain start(KubernetesClient client, OperatorSettings settings, boolean forTests,
      VerdictPublisher verdicts, SourcePresigner presigner, PrometheusMeterRegistry registry, WarmClaims warmClaims) {
    int swept = new OrphanPodSweeper(client).sweep(settings.namespaces());
    if (swept > 0) {
      log.info("deleted {} orphaned runner pods", swept);
    }
    RunnerPod runnerPods = new RunnerPod(settings.runner());
    WarmPool warmPool = settings.warmPool().enabled()
        ? new WarmPool(client, runnerPods, settings.warmPool(), warmClaims, Clock.systemUTC(), registry) : null;
    Operator operator = new Operator(o -> {
      o.withKubernetesClient(client)
          .withMetrics(MicrometerMetrics.newPerResourceCollectingMicrometerMetricsBuilder(registry).build())
          .withUseSSAToPatchPrimaryResource(false)
          .withCloseClientOnStop(!forTests);
      if (settings.leaderElection()) {
        // A process that loses leadership exits, so its replacement starts as a clean standby;
        // embedded in a test, it only stops.
        // The warm pool is kept by the leader only, as jobs are reconciled by it only.
        LeaderCallbacks callbacks = warmPool == null ? null
            : new LeaderCallbacks(warmPool::start, warmPool::stop, leader -> {});
        o.withLeaderElectionConfiguration(new LeaderElectionConfiguration("kubegrade-operator", settings.leaseNamespace(),
            Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2), null, callbacks, !forTests));
      }
    });
    JobMetrics metrics = new JobMetrics(registry);
    GradingJobReconciler reconciler = new GradingJobReconciler(settings.admission(), runnerPods,
        presigner, verdicts, new JobEvents(client, instanceName()), metrics, warmPool == null ? WarmBinder.OFF : warmPool,
        Clock.systemUTC());
    operator.register(reconciler, c -> {
      if (!settings.namespaces().isEmpty()) {
        c.settingNamespaces(settings.namespaces());
      }
    });
    operator.start();
    if (warmPool != null && !settings.leaderElection()) {
      warmPool.start();
    }
    OperatorHttpServer http = new OperatorHttpServer(settings.httpPort(),
        () -> operator.getRuntimeInfo().allEventSourcesAreHealthy(),
        () -> operator.getRuntimeInfo().isStarted(), registry);
    log.info("kubegrade operator started: namespaces {}, at most {} runner pods, metrics on :{}",
        settings.namespaces().isEmpty() ? "all" : settings.namespaces(), settings.admission().maxRunningPods(), http.port());
    return new OperatorMain(operator, http, null, null, null, warmPool);
  }

  public int httpPort() {
    return http.port();
  }

  private static String instanceName() {
    return System.getenv().getOrDefault("HOSTNAME", "kubegrade-operator");
  }

  @Override
  public void close() {
    operator.stop();
    closeConnections();
  }

  private void closeConnections() {
    if (warmPool != null) {
      warmPool.stop();
    }
    http.close();
    if (redis != null) {
      redis.close();
      redisClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    if (presigner != null) {
      presigner.close();
    }
  }

}
