package io.kubegrade.operator.admission;

import io.kubegrade.api.gradingjob.GradingJob;
import io.kubegrade.api.gradingjob.GradingJobPhase;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides which queued jobs may have a runner pod: at most {@code maxRunning} at once, first in
 * first out within a user, and users served in turns - a job's turn is how many jobs its owner
 * already runs plus how many of the owner's jobs queue before it, ties going to the user served
 * longest ago - so one user's hundred submissions do not starve another user's one.
 *
 * <p>Decisions are made one at a time against the informer's view plus the admissions that view
 * does not show yet, so concurrent reconciliations never admit more than the limit.
 */
public final class AdmissionQueue {
  private final int maxRunning;
  private final int maxPerUser;
  private final Clock clock;
  /** Admitted here, possibly not yet Scheduled in the cache. */
  private final Map<String, Reservation> reserved = new HashMap<>();
  /** Finished here, possibly still Scheduled or Running in the cache: their slots are free. */
  private final Set<String> finishing = new HashSet<>();
  private Instant lastDecision = Instant.MIN;

  /** A queued job with what orders it, worked out once per decision. */
  private record InLine(GradingJob job, Instant submitted, String key) {}

  /** An admission: whose job, and when it was decided (decisions are serialized, so these order them). */
  private record Reservation(String owner, Instant at) {}

  public AdmissionQueue(int maxRunning, int maxPerUser) {
    this(maxRunning, maxPerUser, Clock.systemUTC());
  }

  public AdmissionQueue(int maxRunning, int maxPerUser, Clock clock) {
    if (maxRunning < 1) {
      throw new IllegalArgumentException("maxRunning must be at least 1");
    }
    this.maxRunning = maxRunning;
    this.maxPerUser = maxPerUser;
    this.clock = clock;
  }

  /** Whether {@code job} may start now, given every job the operator knows of. Admits it if so. */
  public synchronized boolean tryAdmit(GradingJob job, Collection<GradingJob> all) {
    String key = key(job);
    if (reserved.containsKey(key)) {
      return true;
    }
    List<GradingJob> order = nextInLine(all); // which also forgets the reservations the cache shows
    Map<String, Integer> running = running(all);
    int free = maxRunning - running.values().stream().mapToInt(Integer::intValue).sum();
    for (int i = 0; i < order.size() && i < free; i++) {
      if (key(order.get(i)).equals(key)) {
        // The jobs ahead of it in line fit the free slots too: they are admitted with it, each
        // decided before it, whichever of them is reconciled first (two slots freed at once).
        for (GradingJob ahead : order.subList(0, i + 1)) {
          reserved.put(key(ahead), new Reservation(owner(ahead), nextDecisionTime()));
        }
        return true;
      }
    }
    return false;
  }

  /** Now, or just after the previous decision when the clock has not moved: decisions stay ordered. */
  private Instant nextDecisionTime() {
    Instant now = clock.instant();
    lastDecision = now.isAfter(lastDecision) ? now : lastDecision.plusNanos(1_000);
    return lastDecision;
  }

  /**
   * When {@code job}'s admission was decided here (empty when it was not, or is already recorded):
   * the job's admissionTime, so that admission times order admissions even when two slots free at
   * once and both pods are created in parallel.
   */
  public synchronized Optional<Instant> admittedAt(GradingJob job) {
    return Optional.ofNullable(reserved.get(key(job))).map(Reservation::at);
  }

  /** The queued jobs in the order they will be admitted, those that could start now first. */
  public synchronized List<GradingJob> nextInLine(Collection<GradingJob> all) {
    forgetObserved(all);
    Map<String, Integer> running = running(all);
    List<InLine> queued = new ArrayList<>();
    for (GradingJob j : all) {
      String key = key(j);
      if (j.phase() == GradingJobPhase.Queued && !reserved.containsKey(key) && j.getMetadata().getDeletionTimestamp() == null) {
        queued.add(new InLine(j, submitted(j), key));
      }
    }
    // Submission order: creation timestamps have one-second resolution, so two jobs of one user
    // in the same second would otherwise be ordered by name. Each job's time is parsed once, not
    // at every comparison (that sort dominated the operator's CPU with hundreds queued).
    queued.sort(Comparator.comparing(InLine::submitted).thenComparing(InLine::key));
    Map<String, Integer> seen = new HashMap<>();
    Map<GradingJob, Integer> turn = new IdentityHashMap<>();
    List<GradingJob> eligible = new ArrayList<>();
    for (InLine inLine : queued) {
      GradingJob j = inLine.job();
      String owner = owner(j);
      int ahead = seen.merge(owner, 1, Integer::sum) - 1;
      int active = running.getOrDefault(owner, 0);
      if (maxPerUser > 0 && active + ahead >= maxPerUser) {
        continue; // this user's share is taken; the job waits for one of theirs to finish
      }
      turn.put(j, active + ahead);
      eligible.add(j);
    }
    // Within one turn, the user served longest ago goes first (so turns alternate between users
    // even with one slot), then first come first served.
    Map<String, Instant> lastServed = lastServed(all);
    eligible.sort(Comparator.comparingInt((GradingJob j) -> turn.get(j))
        .thenComparing(j -> lastServed.getOrDefault(owner(j), Instant.MIN))); // List.sort is stable
    return eligible;
  }

  /** When each user last had a job admitted, from the jobs' status. */
  private Map<String, Instant> lastServed(Collection<GradingJob> all) {
    Map<String, Instant> last = new HashMap<>();
    for (GradingJob j : all) {
      Instant at = j.getStatus() == null ? null : instant(j.getStatus().admissionTime());
      if (at != null) {
        last.merge(owner(j), at, (a, b) -> a.isAfter(b) ? a : b);
      }
    }
    reserved.values().forEach(r -> last.put(r.owner(), Instant.MAX)); // admitted just now
    return last;
  }

  private static Instant submitted(GradingJob j) {
    Instant at = j.getSpec() == null ? null : instant(j.getSpec().submittedAt());
    if (at == null) {
      at = instant(j.getMetadata().getCreationTimestamp());
    }
    return at == null ? Instant.MAX : at;
  }

  private static Instant instant(String timestamp) {
    try {
      return timestamp == null || timestamp.isBlank() ? null : Instant.parse(timestamp);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  /** Jobs holding a pod (Scheduled or Running, or admitted here) per owner. */
  private Map<String, Integer> running(Collection<GradingJob> all) {
    Map<String, Integer> byOwner = new HashMap<>();
    Set<String> counted = new HashSet<>();
    for (GradingJob j : all) {
      if (j.phase().isActive() && !finishing.contains(key(j))) {
        byOwner.merge(owner(j), 1, Integer::sum);
        counted.add(key(j));
      }
    }
    reserved.forEach((name, r) -> {
      if (!counted.contains(name)) {
        byOwner.merge(r.owner(), 1, Integer::sum);
      }
    });
    return byOwner;
  }

  /** Drops reservations the cache now reflects (or whose job is gone). */
  private void forgetObserved(Collection<GradingJob> all) {
    Map<String, GradingJob> byKey = new HashMap<>();
    all.forEach(j -> byKey.put(key(j), j));
    reserved.keySet().removeIf(k -> {
      GradingJob j = byKey.get(k);
      return j == null || j.phase() != GradingJobPhase.Queued;
    });
    finishing.removeIf(k -> {
      GradingJob j = byKey.get(k);
      return j == null || j.phase().isFinal();
    });
  }

  /** Frees a finished job's slot now, before the cache shows it finished. */
  public synchronized void finished(GradingJob job) {
    reserved.remove(key(job));
    finishing.add(key(job));
  }

  /** Forgets a reservation whose pod could not be created. */
  public synchronized void release(GradingJob job) {
    reserved.remove(key(job));
  }

  private static String owner(GradingJob j) {
    return j.getSpec() == null || j.getSpec().owner() == null ? "" : j.getSpec().owner();
  }

  private static String key(GradingJob j) {
    return j.getMetadata().getNamespace() + "/" + j.getMetadata().getName();
  }
}
