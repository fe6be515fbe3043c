#!/usr/bin/env bash
# Fails when manifests/crds/ differs from what the Swift types generate (run `hack/gen-crds.sh`).
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

generated=$(mktemp -d)
trap 'rm -rf "$generated"' EXIT
swift run --skip-build hmsctl crds --output-dir "$generated"
if ! diff -ru manifests/crds "$generated"; then
  echo "verify-crds: manifests/crds/ is out of date with the types; run hack/gen-crds.sh" >&2
  exit 1
fi
echo "verify-crds: manifests/crds/ matches the types."
