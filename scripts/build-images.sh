#!/usr/bin/env bash
# Builds the three images (runner, gateway, operator) with Docker, after packaging the jars.
# Usage: scripts/build-images.sh [registry/prefix] [tag]   (default ghcr.io/kubegrade 0.1.0)
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX=${1:-ghcr.io/kubegrade}
TAG=${2:-0.1.0}
command -v docker >/dev/null 2>&1 || { echo "build-images: docker is needed" >&2; exit 1; }
./mvnw -B -q -ntp package -DskipTests
for component in runner gateway operator; do
  dockerfile=$component/Dockerfile
  [ "$component" = runner ] && dockerfile=runner-image/Dockerfile
  docker build -f "$dockerfile" --build-arg VERSION="$TAG" -t "$PREFIX/$component:$TAG" .
done
