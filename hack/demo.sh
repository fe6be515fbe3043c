#!/usr/bin/env bash
# The demo. Today it shows the manifest layer: the examples validate, a broken manifest is
# reported like a compiler would, and the CRDs come from the types. (The embedded mock cluster
# joins when it lands; see the README.)
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

hack/install-deps.sh
swift build --product hmsctl 2>&1 | tail -n 1
hmsctl=.build/debug/hmsctl

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step hmsctl validate -f manifests/examples
$hmsctl validate -f manifests/examples

step hmsctl validate -f - "(a ServiceSpec with three mistakes)"
$hmsctl validate -f - <<'YAML' || echo "(exit code $?)"
apiVersion: ops.hms.gov/v1alpha1
kind: ServiceSpec
metadata:
  name: eligibility-api
spec:
  image: registry.gov/eligibility-api:1.4
  replicas: "4"
  resources: {cpu: 5 cores, memory: 512Mi}
  healthChek: {path: /health}
YAML

step hmsctl crds "| grep -E '^  name:|kind: [A-Z]'"
$hmsctl crds | grep -E '^  name:|^    kind: ' || true
