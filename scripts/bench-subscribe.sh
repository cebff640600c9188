#!/usr/bin/env bash
# Many clients subscribing at once, against the whole local platform from the outside (runner pool
# off: nothing grades, so only subscribing is measured), on a fresh data directory and its own
# ports; writes the subscribe section of docs/benchmarks.md.
#   scripts/bench-subscribe.sh [watchers N] [learners N] [rounds N] [warm-up rounds N]   (default 200 300 5 10)
set -euo pipefail
cd "$(dirname "$0")/.."
watchers=${1:-200}; learners=${2:-300}; rounds=${3:-5}; warmup=${4:-10}
# shellcheck source=lib-platform.sh
. scripts/lib-platform.sh
KUBEGRADE_POOL_SIZE=0 start_platform bench-subscribe 200
echo "bench-subscribe: platform ready; $watchers watchers, $learners learners, $rounds rounds after $warmup" >&2
out=$(java -cp gateway/target/kubegrade-gateway-exec.jar -Dloader.main=io.kubegrade.gateway.bench.SubscribeBenchmark \
  org.springframework.boot.loader.launch.PropertiesLauncher "http://127.0.0.1:$KUBEGRADE_PORT" \
  "$watchers" "$learners" "$rounds" "$warmup")
echo "$out" >&2
val() { echo "$out" | awk -v k="$1" '$1=="RESULT" && $2==k {print $3}'; }
us() { awk -v v="$(val "$1")" 'BEGIN { printf "%.2f ms", v / 1000 }'; }

section=$(cat <<MD
<!-- subscribe:start -->
## Subscribing: many clients opening streams at once

Latest run: $(date -u +%Y-%m-%d), same machine, \`scripts/bench-subscribe.sh $watchers $learners $rounds $warmup\`
(the local platform from \`scripts/run.sh\` with the runner pool off, measured from the outside
with the JDK's WebSocket client; each client leaves at its first event, the replayed QUEUED, which
is when its stream is registered and has read its history). Two cases, $rounds rounds each, after
$warmup warm-up rounds of both (the gateway's JIT): **$watchers watchers of one fresh submission** at once,
and **$learners learners** each opening their own fresh submission at once. No peer: socket.io's
join is measured in the fan-out section below, without ownership or history.

| | $watchers watchers, one submission | $learners learners, own submissions |
|---|---|---|
| all subscribed: first connect to the last client's first event, median (max) | $(val watchers_wall_p50) ms ($(val watchers_wall_max) ms) | $(val learners_wall_p50) ms ($(val learners_wall_max) ms) |
| per client: WebSocket handshake done, p50 / p99 | $(val watchers_handshake_p50) / $(val watchers_handshake_p99) ms | $(val learners_handshake_p50) / $(val learners_handshake_p99) ms |
| per client: first event, p50 / p99 | $(val watchers_first_event_p50) / $(val watchers_first_event_p99) ms | $(val learners_first_event_p50) / $(val learners_first_event_p99) ms |
| gateway: token check, mean per call | $(us watchers_token_check_mean) | $(us learners_token_check_mean) |
| gateway: ownership lookup, mean per client | $(us watchers_ownership_mean) | $(us learners_ownership_mean) |
| gateway: first history read, mean per client | $(us watchers_history_mean) | $(us learners_history_mean) |
| MongoDB finds on submissions meanwhile | $(val watchers_mongodb_finds) | $(val learners_mongodb_finds) |

The gateway's means come from its own timers (\`kubegrade.token.checks\`,
\`kubegrade.stream.subscribe{phase=ownership|history}\`, \`mongodb.driver.commands\`) and are wall
times of calls that overlap, so with hundreds at once they include waiting for a core: the client,
the gateway and Redis share 2. What dominates: the handshakes themselves (HTTP upgrade, Spring
Security's filter chain and its observations, the token check) and, for the first event, the one
Redis connection's event loop, which runs every stream's first read and its first send. The
ownership check costs no MongoDB lookup while a submission's log lives (the owner is read from
Redis, where the gateway writes it before QUEUED, and shared and remembered per submission); before
that change each client cost a FerretDB lookup, and 300 learners at once took 4.9 s (median round) to be subscribed, 3 s of it waiting for the lookups.

\`\`\`
$out
\`\`\`
<!-- subscribe:end -->
MD
)
scripts/bench-section.py subscribe "$section"
echo "bench-subscribe: wrote the subscribe section of docs/benchmarks.md" >&2
