#!/usr/bin/env bash
# The official Kubernetes Python client against a live mock cluster: builds hms-mock-cluster, starts
# it on a free port with a temporary kubeconfig, runs Tests/e2e/python, and always stops the mock.
#   hack/e2e-python.sh [PYTEST ARGS ...]
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

hack/install-deps.sh pip:kubernetes pip:pytest
swift build --product hms-mock-cluster
mock="$(swift build --show-bin-path)/hms-mock-cluster"

work="$(mktemp -d)"
mock_pid=""
cleanup() {
  if [ -n "$mock_pid" ] && kill -0 "$mock_pid" 2>/dev/null; then
    kill "$mock_pid"
    wait "$mock_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$mock" --port 0 --kubeconfig-out "$work/kubeconfig" --pod-startup-seconds 0.5 --job-seconds 1 \
  >"$work/mock.log" 2>&1 &
mock_pid=$!

for _ in $(seq 1 100); do
  grep -q "^hms-mock-cluster listening on " "$work/mock.log" && break
  kill -0 "$mock_pid" 2>/dev/null || { cat "$work/mock.log" >&2; echo "e2e-python: the mock exited" >&2; exit 1; }
  sleep 0.1
done
if ! grep -q "^hms-mock-cluster listening on " "$work/mock.log"; then
  cat "$work/mock.log" >&2
  echo "e2e-python: the mock did not start listening within 10 s" >&2
  exit 1
fi
grep "^hms-mock-cluster listening on " "$work/mock.log"

status=0
HMS_MOCK_KUBECONFIG="$work/kubeconfig" PYTHONDONTWRITEBYTECODE=1 \
  .venv/bin/python -m pytest -p no:cacheprovider -q Tests/e2e/python "$@" || status=$?
if [ "$status" -ne 0 ]; then
  echo "e2e-python: failed; the mock's log follows" >&2
  tail -n 50 "$work/mock.log" >&2
fi
exit "$status"
