#!/usr/bin/env bash
# Where a saturated pool's CPU goes, by process: the runner's throughput benchmark (a pool of 2,
# N submissions at once) run twice - with N and with 2 - while every Chromium, chromedriver and
# java process is sampled; the difference over N-2 is the CPU one submission costs each kind of
# process, start-up left out. Writes the cpu section of docs/benchmarks.md.
#   scripts/bench-cpu.sh [submissions N]   (default 120)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-120}
scripts/setup.sh none
./mvnw -B -ntp -q -DskipTests package -pl api,runner-image -am >&2
jar=runner-image/target/kubegrade-runner-all.jar
work=$(mktemp -d)
trap 'touch "$work/stop"; rm -rf "$work"' EXIT

run() { # submissions -> "CPU kind seconds" lines, and the throughput line
  rm -f "$work/stop"
  scripts/bench-cpu.py "$work/stop" > "$work/cpu" &
  local sampler=$!
  java -cp "$jar" io.kubegrade.runner.bench.RunnerBenchmark "$jar" 1 "$1" 0 2>/dev/null | grep '^RESULT throughput' || true
  touch "$work/stop"
  wait "$sampler"
  cat "$work/cpu"
}
echo "bench-cpu: baseline (2 submissions)" >&2
base=$(run 2)
echo "bench-cpu: $n submissions" >&2
full=$(run "$n")
echo "$full" >&2
rows=$(awk -v n="$n" 'FNR==NR && $1=="CPU" {b[$2]=$3; next} $1=="CPU" {per=($3-b[$2])*1000/(n-2); if (per<0) per=0; t+=per;
  printf "| %s | %.0f ms |\n", $2, per} END {printf "| **all** | **%.0f ms** |\n", t}' \
  <(echo "$base") <(echo "$full") | sed 's/_/ /g')
throughput=$(echo "$full" | awk '$2=="throughput" {print $3}')

section=$(cat <<MD
<!-- cpu:start -->
## Where a saturated pool's CPU goes

Latest run: $(date -u +%Y-%m-%d), same machine, \`scripts/bench-cpu.sh $n\`: the runner's
throughput benchmark (pool of 2, $n submissions at once: $throughput per minute) with every
Chromium, chromedriver and java process sampled from /proc every 200 ms, less a run of 2 (start-up).
CPU per submission, by process:

| process | CPU per submission |
|---|---|
$rows

On two cores the sum bounds saturated throughput (2 × 60 s / the sum). The browser process costs
more than the renderers that run the submission's page and the compile; the runner's JVM is a
small share. What in the browser process is not known yet: Debian's Chromium has no symbols for
perf, and leaving out the storage clearing or the heap probe's DevTools connection changed its
share by less than run-to-run noise. Chromium's own trace of its main thread under this load
(\`scripts/trace-browser.mjs\`, 6 s, ~13 submissions in that browser) puts the most CPU in mojo
message dispatch from the renderers (~0.55 s), the browser's own compositor producing frames for
the headless windows (~0.6 s with its tile worker), navigations (each new tab's creation, commit and
teardown, ~0.3 s) and DevTools WebSocket messages (~0.2 s).

\`\`\`
$full
\`\`\`
<!-- cpu:end -->
MD
)
scripts/bench-section.py cpu "$section"
echo "bench-cpu: wrote docs/benchmarks.md" >&2
