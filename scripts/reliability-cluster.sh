#!/usr/bin/env bash
# The faults only Kubernetes deals with, repeated, on a real single-node Kubernetes
# (scripts/cluster.sh): runner pods deleted mid-grading and the leading operator replica killed
# with jobs in flight; every submission checked for what docs/reliability.md promises, the counts
# written there between the cluster-rounds markers. Starts the cluster when none is up (and stops
# it after), builds and loads the images, installs the chart in its own namespace.
#
#   scripts/reliability-cluster.sh [pod deletions] [leader kills]     (defaults 20 10)
set -euo pipefail
cd "$(dirname "$0")/.."
pods=${1:-20}; leaders=${2:-10}
scripts/setup.sh >/dev/null
if ! scripts/cluster.sh status >/dev/null 2>&1; then
  trap 'scripts/cluster.sh down' EXIT
  scripts/cluster.sh up >/dev/null
fi
while IFS= read -r line; do export "${line?}"; done < <(scripts/cluster.sh env)
./mvnw -B -q -ntp install -DskipTests
started=$(date +%s)
out=$(./mvnw -B -q -ntp -pl e2e test-compile exec:java -Dexec.classpathScope=test \
  -Dexec.mainClass=io.kubegrade.e2e.bench.ClusterFaultRounds -Dexec.args="$pods $leaders" \
  -Dkubegrade.root="$PWD" -Dkubegrade.e2e.required=true 2>&1 | tee /dev/stderr | grep "^RESULT")
val() { echo "$out" | awk -v k="$1" '$1=="RESULT" && $2==k {print $3}'; }
rest() { echo "$out" | awk -v k="$1" '$1=="RESULT" && $2==k {$1=$2=$3=""; sub(/^ +/, ""); print}'; }
row() { # round description
  printf '| %s | %s | %s | %s | %s / %s ms |\n' "$2" "$(val "$1_checked")" "$(val "$1_ok")" "$(rest "$1_verdicts")" \
    "$(val "$1_queued_to_verdict_p50")" "$(val "$1_queued_to_verdict_max")"
}
section=$(cat <<MD
<!-- cluster-rounds:start -->
## Measured rounds on a real node

Latest run: $(date -u +%Y-%m-%d), $(nproc) cores, \`scripts/reliability-cluster.sh $pods $leaders\`
($(( $(date +%s) - started )) s; the node of \`scripts/cluster.sh\`, the chart with pods created per job,
two operator replicas, one gateway, \`operator.maxRunningPods\` 2; Redis, FerretDB and MinIO on the host).
The pod round grades the catalogue's \`counter\` with a solution slowed down (each click counts
0.6 s later), so that a pod deleted at STARTED is deleted mid-grading; the operator round its
accepted sample.

| round | submissions checked | ended exactly once, gap-free, GradingJob agreeing, no pod left | verdicts | QUEUED to verdict p50 / max |
|---|---|---|---|---|
$(row pod_delete "the runner pod deleted (with its grace period) once the submission STARTED")
$(row leader_kill "the leading operator replica killed (no grace) with 4 submissions in flight, once one has its pod")

"Attempts" is the GradingJob's count of runner pods. The standby operator held the Lease
$(val leader_kill_takeover_p50) ms (median; max $(val leader_kill_takeover_max) ms) after the leader was killed: the
Lease's 15 s from the leader's last renewal (renewed every 2 s), then the standby's next try. No job
was lost or graded twice meanwhile: the running pods went on, and the new leader picked up the
queue where the old one left it. What dominates a pod round: the second
pod's start (sandbox, JVM, Chromium: several seconds on this node) after the first one's grace
period; an operator round: the pods themselves (the node runs about two at a time) and the Lease.

\`\`\`
$out
\`\`\`
<!-- cluster-rounds:end -->
MD
)
scripts/bench-section.py cluster-rounds "$section" docs/reliability.md
echo "reliability-cluster: wrote the cluster-rounds section of docs/reliability.md" >&2
