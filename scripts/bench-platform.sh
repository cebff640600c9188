#!/usr/bin/env bash
# Measures the whole local platform from the outside (HTTP submit -> WebSocket verdict), on a
# fresh data directory and its own ports, and writes the figures into docs/benchmarks.md between
# the platform markers. usage: scripts/bench-platform.sh [sequential N] [burst N] [watchers N]
set -euo pipefail
cd "$(dirname "$0")/.."
sequential=${1:-40}; burst=${2:-40}; watchers=${3:-200}
# shellcheck source=lib-platform.sh
. scripts/lib-platform.sh
start_platform bench-platform 0
echo "bench-platform: platform ready; sequential $sequential, burst $burst, watchers $watchers" >&2
out=$(java -cp gateway/target/kubegrade-gateway-exec.jar -Dloader.main=io.kubegrade.gateway.bench.PlatformBenchmark \
  org.springframework.boot.loader.launch.PropertiesLauncher "http://127.0.0.1:$KUBEGRADE_PORT" \
  challenges/click-changes-label/solutions/ACCEPTED/hooks.jsx "$sequential" "$burst" "$watchers")
echo "$out" >&2
val() { echo "$out" | awk -v k="$1" '$1=="RESULT" && $2==k {print $3}'; }

section=$(cat <<MD
<!-- platform:start -->
## The whole platform (gateway + Redis + FerretDB + MinIO + embedded runner)

Latest run: $(date -u +%Y-%m-%d), same machine, \`scripts/bench-platform.sh $sequential $burst $watchers\`
(it starts \`scripts/run.sh\` on a fresh data directory with $KUBEGRADE_POOL_SIZE warm browsers and
measures from the outside: HTTP submit, then the WebSocket stream until the verdict; the task is the
"Click me" challenge above). No peer runs this path; the runner-only figures above are the
comparison point for what the platform adds.

| figure | value |
|---|---|
| POST /submissions to 202 (S3 put, MongoDB insert, QUEUED, dispatch), median | $(val submit_median) ms |
| submit to VERDICT on the WebSocket, one at a time, median | $(val e2e_median) ms (p90 $(val e2e_p90) ms) |
| throughput, $burst submitted at once | $(val burst_throughput) submissions/min |
| one submission watched by $watchers WebSocket clients: submit to the last client's VERDICT | $(val fanout_all_verdicts) ms |

Everything here shares the machine's cores: the benchmark client, the gateway, Redis, FerretDB,
MinIO and the browsers. Each sequential submit comes right after the previous verdict, while that
browser closes the used page, clears its storage and warms its next page up (React's JIT: about
90 ms off the next verdict; the page itself was loaded during the previous submission), so the
submit figure includes that contention (the open-loop arrivals below, 1 s apart, accept in 33 ms); the
fan-out figure includes each client's handshake, token check, ownership check and history read (see the subscribe section).

\`\`\`
$out
\`\`\`
<!-- platform:end -->
MD
)
scripts/bench-section.py platform "$section"
echo "bench-platform: wrote the platform section of docs/benchmarks.md" >&2
