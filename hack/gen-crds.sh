#!/usr/bin/env bash
# Regenerates manifests/crds/ from the Swift types.
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."
swift run hmsctl crds --output-dir manifests/crds
