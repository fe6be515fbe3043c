#!/usr/bin/env bash
# Everything CI runs: dependencies, build, every test, the end-to-end ones included.
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

hack/install-deps.sh curl
swift build --build-tests
swift test --skip-build --disable-xctest
hack/e2e-kubectl.sh
hack/e2e-apply.sh
hack/e2e-controller.sh
hack/e2e-autoscale.sh
# The ops console in headless Chromium.
hack/e2e-console.sh
# The official Python client against a live mock cluster.
hack/e2e-python.sh
hack/test-chart.sh
hack/e2e-directives.sh
# The ops console in headless Chromium.
hack/e2e-console.sh
