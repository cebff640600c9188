#!/usr/bin/env bash
# Runs every test: unit tests (*Test), integration tests against real Chromium, Redis, FerretDB,
# MinIO and kube-apiserver (*IT), and end-to-end tests on a real single-node Kubernetes (*E2E):
# scripts/cluster.sh starts it (unless one is already up) and stops it at the end, leaving the
# host as it was. The E2E tests build the three images and install the chart on it.
#
#   scripts/test.sh [maven arguments]        e.g. -Dit.test=GradingE2E -pl e2e
#   KUBEGRADE_E2E=0 scripts/test.sh          without the cluster (E2E tests are then skipped)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

maven=(./mvnw -B -ntp verify)
started=""
stop_cluster() {
  [ -z "$started" ] || scripts/cluster.sh down
}
if [ "${KUBEGRADE_E2E:-1}" != 0 ]; then
  [ "$(id -u)" -eq 0 ] || { echo "test: the end-to-end tests need root (a kubelet); run as root, or KUBEGRADE_E2E=0" >&2; exit 1; }
  if ! scripts/cluster.sh status >/dev/null 2>&1; then
    started=1
    trap stop_cluster EXIT
    scripts/cluster.sh up >/dev/null
  fi
  while IFS= read -r line; do export "${line?}"; done < <(scripts/cluster.sh env)
  # Without a cluster the E2E tests would skip; here that must fail instead.
  maven+=(-Dkubegrade.e2e.required=true)
fi
"${maven[@]}" "$@"
