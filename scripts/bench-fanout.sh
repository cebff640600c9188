#!/usr/bin/env bash
# Live fan-out against socket.io, side by side in one run: the fan-out peer (Node.js, socket.io 4
# with the Redis adapter, its own load generator driving either target with the same logic and
# clock, and plain Redis subscribers as the ceiling) against this checkout's gateway, started by
# the peer with our scripts/run.sh (pool off). Writes the fanout section of docs/benchmarks.md.
#
#   scripts/bench-fanout.sh <fanout-peer dir> [S] [W] [D] [rates...]     (default 1000 10 30 200 1000)
#
# S submissions x W watchers each = S*W WebSocket clients; each rate R is events/s across all
# submissions (R*W deliveries/s offered), for D seconds; then the peer again with two cluster
# workers at the highest rate. FANOUT_MODES narrows the modes (default: ceiling socketio kubegrade).
#
# The peer's publisher was written for the append script's first contract (the caller proposed
# seq). The script numbers events itself now and checks the writer's attempt (docs/events.md), so
# a copy of the peer is run whose publisher sends the event without seq, the attempt key and the
# trusted writer's empty attempt, and counts the seq the script answers as stored. Nothing else
# in the peer changes, and every mode goes through that same script.
set -euo pipefail
cd "$(dirname "$0")/.."
peer=$(cd "${1:?usage: scripts/bench-fanout.sh <fanout-peer dir> [S] [W] [D] [rates...]}" && pwd)
shift
S=${1:-1000}; W=${2:-10}; D=${3:-30}
shift $(($# < 3 ? $# : 3))
rates=("$@"); [ ${#rates[@]} -gt 0 ] || rates=(200 1000)
top=$(printf '%s\n' "${rates[@]}" | sort -n | tail -1)

work=$(mktemp -d -t kubegrade-fanout-XXXX)
echo "bench-fanout: the peer's copy and every log in $work" >&2
(cd "$peer" && tar --exclude=./node_modules --exclude=./results -cf - .) | tar -C "$work" -xf -
if [ -d "$peer/node_modules" ]; then ln -s "$peer/node_modules" "$work/node_modules"; fi
python3 - "$work/publisher.js" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
edits = [
    ("    seq,\n    type: 'TEST_PASSED',", "    type: 'TEST_PASSED',"),
    ("`kubegrade:submission:${id}:done`, VERDICTS],",
     "`kubegrade:submission:${id}:done`, VERDICTS, `kubegrade:submission:${id}:attempt`],"),
    ("arguments: [String(seq), json, TTL, CHANNEL, '0', id, VERDICT_MAX],",
     "arguments: [json, TTL, CHANNEL, '0', id, VERDICT_MAX, '', '', ''],"),
    ("if (r === 1) {", "if (r === seq) {"),
]
for old, new in edits:
    if text.count(old) != 1:
        sys.exit("bench-fanout: the peer's publisher.js changed; cannot adapt it (looked for %r)" % old)
    text = text.replace(old, new)
open(path, 'w').write(text)
PY

# FANOUT_RESULTS=<the directory an earlier run printed>: write the section from its results, run nothing.
if [ -z "${FANOUT_RESULTS:-}" ]; then
  ./mvnw -B -ntp -q -DskipTests install >&2 # the checkout the peer runs, built before the clock starts
  export KUBEGRADE_HOME=$PWD FANOUT_RUNS=$work/runs
  "$work/series.sh" "$S" "$W" "$D" "${rates[@]}"
  if [[ " ${FANOUT_MODES:-socketio} " == *" socketio "* ]]; then
    label="socketio-2workers-S$S-W$W-R$top"
    echo "=== $label" >&2
    PEER_WORKERS=2 FANOUT_SCRATCH="$work/runs/$label" "$work/run.sh" socketio --label="$label" --submissions="$S" \
      --watchers="$W" --rate="$top" --duration="$D" --out="$work/results/$label.json" > "$work/results/$label.out" \
      2> "$work/runs/$label.err" || echo "    rc=$?" >&2
  fi
else
  work=$FANOUT_RESULTS
fi
table=$(cd "$work" && node table.js)
raw=$(cat "$work"/results/*.out | grep '^RESULT ')
# Latency by phase of the run, from each summary's per-second p50/p99: the first 10 s against the
# rest, so a target's warm-up and its steady state can be told apart.
phases=$(python3 - "$work"/results/*.json <<'PY'
import json, statistics, sys
print('| run | deliveries/s | p99, whole run | median of the per-second p99s: first 10 s / after | worst per-second p99 after 10 s |')
print('|---|---|---|---|---|')
for path in sys.argv[1:]:
    s = json.load(open(path))
    per = s['latencyMs'].get('perSecondP50P99', [])[:-1]  # the last second is the drain's
    first = [p99 for _, p99 in per[:10] if p99]
    rest = [p99 for _, p99 in per[10:] if p99]  # a second without a delivery has none
    ms = lambda v: '%.1f ms' % v
    print('| %s | %s | %s ms | %s / %s | %s |' % (s['label'], s['deliveries']['achievedPerS'], s['latencyMs']['p99'],
          ms(statistics.median(first)) if first else '-', ms(statistics.median(rest)) if rest else 'none delivered',
          ms(max(rest)) if rest else '-'))
PY
)

section=$(cat <<MD
<!-- fanout:start -->
## Live fan-out against socket.io (the fan-out peer)

Latest run: $(date -u +%Y-%m-%d), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo),
\`scripts/bench-fanout.sh <fanout-peer> $S $W $D ${rates[*]}\`: $S submissions x $W watchers
($((S * W)) WebSocket clients), R events/s across the submissions (R x $W deliveries/s offered),
$D s each, back to back on this machine: plain Redis subscribers (the ceiling), the peer
(socket.io with the Redis adapter, one Node process, then two cluster workers), and the gateway
(one JVM, started by \`scripts/run.sh\` with the runner pool off). One load generator (the peer's)
drives every target with the same clock; latency is publish (just before the append script) to
the client's handler.

$table

$phases

What dominates: on our side, the first seconds after 10,000 clients connected. The JVM compiles
the delivery path while it is already under load (the per-second p99s of the first 10 s against
the rest show it), then steady state is one pub/sub connection's event loop fanning every event
out to every client of its submission. On the peer's side, one Node process's event loop: past about
10,000 deliveries/s it falls behind, and then it dies of node-redis's 5 s command timeout (its
README). Two cluster workers keep up at twice the rate, with seconds of latency.

\`\`\`
$raw
\`\`\`
<!-- fanout:end -->
MD
)
scripts/bench-section.py fanout "$section" docs/benchmarks.md
echo "bench-fanout: wrote the fanout section of docs/benchmarks.md" >&2
