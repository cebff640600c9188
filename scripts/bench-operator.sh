#!/usr/bin/env bash
# Measures the operator's overhead per GradingJob on a real kube-apiserver (no browsers: a
# simulated kubelet finishes each pod at once) and writes the figures into docs/benchmarks.md
# between the operator markers. usage: scripts/bench-operator.sh [jobs] [max running pods]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${1:-200}; slots=${2:-20}
scripts/setup.sh >/dev/null
./mvnw -B -q -ntp install -DskipTests
out=$(./mvnw -B -q -ntp -pl operator test-compile exec:java -Dexec.classpathScope=test \
  -Dexec.mainClass=io.kubegrade.operator.bench.OperatorBenchmark -Dexec.args="$jobs $slots" \
  -Dkubegrade.root="$PWD" 2>/dev/null | grep '^RESULT')
echo "$out" >&2
val() { echo "$out" | awk -v k="$1" '$1=="RESULT" && $2==k {print $3}'; }
section=$(cat <<MD
<!-- operator:start -->
## The operator (real kube-apiserver 1.31.4 + etcd, simulated kubelet)

Latest run: $(date -u +%Y-%m-%d), same machine, \`scripts/bench-operator.sh $jobs $slots\`: $jobs GradingJobs
created back to back, at most $slots runner pods at once; a simulated kubelet marks each pod
finished with a verdict as soon as it appears, so the figures are the operator's and the API
server's own cost per job, not grading time. No peer: there is no comparable operator to run here.

| | |
|---|---|
| job created → its runner pod created (first $slots jobs: no wait for a slot, but reconciled while the rest are created and queued), median / p90 | $(val create_to_pod_first_wave_median_ms) / $(val create_to_pod_first_wave_p90_ms) ms |
| pod finished → job status Succeeded with the verdict, median / p90 | $(val pod_done_to_status_median_ms) / $(val pod_done_to_status_p90_ms) ms |
| jobs through the whole cycle | $(val jobs_per_second) per second ($(val wall_ms) ms for $jobs) |

Everything shares the machine's cores: the API server, etcd, the operator and the simulated
kubelet. In a real cluster a runner pod's own start (image, JVM, Chromium: seconds) dominates.
<!-- operator:end -->
MD
)
scripts/bench-section.py operator "$section"
echo "bench-operator: wrote the operator section of docs/benchmarks.md" >&2
