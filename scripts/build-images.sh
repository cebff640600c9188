#!/usr/bin/env bash
# Builds the three images (runner, gateway, operator) from their Dockerfiles.
#
#   scripts/build-images.sh [--load] [--no-package] [registry/prefix] [tag]   (default ghcr.io/kubegrade 0.1.0)
#
# --load        also load them into the node of scripts/cluster.sh (its containerd), no registry needed
# --no-package  use the jars already under */target (the test suite has just packaged them)
#
# Any Docker Engine that answers (DOCKER_HOST, or the default socket) is used as it is. Where none
# runs and this is Debian as root, Docker Engine from Debian's docker.io is started for the build
# and stopped after it: its data under ~/.cache/kubegrade/docker (layers are reused next time), no
# bridge, no iptables or sysctl changes. Where Docker cannot pull the base image (no registry),
# debian:bookworm-slim is made here with debootstrap from the Debian mirror apt uses, and imported
# under that name, so the Dockerfiles stay the one description of each image.
# Prints each image's size and build time.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE=${KUBEGRADE_CACHE:-$HOME/.cache/kubegrade}
BASE=debian:bookworm-slim
# Bump when make_base_image changes: a base made here by an older recipe is made again.
BASE_RECIPE=debootstrap-2
load="" package=1
while [ $# -gt 0 ]; do
  case "$1" in
    --load) load=1; shift ;;
    --no-package) package=""; shift ;;
    -*) echo "build-images: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
PREFIX=${1:-ghcr.io/kubegrade}
TAG=${2:-0.1.0}

say() { printf 'build-images: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# ---------------------------------------------------------------------------------------------
# A Docker Engine: the one that answers, or our own for the duration of this script.

DOCKER_RUN=/run/kubegrade-docker
own_docker=""
stop_own_docker() {
  [ -n "$own_docker" ] || return 0
  local pid
  pid=$(cat "$DOCKER_RUN/dockerd.pid" 2>/dev/null || true)
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  # Its containerd and shims, then what they mounted and the cgroups of build steps.
  pkill -KILL -f "containerd.*$DOCKER_RUN" 2>/dev/null || true
  awk '{print $2}' /proc/mounts | grep -E "^($DOCKER_RUN|$CACHE/docker)" | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  local h
  for h in /sys/fs/cgroup/*/kubegrade-docker; do
    [ -d "$h" ] && find "$h" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  [ -n "$run_containerd_existed" ] || [ -n "$(pgrep -x containerd || true)" ] || rm -rf /run/containerd
  [ -n "$run_docker_existed" ] || rm -rf /run/docker # dockerd makes it whatever its exec root
  rm -rf "$DOCKER_RUN"
  own_docker=""
}

run_containerd_existed=""
run_docker_existed=""
start_own_docker() {
  [ "$(id -u)" -eq 0 ] || die "no Docker Engine answers, and starting one needs root"
  if ! command -v dockerd >/dev/null 2>&1; then
    command -v apt-get >/dev/null 2>&1 || die "no Docker Engine answers: start one, or set DOCKER_HOST"
    say "installing Docker Engine (Debian's docker.io)"
    local policy=/usr/sbin/policy-rc.d made=""
    # Installing must start nothing: our engine runs with its own settings.
    [ -e "$policy" ] || { printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 0755 "$policy"; made=1; }
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io >/dev/null
    [ -z "$made" ] || rm -f "$policy"
  fi
  [ -d /run/containerd ] && run_containerd_existed=1
  [ -d /run/docker ] && run_docker_existed=1
  mkdir -p "$DOCKER_RUN" "$CACHE/docker"
  own_docker=1
  trap stop_own_docker EXIT
  dockerd --data-root "$CACHE/docker" --exec-root "$DOCKER_RUN" --pidfile "$DOCKER_RUN/dockerd.pid" \
    --host "unix://$DOCKER_RUN/docker.sock" --bridge=none --iptables=false --ip6tables=false --ip-masq=false \
    --ip-forward=false --userland-proxy=false --cgroup-parent=/kubegrade-docker --log-level=warn \
    > "$CACHE/dockerd.log" 2>&1 &
  export DOCKER_HOST="unix://$DOCKER_RUN/docker.sock"
  for _ in $(seq 1 300); do
    docker version >/dev/null 2>&1 && return 0
    kill -0 $! 2>/dev/null || { tail -n 20 "$CACHE/dockerd.log" >&2; die "dockerd exited (log: $CACHE/dockerd.log)"; }
    sleep 0.1
  done
  die "dockerd did not answer within 30 s (log: $CACHE/dockerd.log)"
}

command -v docker >/dev/null 2>&1 && docker version >/dev/null 2>&1 || start_own_docker

# ---------------------------------------------------------------------------------------------
# The base image, made locally when it cannot be pulled.

debian_mirror() {
  local m
  m=$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null |
      grep -v -- '-security' | grep -oE 'https?://[^ ]*/debian/?' | head -1)
  echo "${m:-http://deb.debian.org/debian}"
}

make_base_image() {
  local tarball=$CACHE/images/debian-bookworm-minbase-$BASE_RECIPE.tar
  if [ ! -s "$tarball" ]; then
    command -v debootstrap >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
    local root mirror started=$SECONDS
    mirror=$(debian_mirror)
    root=$(mktemp -d)
    say "making $BASE with debootstrap from $mirror (once)"
    debootstrap --variant=minbase bookworm "$root" "$mirror" > "$CACHE/debootstrap.log" 2>&1 \
      || { tail -n 20 "$CACHE/debootstrap.log" >&2; die "debootstrap failed (log: $CACHE/debootstrap.log)"; }
    # As the published image: Debian's sources with security updates, no caches, no machine id.
    rm -f "$root/etc/apt/sources.list"
    cat > "$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian*}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    # Like the published slim image: no documentation, manuals or translations, now or later.
    printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' 'path-exclude /usr/share/man/*' \
      'path-exclude /usr/share/groff/*' 'path-exclude /usr/share/info/*' 'path-exclude /usr/share/lintian/*' \
      'path-exclude /usr/share/linda/*' 'path-exclude /usr/share/locale/*' 'path-include /usr/share/locale/locale.alias' \
      > "$root/etc/dpkg/dpkg.cfg.d/docker"
    find "$root/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete 2>/dev/null || true
    find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
    rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/lintian/* "$root"/usr/share/groff/*
    find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} + 2>/dev/null || true
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/log/* "$root"/tmp/*
    : > "$root/etc/machine-id"
    mkdir -p "$(dirname "$tarball")"
    tar -C "$root" --numeric-owner -cf "$tarball.tmp.$$" . && mv "$tarball.tmp.$$" "$tarball"
    rm -rf "$root"
    say "debootstrap took $((SECONDS - started)) s"
  fi
  docker import --change 'CMD ["bash"]' --change "LABEL io.kubegrade.base=$BASE_RECIPE" "$tarball" "$BASE" >/dev/null
}

made_here=$(docker image inspect --format '{{ index .Config.Labels "io.kubegrade.base" }}' "$BASE" 2>/dev/null || echo missing)
if [ "$made_here" = missing ]; then
  docker pull -q "$BASE" >/dev/null 2>&1 || make_base_image
elif [ -n "$made_here" ] && [ "$made_here" != "$BASE_RECIPE" ]; then
  make_base_image # made here by an older recipe
fi

# ---------------------------------------------------------------------------------------------
# The images

if [ -n "$package" ]; then
  ./mvnw -B -q -ntp package -DskipTests
fi
for jar in runner-image/target/kubegrade-runner-all.jar gateway/target/kubegrade-gateway-exec.jar operator/target/kubegrade-operator-all.jar; do
  [ -f "$jar" ] || die "$jar is missing: package first (./mvnw package -DskipTests)"
done

sock=""
if [ -n "$load" ]; then
  sock=$(scripts/cluster.sh env | sed -n 's/^KUBEGRADE_CLUSTER_CONTAINERD=//p')
  [ -S "$sock" ] || die "--load: the cluster is not up (scripts/cluster.sh up)"
fi

# The classic builder: any Docker Engine builds these Dockerfiles, BuildKit or not.
for component in runner gateway operator; do
  dockerfile=$component/Dockerfile
  [ "$component" = runner ] && dockerfile=runner-image/Dockerfile
  image=$PREFIX/$component:$TAG
  started=$SECONDS
  docker build -q --network host -f "$dockerfile" --build-arg VERSION="$TAG" -t "$image" . > /dev/null \
    || die "building $image failed (run: docker build --network host -f $dockerfile .)"
  built=$((SECONDS - started))
  size=$(docker image inspect --format '{{.Size}}' "$image")
  loaded=""
  if [ -n "$load" ]; then
    # The node keeps images between runs: an image it has with the same id is not imported again.
    id=$(docker image inspect --format '{{.Id}}' "$image")
    if ctr --address "$sock" --namespace k8s.io images ls | awk -v ref="$image" '$1 == ref' | grep -qF "io.kubegrade.docker-id=$id"; then
      loaded=", already on the node"
    else
      started=$SECONDS
      docker save "$image" | ctr --address "$sock" --namespace k8s.io images import - >/dev/null
      ctr --address "$sock" --namespace k8s.io images label "$image" "io.kubegrade.docker-id=$id" >/dev/null
      loaded=", loaded into the node in $((SECONDS - started)) s"
    fi
  fi
  printf 'image %s: %d MB, built in %d s%s\n' "$image" $((size / 1000000)) "$built" "$loaded"
done
