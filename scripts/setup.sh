#!/usr/bin/env bash
# Installs what kubegrade needs on a Debian machine, idempotently: Chromium and its matching
# chromedriver, redis-server, etcd, a JDK 17+, and (scripts/install-servers.sh) the servers built
# with Go. Safe to run again; does nothing when all is there.
#
#   scripts/setup.sh [group...]   server groups to build (install-servers.sh: local, kubernetes;
#                                 default both; "none" for the grading engine alone)
set -euo pipefail

say() { printf 'setup: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

if [ ! -r /etc/debian_version ] || ! command -v apt-get >/dev/null 2>&1; then
  die "this script installs Debian packages (chromium, chromium-driver, redis-server, a JDK 17+).
       On another system install those yourself and point KUBEGRADE_CHROMIUM / KUBEGRADE_CHROMEDRIVER
       at the browser and its driver (same major version)."
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || die "not root and no sudo: cannot install packages"
  SUDO="sudo"
fi

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
java_major() { java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'; }
if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ]; then
  missing+=(openjdk-17-jdk-headless)
fi

if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

browser=$(chromium --version 2>/dev/null | grep -oE '[0-9]+' | head -1 || true)
driver=$(chromedriver --version 2>/dev/null | grep -oE '[0-9]+' | head -1 || true)
[ -n "$browser" ] && [ "$browser" = "$driver" ] \
  || die "chromium ($browser) and chromedriver ($driver) must have the same major version"

# The servers built with Go: FerretDB and MinIO (local), Kubernetes (the tests' API server, the node).
if [ "${1:-}" != none ]; then
  "$(dirname "$0")/install-servers.sh" "$@"
fi

# The Debian package starts a system redis-server; kubegrade's tests start their own on free ports.
say "ready: $(chromium --version 2>/dev/null), $(chromedriver --version | cut -d' ' -f1-2), $(redis-server --version | cut -d' ' -f3), java $(java_major)"
