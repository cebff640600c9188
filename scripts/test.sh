#!/usr/bin/env bash
# Runs every test: unit tests (*Test) and integration tests against real Chromium and Redis (*IT).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec ./mvnw -B -ntp verify "$@"
