#!/usr/bin/env bash
# Everything CI runs: dependencies, build, every test.
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

hack/install-deps.sh
swift build --build-tests
swift test --skip-build --disable-xctest
# The official Python client against a live mock cluster.
hack/e2e-python.sh
