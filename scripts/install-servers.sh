#!/usr/bin/env bash
# Builds the local platform's storage servers from the Go module proxy, once, into
# ${KUBEGRADE_TOOLS:-~/.cache/kubegrade/bin}: FerretDB 1.x (MongoDB wire protocol over SQLite) and
# MinIO (S3). Idempotent: a server already built at the pinned version is left alone.
set -euo pipefail

say() { printf 'install-servers: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

FERRETDB_VERSION=v1.24.0
# MinIO tags releases outside semver, so the module proxy knows it by pseudo-version.
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
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
say "ready: $("$TOOLS/ferretdb" --version 2>/dev/null | head -1), minio $MINIO_VERSION in $TOOLS"
