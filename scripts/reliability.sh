#!/usr/bin/env bash
# Faults and load against the whole local platform, from the outside, on a fresh data directory
# and its own ports; every submission is checked for what docs/reliability.md promises (one
# terminal event, a gap-free stream, MongoDB holding the same verdict) and the counts are written
# there between the rounds markers.
#   scripts/reliability.sh [burst N] [rounds of each fault K]     (default 500 20)
#   KUBEGRADE_ROUNDS=redis_restart,worker_kill scripts/reliability.sh 0 5   runs only those rounds
#   (names as in the RESULT lines) and leaves the document alone.
set -euo pipefail
cd "$(dirname "$0")/.."
burst=${1:-500}; rounds=${2:-20}
# shellcheck source=lib-platform.sh
. scripts/lib-platform.sh
# The platform's log is kept in target/reliability-platform.log: a count that is not zero needs it.
# Its gateway grades nothing itself: two queue workers the rounds start (one browser each) do, so
# that a worker can be killed or paused; a silent worker's job is taken over after 15 s instead of
# the default 30 s, which halves those rounds and changes nothing else.
takeover=15s
KUBEGRADE_POOL_SIZE=0 start_platform reliability 100 --kubegrade.dispatch.takeover-idle=$takeover
echo "reliability: platform ready; burst $burst, $rounds rounds of each fault" >&2
started=$(date +%s)
out=$(java -cp gateway/target/kubegrade-gateway-exec.jar -Dloader.main=io.kubegrade.gateway.bench.ReliabilityRounds \
  org.springframework.boot.loader.launch.PropertiesLauncher "http://127.0.0.1:$KUBEGRADE_PORT" "$data" \
  challenges/click-changes-label/solutions/ACCEPTED/hooks.jsx "$burst" "$rounds" runner-image/target/kubegrade-runner-all.jar) \
  || { echo "$out" >&2; exit 1; }
echo "$out" >&2
if [ -n "${KUBEGRADE_ROUNDS:-}" ]; then
  echo "reliability: only $KUBEGRADE_ROUNDS ran; docs/reliability.md left as it was" >&2
  exit 0
fi
val() { echo "$out" | awk -v k="$1" '$1=="RESULT" && $2==k {print $3}'; }
rest() { echo "$out" | awk -v k="$1" '$1=="RESULT" && $2==k {$1=$2=$3=""; sub(/^ +/, ""); print}'; }

section=$(cat <<MD
<!-- rounds:start -->
## Measured rounds

Latest run: $(date -u +%Y-%m-%d), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo),
\`scripts/reliability.sh $burst $rounds\` ($(( $(date +%s) - started )) s; the local platform from \`scripts/run.sh\`
on a fresh data directory, its gateway grading nothing itself: two \`kubegrade-runner worker\` processes of one
browser each do, as in queue mode in Kubernetes; the queue takeover after $takeover of silence instead of 30 s;
the "Click me" challenge's accepted solution, and for the worker rounds the same solution slowed down, its label
changing 0.6 s after the click, so that a worker stopped at STARTED is stopped mid-grading).

| round | submissions checked | ended exactly once, gap-free, recorded | verdicts | QUEUED to verdict p50 / max |
|---|---|---|---|---|
| $burst submitted at once ($(val burst_submitted) accepted with 202) | $(val burst_checked) | $(val burst_ok) | $(rest burst_verdicts) | $(val burst_queued_to_verdict_p50) / $(val burst_queued_to_verdict_max) ms |
| every browser SIGKILLed after STARTED | $(val browser_kill_checked) | $(val browser_kill_ok) | $(rest browser_kill_verdicts) | $(val browser_kill_queued_to_verdict_p50) / $(val browser_kill_queued_to_verdict_max) ms |
| every browser frozen (SIGSTOP) for 10 s after STARTED | $(val browser_freeze_checked) | $(val browser_freeze_ok) | $(rest browser_freeze_verdicts) | $(val browser_freeze_queued_to_verdict_p50) / $(val browser_freeze_queued_to_verdict_max) ms |
| the worker grading it SIGKILLed after STARTED (a new worker started at once) | $(val worker_kill_checked) | $(val worker_kill_ok) | $(rest worker_kill_verdicts) | $(val worker_kill_queued_to_verdict_p50) / $(val worker_kill_queued_to_verdict_max) ms |
| the worker grading it stopped (SIGSTOP) after STARTED, resumed (SIGCONT) once attempt 2 STARTED on the other | $(val worker_pause_checked) | $(val worker_pause_ok) | $(rest worker_pause_verdicts) | $(val worker_pause_queued_to_verdict_p50) / $(val worker_pause_queued_to_verdict_max) ms |
| a gateway SIGKILLed with 4 clients streaming from it, at the first STARTED or VERDICT; they resume on another | $(val gateway_kill_checked) | $(val gateway_kill_ok) | $(rest gateway_kill_verdicts) | $(val gateway_kill_queued_to_verdict_p50) / $(val gateway_kill_queued_to_verdict_max) ms |
| Redis restarted with 4 submissions in flight | $(val redis_restart_checked) | $(val redis_restart_ok) | $(rest redis_restart_verdicts) | $(val redis_restart_queued_to_verdict_p50) / $(val redis_restart_queued_to_verdict_max) ms |
| Redis unreachable (SIGSTOP) for 10 s with 4 submissions in flight | $(val redis_freeze_checked) | $(val redis_freeze_ok) | $(rest redis_freeze_verdicts) | $(val redis_freeze_queued_to_verdict_p50) / $(val redis_freeze_queued_to_verdict_max) ms |
| FerretDB (MongoDB) stopped with 4 submissions in flight, then started again | $(val mongo_down_checked) | $(val mongo_down_ok) | $(rest mongo_down_verdicts) | $(val mongo_down_queued_to_verdict_p50) / $(val mongo_down_queued_to_verdict_max) ms |
| MinIO (S3) stopped with 4 submissions in flight, then started again | $(val s3_down_checked) | $(val s3_down_ok) | $(rest s3_down_verdicts) | $(val s3_down_queued_to_verdict_p50) / $(val s3_down_queued_to_verdict_max) ms |

"Recorded" means the API returns the verdict the stream delivered and MongoDB's \`recordings\`
count for the submission is exactly 1. In the gateway round two more gateways run beside the
platform's own (same Redis, MongoDB and S3, no runner of their own, as in Kubernetes); a killed one
is ready again after $(val gateway_kill_restart_p50) ms (median), and $(val gateway_kill_resumed)
streams were resumed from their last seq on the other gateway.

In both worker rounds every submission was taken over and graded again as attempt 2, and what
followed attempt 2's STARTED was that attempt alone (each test started and ended in order, then the
verdict: nothing of the stale attempt interleaved). Killed workers left $(val worker_kill_browsers_left) browser
processes behind (their browser watcher reaps them); of the $(val worker_pause_rounds) stale workers, $(val worker_pause_said_why)
said in their log that their attempt no longer counts and stopped grading it, and $(val worker_pause_alive) were still
running and taking jobs afterwards. What dominates both rounds: the takeover idle time ($takeover, checked every
5 s), then grading again (the slowed solution takes about 1 s).

Submissions made while a backing service was down: MongoDB down - $(rest mongo_down_refused | sed 's/^submissions during the outage answered //') (median answer
$(val mongo_down_refused_p50) ms), $(val mongo_down_leftovers) stored, the next submission accepted $(val mongo_down_recovery_p50) ms
(median) after FerretDB was started again; S3 down - $(rest s3_down_refused | sed 's/^submissions during the outage answered //') (median answer
$(val s3_down_refused_p50) ms), $(val s3_down_leftovers) stored, the next accepted $(val s3_down_recovery_p50) ms after MinIO was started again.

What dominates the new rounds: after a gateway kill, nothing visible - the clients resume on the
other gateway at once and the verdict times are the ordinary ones; starting the killed gateway again
(a JVM, Spring, its connections) takes the seconds above. After a Redis restart, Redis reading its
append-only file back: until then it answers LOADING, and an event refused so is sent again (the
first run of this round, before that, waited 30 s for the claim takeover). Redis unreachable: the
10 s themselves (commands wait for it). MongoDB down: a submission waits
\`mongo.server-selection-timeout\` (2 s) for its 503. S3 down: refused at once; MinIO's own start
before the next is accepted.

"Every browser" means every Chromium main process and chromedriver of both workers, at once.
The submission is retried once on a fresh browser (whose start is itself tried twice: the fault can
catch a browser that is just starting); a fault that defeated both would end it INTERNAL_ERROR -
once, never stuck. What dominates: in the burst, waiting in the queue (two browsers grade about
two a second); after a kill, starting the fresh browser (about 1.5 s); after a freeze, the step's
deadline (2.5 s), the DevTools endpoint's 3 s to prove it is not answering, then the fresh browser.

Peak resident memory while the burst was graded (every process of the platform, sampled every
200 ms): gateway $(val burst_peak_rss_gateway) MiB, the two workers' JVMs $(val burst_peak_rss_workers) MiB, browsers
$(val burst_peak_rss_browsers) MiB (Chromium and chromedriver, all processes), Redis $(val burst_peak_rss_redis-server) MiB,
FerretDB $(val burst_peak_rss_ferretdb) MiB, MinIO $(val burst_peak_rss_minio) MiB.

\`\`\`
$(echo "$out" | grep "^RESULT ")
\`\`\`
<!-- rounds:end -->
MD
)
scripts/bench-section.py rounds "$section" docs/reliability.md
echo "reliability: wrote the rounds section of docs/reliability.md" >&2
