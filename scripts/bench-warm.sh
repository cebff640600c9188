#!/usr/bin/env bash
# Warm runner pods against pods created per job, side by side on a real single-node Kubernetes
# (scripts/cluster.sh), and writes the figures into docs/benchmarks.md between the warm markers.
# Starts the cluster when none is up (and stops it after), builds and loads the images, installs
# the chart once per mode (warm pods off, then on with min 2, max 10).
#
#   scripts/bench-warm.sh [sequential] [rate/s] [seconds] [burst] [drain seconds]
#   (defaults: 20 2 120 50 300). Per mode: one at a time, then the burst, then the rate.
set -euo pipefail
cd "$(dirname "$0")/.."
sequential=${1:-20}; rate=${2:-2}; seconds=${3:-120}; burst=${4:-50}; drain=${5:-300}
scripts/setup.sh >/dev/null
started=""
if ! scripts/cluster.sh status >/dev/null 2>&1; then
  started=1
  trap 'scripts/cluster.sh down' EXIT
  scripts/cluster.sh up >/dev/null
fi
while IFS= read -r line; do export "${line?}"; done < <(scripts/cluster.sh env)
./mvnw -B -q -ntp install -DskipTests
out=$(./mvnw -B -q -ntp -pl e2e test-compile exec:java -Dexec.classpathScope=test \
  -Dexec.mainClass=io.kubegrade.e2e.bench.WarmPoolBenchmark -Dexec.args="$sequential $rate $seconds $burst $drain" \
  -Dkubegrade.root="$PWD" -Dkubegrade.e2e.required=true 2>&1 | tee /dev/stderr | grep "^RESULT")
echo "$out" >&2
val() { echo "$out" | awk -v k="$1" '$1=="RESULT" && $2==k {print $3}'; }
row() { printf '| %s | %s | %s |\n' "$1" "$(val "off_$2")" "$(val "warm_$2")"; }
section=$(cat <<MD
<!-- warm:start -->
## Warm runner pods against pods created per job (real node)

Latest run: $(date -u +%Y-%m-%d), same machine (2 cores), \`scripts/bench-warm.sh $sequential $rate $seconds $burst $drain\`:
the chart installed twice in the same run, with \`runner.warmPool.max: 0\` (a pod created per job)
and with warm pods (min 2, max 10); two gateway replicas, \`operator.maxRunningPods\` 10, runner
pods of 1 CPU / 1 GiB with 500m requested; Redis, FerretDB and MinIO on the host. Times are
submit → VERDICT as the learner's WebSocket reports it. The task is the catalogue's \`counter\`.

| | pods created per job | warm pods |
|---|---|---|
$(row "one at a time, p50 (ms)" seq_p50)
$(row "one at a time, p90 (ms)" seq_p90)
$(row "the runner's own part, p50 (ms): process start / given its job → verdict published" seq_runner_p50)
$(row "${rate}/s for ${seconds} s: submitted" rate_submitted)
$(row "${rate}/s: verdicts within ${drain} s after" rate_verdicts)
$(row "${rate}/s: p50 (ms)" rate_p50)
$(row "${rate}/s: p99 (ms)" rate_p99)
$(row "${rate}/s: throughput (/s)" rate_throughput)
$(row "burst of ${burst}: first arrival → last verdict (ms)" burst_last_verdict)
$(row "burst of ${burst}: p50 (ms)" burst_p50)

An idle warm pod holds $(val warm_idle_pod_memory) MiB (its cgroup's memory.current: JVM, chromedriver,
Chromium with its prepared page, the memory-backed /tmp and /dev/shm) and used $(val warm_idle_pod_cpu) ms of
CPU in 30 s of waiting.

Raw output:

\`\`\`
$out
\`\`\`
<!-- warm:end -->
MD
)
scripts/bench-section.py warm "$section"
echo "bench-warm: wrote the warm section of docs/benchmarks.md" >&2
