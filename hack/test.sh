#!/usr/bin/env bash
# Everything CI runs: dependencies, build, every test, the end-to-end ones included.
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

hack/install-deps.sh curl
swift build --build-tests
swift test --skip-build --disable-xctest
# Against a live mock cluster: real kubectl, hmsctl, the controller, the Python client, a browser.
hack/e2e-kubectl.sh
hack/e2e-apply.sh
hack/e2e-controller.sh
hack/e2e-health.sh
hack/e2e-hostile.sh
hack/e2e-autoscale.sh
hack/e2e-directives.sh
hack/e2e-directives-controller.sh
hack/e2e-python.sh
hack/e2e-console.sh
hack/e2e-console-limits.sh
# The Helm chart and the install manifests, rendered and validated offline.
hack/test-chart.sh
hack/test-crd-schemas.sh
