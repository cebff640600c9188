#!/usr/bin/env bash
# The whole platform on the single-node cluster of scripts/cluster.sh, to try the Kubernetes path
# on one machine (docs/operations.md, "Try it on one machine"):
#
#   scripts/try-kubernetes.sh install     Redis (with the runner's ACL user), FerretDB and MinIO on the
#                                         node's bridge address - as a platform team's managed services
#                                         would be - the three images built and loaded, the chart
#                                         installed as "kubegrade" in namespace kubegrade; prints the URL
#   scripts/try-kubernetes.sh url         the gateway's URL (this machine reaches the Service's address)
#   scripts/try-kubernetes.sh uninstall   helm uninstall, the services stopped, their data removed
#
# Needs the cluster up (sudo scripts/cluster.sh up). For trying only: the gateway also signs
# tokens for any user name (POST /api/v1/local/token), which a real installation must not do.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=${KUBEGRADE_CACHE:-$HOME/.cache/kubegrade}
TOOLS=${KUBEGRADE_TOOLS:-$CACHE/bin}
DIR=${KUBEGRADE_TRY_DIR:-$CACHE/try-kubernetes}
NAMESPACE=kubegrade
say() { printf 'try-kubernetes: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

scripts/cluster.sh status >/dev/null 2>&1 || die "the cluster is not up: sudo scripts/cluster.sh up"
while IFS= read -r line; do export "${line?}"; done < <(scripts/cluster.sh env)
HOST=$KUBEGRADE_CLUSTER_HOST
kubectl() { "$TOOLS/kubectl" "$@"; }
helm() { "$TOOLS/helm" "$@"; }

secret() { # a random secret kept in $DIR
  [ -s "$DIR/$1" ] || (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$DIR/$1")
  cat "$DIR/$1"
}

start() { # name port command...
  local name=$1 port=$2; shift 2
  if [ -f "$DIR/$name.pid" ] && kill -0 "$(cat "$DIR/$name.pid")" 2>/dev/null; then return; fi
  setsid "$@" > "$DIR/$name.log" 2>&1 < /dev/null &
  echo $! > "$DIR/$name.pid"
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/$HOST/$port") 2>/dev/null && return
    kill -0 "$(cat "$DIR/$name.pid")" 2>/dev/null || die "$name exited; see $DIR/$name.log"
    sleep 0.1
  done
  die "$name did not listen on $HOST:$port"
}

install() {
  mkdir -p "$DIR"/redis "$DIR"/ferretdb "$DIR"/minio
  local admin runner s3 hmac
  admin=$(secret redis-admin); runner=$(secret redis-runner); s3=$(secret s3); hmac=$(secret hmac)
  scripts/build-images.sh --load
  # The runner user's rules, as the runner defines them (kubegrade-runner redis-acl).
  local acl
  acl=$(java -jar runner-image/target/kubegrade-runner-all.jar redis-acl)
  # shellcheck disable=SC2086 # the ACL rules are words
  start redis 6379 redis-server --bind "$HOST" --port 6379 --dir "$DIR/redis" --save "" --appendonly yes \
    --requirepass "$admin" --user kubegrade-runner $acl ">$runner"
  start ferretdb 27017 "$TOOLS/ferretdb" --handler=sqlite --sqlite-url="file:$DIR/ferretdb/" --state-dir="$DIR/ferretdb" \
    --listen-addr="$HOST:27017" --telemetry=disable --log-level=warn --debug-addr=-
  MINIO_ROOT_USER=kubegrade MINIO_ROOT_PASSWORD="$s3" MINIO_BROWSER=off \
    start minio 9000 "$TOOLS/minio" server "$DIR/minio" --address "$HOST:9000" --quiet
  kubectl create namespace "$NAMESPACE" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  kubectl label namespace "$NAMESPACE" --overwrite pod-security.kubernetes.io/enforce=restricted >/dev/null
  cat > "$DIR/values.yaml" <<EOF
# What a platform team sets for services outside the cluster, reached by address.
image: {pullPolicy: Never}
redis: {host: "$HOST", port: 6379, password: "$admin", runnerPassword: "$runner", cidr: "$HOST/32"}
mongodb: {uri: "mongodb://$HOST:27017/"}
s3: {endpoint: "http://$HOST:9000", accessKey: kubegrade, secretKey: "$s3", createBucket: true, cidr: "$HOST/32", port: 9000}
auth: {hmacSecret: "$hmac"}
gateway:
  replicas: 1
  env:
    - {name: KUBEGRADE_SECURITY_LOCALTOKENS, value: "true"}   # for trying it only
EOF
  helm upgrade --install kubegrade helm/kubegrade -n "$NAMESPACE" -f "$DIR/values.yaml" --wait --timeout 10m >/dev/null
  say "installed; the gateway is $(url)/ (this machine reaches it; helm test kubegrade -n $NAMESPACE checks it end to end)"
}

# The gateway's Service, which this machine reaches through kube-proxy.
url() {
  echo "http://$(kubectl -n "$NAMESPACE" get service kubegrade-gateway -o jsonpath='{.spec.clusterIP}'):8080"
}

uninstall() {
  helm uninstall kubegrade -n "$NAMESPACE" --wait --timeout 5m >/dev/null 2>&1 || true
  kubectl delete namespace "$NAMESPACE" --ignore-not-found --wait=true >/dev/null 2>&1 || true
  local name
  for name in redis ferretdb minio; do
    [ -f "$DIR/$name.pid" ] && kill "$(cat "$DIR/$name.pid")" 2>/dev/null || true
  done
  sleep 1
  rm -rf "$DIR"
  say "uninstalled; the services are stopped and their data removed"
}

case "${1:-}" in
  install) install ;;
  uninstall) uninstall ;;
  url) url ;;
  *) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
