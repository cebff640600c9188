#!/usr/bin/env bash
# Builds real servers from the Go module proxy, once, into ${KUBEGRADE_TOOLS:-~/.cache/kubegrade/bin}:
# FerretDB 1.x (MongoDB wire protocol over SQLite) and MinIO (S3) for the local platform, and
# kube-apiserver (with Debian's etcd) for the operator's tests. Idempotent: a server already built
# at the pinned version is left alone.
set -euo pipefail

say() { printf 'install-servers: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

FERRETDB_VERSION=v1.24.0
# MinIO tags releases outside semver, so the module proxy knows it by pseudo-version.
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
KUBERNETES_VERSION=v1.31.4
TOOLS=${KUBEGRADE_TOOLS:-$HOME/.cache/kubegrade/bin}
mkdir -p "$TOOLS"

# Go may be installed outside PATH (the official tarball's default place).
command -v go >/dev/null 2>&1 || [ ! -x /usr/local/go/bin/go ] || PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null 2>&1 || die "Go is needed to build FerretDB and MinIO (https://go.dev/dl, or Debian's golang 1.24+)"

build() { # name module version package-dir [prepare-command]
  local name=$1 module=$2 version=$3 pkg=$4 prepare=${5:-}
  if [ -x "$TOOLS/$name" ] && [ "$(cat "$TOOLS/$name.version" 2>/dev/null)" = "$version" ]; then
    return
  fi
  say "building $name $version (once; a few minutes)"
  local dir src
  dir=$(GOFLAGS=-mod=mod go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] || die "could not download $module@$version from the Go module proxy"
  src=$(mktemp -d)
  cp -r "$dir/." "$src" && chmod -R u+w "$src"
  if [ -n "$prepare" ]; then (cd "$src" && eval "$prepare"); fi
  (cd "$src" && CGO_ENABLED=0 go build -trimpath -o "$TOOLS/$name.tmp" "$pkg")
  mv "$TOOLS/$name.tmp" "$TOOLS/$name"
  echo "$version" > "$TOOLS/$name.version"
  rm -rf "$src"
}

# FerretDB embeds its version from build/version/version.txt, which the module zip leaves empty.
build ferretdb github.com/FerretDB/FerretDB "$FERRETDB_VERSION" ./cmd/ferretdb "echo $FERRETDB_VERSION > build/version/version.txt"
build minio github.com/minio/minio "$MINIO_VERSION" .
# kube-apiserver: k8s.io/kubernetes points its staging modules at ./staging with replace
# directives, which `go install` refuses; a throwaway module pins them to the published v0.x tags.
build_kube_apiserver() {
  local version=$KUBERNETES_VERSION staging=${KUBERNETES_VERSION/v1./v0.}
  if [ -x "$TOOLS/kube-apiserver" ] && [ "$(cat "$TOOLS/kube-apiserver.version" 2>/dev/null)" = "$version" ]; then
    return
  fi
  say "building kube-apiserver $version (once; a few minutes)"
  local src gomod
  src=$(mktemp -d)
  gomod=$(GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$version" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
  [ -n "$gomod" ] || die "could not download k8s.io/kubernetes@$version from the Go module proxy"
  {
    printf 'module kubegrade.local/kube-apiserver\n\ngo 1.22.0\n\nrequire k8s.io/kubernetes %s\n\nreplace (\n' "$version"
    sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' "$gomod" | while read -r m; do printf '  %s => %s %s\n' "$m" "$m" "$staging"; done
    printf ')\n'
  } > "$src/go.mod"
  printf 'package main\n\nimport _ "k8s.io/kubernetes/cmd/kube-apiserver/app"\n\nfunc main() {}\n' > "$src/main.go"
  (cd "$src" && GOFLAGS=-mod=mod go mod tidy >/dev/null 2>&1 && CGO_ENABLED=0 go build -trimpath -o "$TOOLS/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver)
  mv "$TOOLS/kube-apiserver.tmp" "$TOOLS/kube-apiserver"
  echo "$version" > "$TOOLS/kube-apiserver.version"
  rm -rf "$src"
}
build_kube_apiserver

say "ready: $("$TOOLS/ferretdb" --version 2>/dev/null | head -1), minio $MINIO_VERSION, kube-apiserver $KUBERNETES_VERSION in $TOOLS"
