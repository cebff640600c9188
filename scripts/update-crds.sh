#!/usr/bin/env bash
# Regenerates the GradingJob CRD from its Java classes and rewrites the committed copies
# (crds/ and helm/kubegrade/crds/). The build fails while they are stale.
set -euo pipefail
cd "$(dirname "$0")/.."
exec ./mvnw -B -q -ntp -pl api test -Dtest=GradingJobCrdTest -Dsurefire.failIfNoSpecifiedTests=false -Dkubegrade.updateCrds=true
