#!/usr/bin/env bash
# The grading engine on its own: with no arguments it grades a sample solution of the counter
# challenge and prints the events and the verdict; with arguments it runs the runner's command
# line (grade / verify / worker, see docs/runner.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh none
jar=runner-image/target/kubegrade-runner-all.jar
if [ ! -f "$jar" ] || [ -n "$(find api/src runner-image/src pom.xml api/pom.xml runner-image/pom.xml -newer "$jar" -print -quit)" ]; then
  ./mvnw -B -ntp -q -DskipTests package >&2
fi
if [ "$#" -eq 0 ]; then
  set -- grade --events --challenge challenges/counter challenges/counter/solutions/ACCEPTED/hooks.jsx
fi
exec java -jar "$jar" "$@"
