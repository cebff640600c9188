package io.kubegrade.operator.warm;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kubegrade.api.gradingjob.GradingJob;
import io.kubegrade.api.gradingjob.GradingJobLabels;
import io.kubegrade.api.job.Attempt;
import io.kubegrade.api.job.WarmAssignment;
import io.kubegrade.api.redis.RedisLayout;
import io.kubegrade.operator.OperatorSettings;
import io.kubegrade.operator.pod.RunnerPod;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The idle runner pods of each pool namespace (docs/operator.md, "Warm runner pods"): it keeps
 * between min and max of them, as many as recent demand needs ({@link WarmPoolDemand}), creates a
 * replacement as soon as one is taken, dies or is recycled after its longest idle time, and removes
 * those above what is needed. {@link #bind} gives one to a job: claimed in Redis with the job handed
 * over in the same step ({@link WarmClaims}), then labelled, owned and given the job's deadline.
 * A pod grades one job and ends; none is ever given a second.
 *
 * <p>Runs only while this operator leads (the reconciler that binds does too): what it knows comes
 * from its pod informer and Redis, so a new leader takes the pool over as it is.
 */
public final class WarmPool implements WarmBinder, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WarmPool.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  static final Duration TICK = Duration.ofSeconds(1);
  /** Idle pods above the target (demand fell) are removed one at a time, each after this long above it. */
  static final Duration SCALE_DOWN_AFTER = Duration.ofMinutes(1);
  /**
   * Pods starting at once, per namespace: a runner's start is CPU-bound (a JVM and a browser), so
   * starting more at once only slows each - and the jobs grading beside them.
   */
  static final int MAX_STARTING = 2;
  /** A warm pod waits this much longer than the operator keeps it idle, so it outlives the operator's recycling. */
  static final Duration WAIT_GRACE = Duration.ofMinutes(2);
  static final String RECYCLE = "recycle";

  private final KubernetesClient client;
  private final RunnerPod pods;
  private final OperatorSettings.WarmPool settings;
  private final WarmClaims claims;
  private final Clock clock;
  private final Map<String, WarmPoolDemand> demand = new ConcurrentHashMap<>();
  private final Map<String, Instant> surplusSince = new HashMap<>();
  /** Pods this process has claimed (bound or retired), by uid: never offered again. */
  private final Set<String> claimed = ConcurrentHashMap.newKeySet();
  /** Pods whose time to ready was counted, by uid. */
  private final Set<String> observed = ConcurrentHashMap.newKeySet();
  /** Pods created and not yet in the informer, by namespace/name: counted so a tick does not create them twice. */
  private final Map<String, Instant> created = new ConcurrentHashMap<>();
  private final Map<String, SharedIndexInformer<Pod>> informers = new ConcurrentHashMap<>();
  private final AtomicBoolean tickQueued = new AtomicBoolean();
  private final Counter bound;
  private final Counter missed;
  private ScheduledExecutorService ticker;
  private volatile boolean running;
  /** The operator's Deployment, owner of the idle pods in its namespace (null: none, or not found). */
  private volatile io.fabric8.kubernetes.api.model.OwnerReference owner;

  public WarmPool(KubernetesClient client, RunnerPod pods, OperatorSettings.WarmPool settings, WarmClaims claims,
      Clock clock, MeterRegistry registry) {
    this.client = client;
    this.pods = pods;
    this.settings = settings;
    this.claims = claims;
    this.clock = clock;
    this.bound = Counter.builder("kubegrade.warm.bound").description("Jobs given a warm runner pod").register(registry);
    this.missed = Counter.builder("kubegrade.warm.missed")
        .description("Jobs that fit a warm pod and found none idle (they got a pod created for them)").register(registry);
    for (String state : List.of("ready", "starting")) {
      Gauge.builder("kubegrade.warm.pods", () -> idle(null).stream().filter(p -> isReady(p) == state.equals("ready")).count())
          .description("Idle warm runner pods, ready or starting").tag("state", state).register(registry);
    }
  }

  /** Starts keeping the pools (this operator leads). */
  public synchronized void start() {
    if (running) {
      return;
    }
    owner = ownerReference();
    ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "kubegrade-warm-pool");
      t.setDaemon(true);
      return t;
    });
    for (String namespace : settings.namespaces()) {
      informers.put(namespace, client.pods().inNamespace(namespace).withLabel(GradingJobLabels.WARM)
          .inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
              created.remove(pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName());
              tickSoon();
            }

            @Override
            public void onUpdate(Pod before, Pod pod) {
              tickSoon();
            }

            @Override
            public void onDelete(Pod pod, boolean unknownFinalState) {
              tickSoon();
            }
          }, 0));
    }
    running = true;
    ticker.scheduleWithFixedDelay(this::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
    log.info("warm runner pods: {} to {} in {}, recycled after {}", settings.min(), settings.max(), settings.namespaces(),
        settings.maxIdle());
  }

  /**
   * The operator's own Deployment as the idle pods' (non-controlling) owner: uninstalling the
   * operator removes the pods it kept waiting. Binding replaces it with the job.
   */
  private io.fabric8.kubernetes.api.model.OwnerReference ownerReference() {
    if (settings.owner() == null || !settings.owner().contains("/")) {
      return null;
    }
    String[] at = settings.owner().split("/", 2);
    try {
      var deployment = client.apps().deployments().inNamespace(at[0]).withName(at[1]).get();
      if (deployment == null) {
        log.warn("warm pods: the operator's Deployment {} was not found; idle pods will have no owner", settings.owner());
        return null;
      }
      return new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment")
          .withName(at[1]).withUid(deployment.getMetadata().getUid()).withController(false).withBlockOwnerDeletion(false)
          .build();
    } catch (KubernetesClientException e) {
      log.warn("warm pods: cannot read the operator's Deployment {} ({}); idle pods will have no owner", settings.owner(),
          e.getMessage());
      return null;
    }
  }

  /** Stops keeping them (leadership lost, or the operator stops); the pods stay for the next leader. */
  public synchronized void stop() {
    running = false;
    if (ticker != null) {
      ticker.shutdownNow();
    }
    informers.values().forEach(SharedIndexInformer::close);
    informers.clear();
  }

  @Override
  public void close() {
    stop();
  }

  @Override
  public Optional<Pod> bind(GradingJob job, Attempt attempt, String sourceUrl) {
    String namespace = job.getMetadata().getNamespace();
    if (!running || !informers.containsKey(namespace) || !pods.fitsWarm(job)) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    // Not under the pool's lock: a binding never waits for a tick's pod creations and deletions.
    demand.computeIfAbsent(namespace, n -> new WarmPoolDemand()).arrived(now);
    tickSoon(); // its replacement starts now, not at the next tick
    String claimant = job.getMetadata().getUid() + "/" + attempt.number();
    WarmAssignment assignment = WarmAssignment.of(attempt, job.getSpec().challenge().document(), sourceUrl);
    List<Pod> candidates = idle(namespace).stream()
        .sorted(Comparator.comparing((Pod p) -> !isReady(p)).thenComparing(p -> p.getMetadata().getCreationTimestamp()))
        .toList();
    for (Pod pod : candidates) {
      String token = RunnerPod.warmToken(pod);
      if (token == null || !claimed.add(pod.getMetadata().getUid())) {
        continue;
      }
      if (claims.claim(token, claimant, assignment) == RedisLayout.Claimed.TAKEN) {
        continue; // given to another job (another instance), or retired
      }
      try {
        // A JSON patch without a resourceVersion test, not an edit: the claim is the lock, and the
        // kubelet updating the pod's status meanwhile must not fail the binding (and the job begin
        // another attempt).
        Pod patched = client.pods().inNamespace(namespace).withName(pod.getMetadata().getName())
            .patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON),
                RunnerPod.bindingPatch(pods.bind(pod, job, attempt, clock.instant())));
        bound.increment();
        return Optional.of(patched);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) {
          throw e; // the reconciliation is retried; its next attempt fences this one
        }
        log.info("warm pod {} vanished while being bound to {}; trying another", pod.getMetadata().getName(), attempt);
      }
    }
    missed.increment();
    return Optional.empty();
  }

  private void tickSoon() {
    if (running && tickQueued.compareAndSet(false, true)) {
      try {
        ticker.execute(this::tick);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        tickQueued.set(false);
      }
    }
  }

  private void tick() {
    tickQueued.set(false);
    for (String namespace : settings.namespaces()) {
      try {
        maintain(namespace);
      } catch (RuntimeException e) {
        log.warn("keeping the warm pods of {} failed (next try in {}s): {}", namespace, TICK.toSeconds(), e.toString());
      }
    }
  }

  /** One look at a namespace's pool: dead pods removed, old ones recycled, the count brought to the target. */
  synchronized void maintain(String namespace) {
    if (!running) {
      return;
    }
    Instant now = clock.instant();
    SharedIndexInformer<Pod> informer = informers.get(namespace);
    List<Pod> all = informer.getStore().list();
    Set<String> present = new java.util.HashSet<>();
    informers.values().forEach(i -> i.getStore().list().forEach(p -> present.add(p.getMetadata().getUid())));
    claimed.removeIf(uid -> !present.contains(uid));
    observed.removeIf(uid -> !present.contains(uid));
    created.values().removeIf(at -> at.isBefore(now.minusSeconds(30)));
    long pendingCreates = created.keySet().stream().filter(k -> k.startsWith(namespace + "/")).count();

    WarmPoolDemand d = demand.computeIfAbsent(namespace, n -> new WarmPoolDemand());
    List<Pod> live = new ArrayList<>();
    for (Pod pod : all) {
      if (!GradingJobLabels.WARM_IDLE.equals(pod.getMetadata().getLabels().get(GradingJobLabels.WARM))
          || pod.getMetadata().getDeletionTimestamp() != null || claimed.contains(pod.getMetadata().getUid())) {
        continue;
      }
      if (hasEnded(pod)) {
        // Ended without a job: crashed, could not start, or waited its longest. Replaced below.
        log.info("warm pod {}/{} ended unbound ({}); replacing it", namespace, pod.getMetadata().getName(), endReason(pod));
        delete(pod);
        continue;
      }
      Instant createdAt = Instant.parse(pod.getMetadata().getCreationTimestamp());
      if (!createdAt.plus(settings.maxIdle()).isAfter(now)) {
        retire(pod, "idle for " + settings.maxIdle());
        continue;
      }
      readySince(pod).ifPresent(ready -> {
        if (observed.add(pod.getMetadata().getUid())) {
          d.readyAfter(Duration.between(createdAt, ready));
        }
      });
      live.add(pod);
    }
    int count = (int) (live.size() + pendingCreates);
    int target = d.target(now, settings.min(), settings.max());
    // Surplus goes not-ready first, youngest first: what took least to get and gives least now.
    List<Pod> surplusOrder = live.stream()
        .sorted(Comparator.comparing(WarmPool::isReady).thenComparing((Pod p) -> p.getMetadata().getCreationTimestamp(),
            Comparator.reverseOrder()))
        .toList();
    if (count > settings.max()) {
      surplusOrder.stream().limit(count - settings.max()).forEach(p -> retire(p, "above the pool's maximum of " + settings.max()));
      surplusSince.remove(namespace);
      return;
    }
    if (count > target) {
      Instant since = surplusSince.computeIfAbsent(namespace, n -> now);
      if (!since.plus(SCALE_DOWN_AFTER).isAfter(now) && !surplusOrder.isEmpty()) {
        retire(surplusOrder.get(0), "more than the " + target + " recent demand needs");
        surplusSince.put(namespace, now);
      }
      return;
    }
    surplusSince.remove(namespace);
    long starting = live.stream().filter(p -> !isReady(p)).count() + pendingCreates;
    int toCreate = (int) Math.min(target - count, MAX_STARTING - starting);
    for (int i = 0; i < toCreate; i++) {
      create(namespace);
    }
  }

  private void create(String namespace) {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    String token = HexFormat.of().formatHex(bytes);
    byte[] id = new byte[5];
    RANDOM.nextBytes(id);
    String name = "kubegrade-runner-warm-" + HexFormat.of().formatHex(id);
    Pod pod = pods.buildWarm(namespace, name, token, settings.maxIdle().plus(WAIT_GRACE));
    if (owner != null && settings.owner().startsWith(namespace + "/")) {
      pod.getMetadata().setOwnerReferences(List.of(owner)); // owners live in the pod's own namespace only
    }
    created.put(namespace + "/" + name, clock.instant());
    try {
      client.resource(pod).create();
    } catch (KubernetesClientException e) {
      created.remove(namespace + "/" + name);
      throw e;
    }
  }

  /** Takes an idle pod out of the pool: claimed first, so no job can be given it meanwhile, then deleted. */
  private void retire(Pod pod, String why) {
    String token = RunnerPod.warmToken(pod);
    if (token == null || !claimed.add(pod.getMetadata().getUid())) {
      return;
    }
    if (claims.claim(token, RECYCLE, null) == RedisLayout.Claimed.TAKEN) {
      return; // a job has it: it is that job's now
    }
    log.info("removing warm pod {}/{}: {}", pod.getMetadata().getNamespace(), pod.getMetadata().getName(), why);
    delete(pod);
  }

  private void delete(Pod pod) {
    try {
      client.resource(pod).withGracePeriod(0).delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
    }
  }

  /** Idle pods not claimed and not ending, in {@code namespace} (every pool namespace when null). */
  private List<Pod> idle(String namespace) {
    List<Pod> result = new ArrayList<>();
    informers.forEach((ns, informer) -> {
      if (namespace != null && !namespace.equals(ns)) {
        return;
      }
      for (Pod pod : informer.getStore().list()) {
        if (GradingJobLabels.WARM_IDLE.equals(pod.getMetadata().getLabels().get(GradingJobLabels.WARM))
            && pod.getMetadata().getDeletionTimestamp() == null && !hasEnded(pod)
            && !claimed.contains(pod.getMetadata().getUid())) {
          result.add(pod);
        }
      }
    });
    return result;
  }

  static boolean isReady(Pod pod) {
    return readySince(pod).isPresent();
  }

  private static Optional<Instant> readySince(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getConditions().stream()
        .filter(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))
        .map(PodCondition::getLastTransitionTime).filter(t -> t != null && !t.isBlank()).map(Instant::parse).findFirst();
  }

  private static boolean hasEnded(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  private static String endReason(Pod pod) {
    var status = pod.getStatus();
    if (status.getReason() != null) {
      return status.getReason();
    }
    return status.getContainerStatuses() == null ? status.getPhase() : status.getContainerStatuses().stream()
        .map(c -> c.getState() == null || c.getState().getTerminated() == null ? null
            : "exit " + c.getState().getTerminated().getExitCode() + " " + String.valueOf(c.getState().getTerminated().getMessage()).trim())
        .filter(java.util.Objects::nonNull).findFirst().orElse(status.getPhase());
  }
}
