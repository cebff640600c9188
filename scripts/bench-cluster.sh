#!/usr/bin/env bash
# Grading on a real single-node Kubernetes (scripts/cluster.sh), and writes the figures into
# docs/benchmarks.md between the cluster markers. Starts the cluster when none is up (and stops it
# after), builds and loads the images, installs the chart with its defaults.
#
#   scripts/bench-cluster.sh [sequential submissions] [rates/s] [seconds per rate] [drain seconds]
#   (defaults: 30 "1,3" 120 600)
set -euo pipefail
cd "$(dirname "$0")/.."
sequential=${1:-30}; rates=${2:-1,3}; seconds=${3:-120}; drain=${4:-600}
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
  -Dexec.mainClass=io.kubegrade.e2e.bench.ClusterBenchmark -Dexec.args="$sequential $rates $seconds $drain" \
  -Dkubegrade.root="$PWD" -Dkubegrade.e2e.required=true 2>&1 | tee /dev/stderr | grep "^RESULT")
echo "$out" >&2
val() { echo "$out" | awk -v k="$1" '$1=="RESULT" && $2==k {print $3}'; }
row() { printf '| %s | %s / %s ms |\n' "$2" "$(val "${1}_p50")" "$(val "${1}_p90")"; }
rate_rows=""
for r in ${rates//,/ }; do
  t=$(printf '%.1f' "$r"); t=${t//./_}   # ClusterBenchmark names a rate as 1.0 -> rate1_0
  rate_rows+="| ${r}/s for ${seconds} s | $(val "rate${t}_submitted") | $(val "rate${t}_verdicts") | $(val "rate${t}_p50") ms | $(val "rate${t}_p99") ms | $(val "rate${t}_backlog_at_end_of_arrivals") | $(val "rate${t}_throughput")/s |"$'\n'
done
section=$(cat <<MD
<!-- cluster:start -->
## On a real node (scripts/cluster.sh: kubelet, containerd, kube-proxy, kube-router, CoreDNS)

Latest run: $(date -u +%Y-%m-%d), same machine, \`scripts/bench-cluster.sh $sequential $rates $seconds $drain\`: the chart
installed with its defaults (two gateway replicas, \`operator.maxRunningPods\` 10, runner pods of
1 CPU / 1 GiB with 500m requested), pointed at Redis, FerretDB and MinIO on the host; the runner
image already on the node (loaded with \`ctr images import\`, no pull). Every hop is timed as the
API server's watch and the learner's WebSocket report it; the runner's own phases come from the
\`timeline\` line each runner pod logs. The task is the catalogue's \`counter\` (3 tests).

### One submission at a time ($sequential, after one warm-up), p50 / p90

| hop | |
|---|---|
$(row seq_submit_accepted "HTTP submit → 202 (source to S3, metadata to MongoDB, GradingJob created)")
$(row seq_submit_to_job_seen "HTTP submit → the GradingJob seen by a watch")
$(row seq_job_to_pod_created "→ runner pod created (operator: admit, presign, create)")
$(row seq_pod_to_scheduled "→ pod scheduled")
$(row seq_scheduled_to_container_running "→ container running (sandbox, CNI, volumes; image present, no pull)")
$(row seq_runner_jvm "runner: JVM to main (class-data archive)")
$(row seq_runner_source "runner: Redis + source from S3")
$(row seq_runner_browser "runner: chromedriver + Chromium + first page")
$(row seq_runner_grading "runner: grading and the verdict published")
$(row seq_running_to_started_event "container running → STARTED on the WebSocket")
$(row seq_started_to_verdict "STARTED → VERDICT on the WebSocket")
$(row seq_job_to_verdict "**GradingJob created → VERDICT**")
$(row seq_submit_to_verdict "**HTTP submit → VERDICT on the WebSocket**")

### Open-loop arrivals (each submission a new learner), submit → VERDICT on the WebSocket

| arrivals | submitted | verdicts (within ${drain} s after) | p50 | p99 | no verdict yet when the last arrived | throughput |
|---|---|---|---|---|---|---|
${rate_rows}
Raw output:

\`\`\`
$out
\`\`\`
<!-- cluster:end -->
MD
)
scripts/bench-section.py cluster "$section"
echo "bench-cluster: wrote the cluster section of docs/benchmarks.md" >&2
