# Sourced by the scripts that measure the whole local platform (bench-platform.sh, reliability.sh):
# start_platform NAME OFFSET [GATEWAY ARGS...] starts scripts/run.sh on a fresh data directory ($data) with its own
# ports (18080, 16390, 37027, 19010, 17010, each plus OFFSET), waits until it is ready, and stops it (keeping its log in
# target/NAME-platform.log and the logs of its processes in target/NAME-logs)
# when the calling script exits.
start_platform() { # name offset
  local name=$1 offset=$2
  shift 2
  data=$(mktemp -d)
  export KUBEGRADE_DATA=$data KUBEGRADE_PORT=$((18080 + offset)) KUBEGRADE_REDIS_PORT=$((16390 + offset)) \
    KUBEGRADE_MONGO_PORT=$((37027 + offset)) KUBEGRADE_S3_PORT=$((19010 + offset)) \
    KUBEGRADE_RSOCKET_PORT=$((17010 + offset)) KUBEGRADE_POOL_SIZE=${KUBEGRADE_POOL_SIZE:-2}
  scripts/run.sh --kubegrade.submissions.per-user-per-minute=1000 "$@" > "$data/platform.out" 2>&1 &
  platform=$!
  mkdir -p target
  # shellcheck disable=SC2064 # expand now: $name and $data are this call's
  # Then whatever else still runs on the data directory (a process the rounds started again).
  trap "kill $platform 2>/dev/null; wait $platform 2>/dev/null || true; stop_leftovers '$data'; cp '$data/platform.out' 'target/$name-platform.log'; rm -rf 'target/$name-logs'; cp -r '$data/logs' 'target/$name-logs'; rm -rf '$data'" EXIT
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$KUBEGRADE_PORT/actuator/health/readiness" >/dev/null 2>&1 && return 0
    kill -0 $platform 2>/dev/null || { cat "$data/platform.out" >&2; exit 1; }
    sleep 0.5
  done
  echo "$name: the platform did not become ready; see target/$name-platform.log" >&2
  exit 1
}

stop_leftovers() { # data-dir: stops every process whose environment names it (SIGTERM, then SIGKILL)
  local found=() p
  for p in /proc/[0-9]*; do
    [ "${p#/proc/}" = "$$" ] && continue
    { tr '\0' '\n' < "$p/environ"; } 2>/dev/null | grep -qx "KUBEGRADE_DATA=$1" && found+=("${p#/proc/}")
  done
  [ "${#found[@]}" -eq 0 ] && return 0
  kill "${found[@]}" 2>/dev/null || true
  sleep 2
  kill -9 "${found[@]}" 2>/dev/null || true
}
