#!/usr/bin/env bash
# Everything CI runs: dependencies, build, every test, the end-to-end ones included.
#   hack/test.sh [unit|live|e2e|all]      (default all)
#     unit  the Swift tests that need nothing running (every test target but the two live ones)
#     live  KubeLiveTests (the client, informers and gates) and ControllerLiveTests (the reconciler,
#           the loop, the informers, the executor, the autoscale reader and leader election, on a
#           test clock), against the mock served in the test process
#     e2e   the scripts against a live mock cluster: real kubectl, hmsctl, the controller, the
#           Python client, a browser; then the chart and the CRD schemas, offline
# In CI (CI=true) a missing tool is an error; on a developer machine a script says it skipped.
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

part=${1:-all}
case "$part" in
  unit | live | e2e | all) ;;
  *) echo "usage: hack/test.sh [unit|live|e2e|all]" >&2; exit 2 ;;
esac

hack/install-deps.sh curl pip:html5lib
swift build --build-tests
if [ "$part" = unit ] || [ "$part" = all ]; then
  swift test --skip-build --disable-xctest --skip KubeLiveTests --skip ControllerLiveTests
fi
if [ "$part" = live ] || [ "$part" = all ]; then
  # One target at a time: a few of KubeLiveTests' checks are timed (an answer within 0.8 s, a
  # write within a watch's first second), and on a small machine the controller's tests running
  # beside them would slow down what they time.
  swift test --skip-build --disable-xctest --filter KubeLiveTests
  swift test --skip-build --disable-xctest --filter ControllerLiveTests
fi
if [ "$part" = e2e ] || [ "$part" = all ]; then
  # Each script's mock keeps what it stored, to be checked against real schemas at the end.
  HMS_E2E_STORED=$(mktemp -d)
  export HMS_E2E_STORED
  trap 'rm -rf "$HMS_E2E_STORED"' EXIT
  hack/e2e-kubectl.sh
  hack/e2e-authorize.sh
  hack/e2e-chart-rbac.sh
  hack/e2e-roles.sh
  hack/e2e-apply.sh
  hack/e2e-controller.sh
  hack/e2e-ownership.sh
  hack/e2e-drift.sh
  hack/e2e-health.sh
  hack/e2e-hostile.sh
  hack/e2e-autoscale.sh
  hack/e2e-directives.sh
  hack/e2e-directives-controller.sh
  hack/e2e-directives-history.sh
  hack/e2e-directives-forbid.sh
  hack/e2e-python.sh
  hack/e2e-console.sh
  hack/e2e-console-limits.sh
  # The Helm chart and the install manifests, rendered and validated offline.
  hack/test-chart.sh
  hack/test-crd-schemas.sh
  hack/cel-crosscheck.sh
  hack/check-stored-objects.sh "$HMS_E2E_STORED"
fi
