#!/usr/bin/env bash
# Runs the whole platform on this machine, no cluster: Redis, FerretDB (MongoDB wire protocol on
# SQLite), MinIO (S3) and the gateway with an embedded warm runner pool, all data under one
# directory (KUBEGRADE_DATA, default ./.kubegrade), started and stopped together (Ctrl-C stops all).
# Then open http://localhost:8080/ for the playground. See docs/local-platform.md.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh local

DATA=${KUBEGRADE_DATA:-$PWD/.kubegrade}
TOOLS=${KUBEGRADE_TOOLS:-$HOME/.cache/kubegrade/bin}
HTTP_PORT=${KUBEGRADE_PORT:-8080}
REDIS_PORT=${KUBEGRADE_REDIS_PORT:-6390}
MONGO_PORT=${KUBEGRADE_MONGO_PORT:-27027}
S3_PORT=${KUBEGRADE_S3_PORT:-9010}
RSOCKET_PORT=${KUBEGRADE_RSOCKET_PORT:-7010}
POOL=${KUBEGRADE_POOL_SIZE:-2}
mkdir -p "$DATA"/redis "$DATA"/ferretdb "$DATA"/minio "$DATA"/runner "$DATA"/logs

say() { printf 'run: %s\n' "$*" >&2; }
secret() { # a random secret kept in $DATA, so tokens and objects survive a restart
  [ -s "$DATA/$1" ] || (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$DATA/$1")
  cat "$DATA/$1"
}
HMAC=$(secret hmac-secret)
S3_SECRET=$(secret s3-secret)

jar=gateway/target/kubegrade-gateway-exec.jar
# Built when a source is newer than the last build this script made (the jar itself carries the
# build's fixed timestamp, for reproducible builds, so it cannot tell).
built=gateway/target/.built-for-run
if [ ! -f "$jar" ] || [ ! -f "$built" ] || [ -n "$(find api/src runner-image/src gateway/src pom.xml */pom.xml -newer "$built" -print -quit)" ]; then
  say "building (once)"
  touch "$built.next" # when the build began: a source saved during it is built next time
  ./mvnw -B -ntp -q -DskipTests install >&2
  mv "$built.next" "$built"
fi

pids=()
cleanup() {
  trap - EXIT INT TERM
  say "stopping"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

wait_port() { # name port pid
  for _ in $(seq 1 300); do
    kill -0 "$3" 2>/dev/null || { say "$1 exited; see $DATA/logs/$1.log"; exit 1; }
    (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null && return 0
    sleep 0.2
  done
  say "$1 did not listen on port $2"; exit 1
}

# Redis from a file (scripts/reliability.sh restarts it from the same one): append-only, so a
# restart keeps what it held.
printf 'port %s\nbind 127.0.0.1\ndir %s\nappendonly yes\nsave ""\n' "$REDIS_PORT" "$DATA/redis" > "$DATA/redis/redis.conf"
redis-server "$DATA/redis/redis.conf" > "$DATA/logs/redis.log" 2>&1 &
pids+=($!); wait_port redis "$REDIS_PORT" $!
"$TOOLS/ferretdb" --handler=sqlite --sqlite-url="file:$DATA/ferretdb/" --state-dir="$DATA/ferretdb" \
  --listen-addr="127.0.0.1:$MONGO_PORT" --telemetry=disable --log-level=warn --debug-addr=- \
  > "$DATA/logs/ferretdb.log" 2>&1 &
pids+=($!); wait_port ferretdb "$MONGO_PORT" $!
MINIO_ROOT_USER=kubegrade MINIO_ROOT_PASSWORD="$S3_SECRET" MINIO_BROWSER=off \
  "$TOOLS/minio" server "$DATA/minio" --address "127.0.0.1:$S3_PORT" --quiet \
  > "$DATA/logs/minio.log" 2>&1 &
pids+=($!); wait_port minio "$S3_PORT" $!

say "starting the gateway with $POOL warm browsers: http://localhost:$HTTP_PORT/ (logs in $DATA/logs)"
java -jar "$jar" \
  --server.port="$HTTP_PORT" \
  --kubegrade.redis.url="redis://127.0.0.1:$REDIS_PORT" \
  --kubegrade.mongo.uri="mongodb://127.0.0.1:$MONGO_PORT/" \
  --kubegrade.s3.endpoint="http://127.0.0.1:$S3_PORT" \
  --kubegrade.s3.access-key=kubegrade --kubegrade.s3.secret-key="$S3_SECRET" \
  --kubegrade.security.hmac-secret="$HMAC" --kubegrade.security.local-tokens=true \
  --kubegrade.runner.embedded-pool-size="$POOL" --kubegrade.runner.work-dir="$DATA/runner" \
  --kubegrade.challenges.import-dirs="$PWD/challenges" \
  --kubegrade.stream.rsocket-tcp-port="$RSOCKET_PORT" \
  --kubegrade.instance-id=local "$@" &
pids+=($!)
wait "${pids[-1]}"
