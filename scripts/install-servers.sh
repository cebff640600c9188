#!/usr/bin/env bash
# Builds real servers from the Go module proxy, once, into ${KUBEGRADE_TOOLS:-~/.cache/kubegrade/bin}.
#
#   scripts/install-servers.sh [local] [kubernetes]      (no argument: both)
#
# local:      FerretDB 1.x (MongoDB wire protocol over SQLite) and MinIO (S3), for the local platform
#             and the integration tests.
# kubernetes: a single-node cluster's binaries, all from ONE throwaway Go module and ONE `go build`,
#             so the packages they share (client-go, apimachinery, apiserver...) compile once:
#             kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy, kubectl
#             (k8s.io/kubernetes, stamped with their real version: Helm checks it), helm, CoreDNS
#             (cluster DNS only: no forwarding plugin), kube-router (NetworkPolicy), and the pause
#             container built from the same module's pause.c. Used by the operator's tests and by
#             scripts/cluster.sh.
#
# Idempotent: a group already built with the same recipe is left alone. Safe to run twice at once:
# each group is built under a lock, into a per-process temporary directory, then renamed.
set -euo pipefail

say() { printf 'install-servers: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

FERRETDB_VERSION=v1.24.0
# MinIO tags releases outside semver, so the module proxy knows it by pseudo-version.
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
KUBERNETES_VERSION=v1.31.4
# Chosen because each requires k8s.io/* v0.31.x, so one module holds them with Kubernetes itself.
COREDNS_VERSION=v1.11.4
KUBE_ROUTER_VERSION=v2.1.0
HELM_VERSION=v3.16.4
PAUSE_VERSION=3.10
# Bump when the way a group is built changes, so machines with an older build rebuild it.
KUBERNETES_RECIPE=3
TOOLS=${KUBEGRADE_TOOLS:-$HOME/.cache/kubegrade/bin}
mkdir -p "$TOOLS"

# Go may be installed outside PATH (the official tarball's default place).
command -v go >/dev/null 2>&1 || [ ! -x /usr/local/go/bin/go ] || PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null 2>&1 || die "Go 1.22 or later is needed to build the servers: install Debian's golang-1.22 from
       bookworm-backports, or the official tarball from https://go.dev/dl into /usr/local/go"
go_minor=$(go env GOVERSION | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
[ "${go_minor:-0}" -ge 22 ] || die "Go $(go env GOVERSION) is too old: 1.22 or later is needed (https://go.dev/dl)"

stamp_matches() { [ "$(cat "$TOOLS/$1.version" 2>/dev/null)" = "$2" ]; }

# Runs "$@" holding the group's lock; a second run waits, then finds the group built.
locked() {
  local name=$1; shift
  exec {lock}>"$TOOLS/.$name.lock"
  flock "$lock"
  "$@"
  exec {lock}>&-
}

module_dir() { # module@version -> its unpacked directory in the module cache
  local dir
  dir=$(GOFLAGS=-mod=mod go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] || die "could not download $1 from the Go module proxy"
  printf '%s' "$dir"
}

build_module() { # name module version package-dir [prepare-command]
  local name=$1 module=$2 version=$3 pkg=$4 prepare=${5:-}
  stamp_matches "$name" "$version" && [ -x "$TOOLS/$name" ] && return
  say "building $name $version (once; a few minutes)"
  local src
  src=$(mktemp -d)
  cp -r "$(module_dir "$module@$version")/." "$src" && chmod -R u+w "$src"
  if [ -n "$prepare" ]; then (cd "$src" && eval "$prepare"); fi
  (cd "$src" && CGO_ENABLED=0 go build -trimpath -o "$TOOLS/$name.tmp.$$" "$pkg")
  mv -f "$TOOLS/$name.tmp.$$" "$TOOLS/$name"
  echo "$version" > "$TOOLS/$name.version"
  rm -rf "$src"
}

build_local() {
  # FerretDB embeds its version from build/version/version.txt, which the module zip leaves empty.
  locked ferretdb build_module ferretdb github.com/FerretDB/FerretDB "$FERRETDB_VERSION" ./cmd/ferretdb \
    "echo $FERRETDB_VERSION > build/version/version.txt"
  locked minio build_module minio github.com/minio/minio "$MINIO_VERSION" .
}

KUBERNETES_BINARIES="kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl helm coredns kube-router pause"
KUBERNETES_STAMP="kubernetes $KUBERNETES_VERSION coredns $COREDNS_VERSION kube-router $KUBE_ROUTER_VERSION helm $HELM_VERSION pause $PAUSE_VERSION recipe $KUBERNETES_RECIPE"

kubernetes_built() {
  stamp_matches kubernetes "$KUBERNETES_STAMP" || return 1
  local b
  for b in $KUBERNETES_BINARIES; do [ -x "$TOOLS/$b" ] || return 1; done
}

build_kubernetes() {
  kubernetes_built && return
  command -v gcc >/dev/null 2>&1 || die "gcc is needed to build the pause container (apt-get install gcc libc6-dev)"
  say "building Kubernetes $KUBERNETES_VERSION, CoreDNS $COREDNS_VERSION, kube-router $KUBE_ROUTER_VERSION and helm $HELM_VERSION (once; 15-30 minutes on 2 cores)"
  local started=$SECONDS src out kdir staging=${KUBERNETES_VERSION/v1./v0.} minor
  minor=${KUBERNETES_VERSION#v1.}; minor=${minor%%.*}
  src=$(mktemp -d)
  out=$(mktemp -d "$TOOLS/.kubernetes.tmp.$$.XXXX")
  kdir=$(module_dir "k8s.io/kubernetes@$KUBERNETES_VERSION")
  # k8s.io/kubernetes points its staging modules at ./staging with replace directives, which only
  # apply inside that module; a throwaway module pins them to the published v0.x tags instead.
  {
    printf 'module kubegrade.local/cluster\n\ngo 1.22.0\n\nrequire (\n'
    printf '  k8s.io/kubernetes %s\n  github.com/coredns/coredns %s\n' "$KUBERNETES_VERSION" "$COREDNS_VERSION"
    printf '  github.com/cloudnativelabs/kube-router/v2 %s\n  helm.sh/helm/v3 %s\n)\n\nreplace (\n' "$KUBE_ROUTER_VERSION" "$HELM_VERSION"
    sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' "$kdir/go.mod" |
      while read -r m; do printf '  %s => %s %s\n' "$m" "$m" "$staging"; done
    printf ')\n'
  } > "$src/go.mod"
  # Blank imports make `go mod tidy` record every module the commands need.
  cat > "$src/imports.go" <<'EOF'
package imports

import (
	_ "github.com/cloudnativelabs/kube-router/v2/pkg/cmd"
	_ "helm.sh/helm/v3/pkg/action"
	_ "k8s.io/kubectl/pkg/cmd"
	_ "k8s.io/kubernetes/cmd/kube-apiserver/app"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	_ "k8s.io/kubernetes/cmd/kube-proxy/app"
	_ "k8s.io/kubernetes/cmd/kube-scheduler/app"
	_ "k8s.io/kubernetes/cmd/kubelet/app"
)
EOF
  mkdir "$src/coredns" "$src/helm"
  # CoreDNS with only what cluster DNS needs. Without the forward plugin, names outside
  # cluster.local are never resolved: pods learn nothing about the outside world from DNS.
  cat > "$src/coredns/main.go" <<'EOF'
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
)

func init() {
	dnsserver.Directives = []string{"errors", "log", "health", "ready", "cache", "kubernetes"}
}

func main() { coremain.Run() }
EOF
  (
    cd "$src"
    GOFLAGS=-mod=mod go mod tidy
    local v=k8s.io/component-base/version
    CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -o "$out/" -ldflags "-s -w
      -X $v.gitVersion=$KUBERNETES_VERSION -X $v.gitMajor=1 -X $v.gitMinor=$minor -X $v.gitTreeState=clean
      -X $v.buildDate=1970-01-01T00:00:00Z -X k8s.io/client-go/pkg/version.gitVersion=$KUBERNETES_VERSION
      -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean
      -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$minor
      -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$minor
      -X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$KUBE_ROUTER_VERSION" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
      k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy \
      k8s.io/kubernetes/cmd/kubectl helm.sh/helm/v3/cmd/helm github.com/cloudnativelabs/kube-router/v2/cmd/kube-router \
      ./coredns
  )
  # The pod sandbox's init process, from the same release.
  gcc -Os -static -Wall -DVERSION="v$PAUSE_VERSION-kubegrade" -o "$out/pause" "$kdir/build/pause/linux/pause.c"
  local b
  for b in $KUBERNETES_BINARIES; do mv -f "$out/$b" "$TOOLS/$b"; done
  echo "$KUBERNETES_STAMP" > "$TOOLS/kubernetes.version"
  rm -rf "$src" "$out"
  say "built the Kubernetes binaries in $((SECONDS - started)) s"
}

groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(local kubernetes)
for group in "${groups[@]}"; do
  case "$group" in
    local) build_local ;;
    kubernetes) locked kubernetes build_kubernetes ;;
    *) die "unknown group '$group' (local, kubernetes)" ;;
  esac
done
say "ready in $TOOLS: ${groups[*]}"
