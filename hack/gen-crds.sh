#!/usr/bin/env bash
# Regenerates manifests/crds/ from the Swift types, and the Helm chart's copy of them (Helm installs
# CRDs from the chart's crds/ directory; tests fail when the two differ).
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."
swift run hmsctl crds --output-dir manifests/crds
rm -f charts/hms-controller/crds/*.yaml
cp manifests/crds/*.yaml charts/hms-controller/crds/
