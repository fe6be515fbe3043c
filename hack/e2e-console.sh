#!/usr/bin/env bash
# End to end: the ops console in a real browser. Headless Chromium driven by Selenium loads /ops
# against the mock cluster, checks the numbers, approves a held scale-up and sees the Deployment
# scale; curl checks the access rules (401 without a token, 403 for a viewer's approval).
# The browser signs in with `/ops?token=...` once: the console sets an HttpOnly cookie and redirects
# to /ops (Selenium cannot set request headers; the cookie keeps the token out of the URL after that).
#   hack/e2e-console.sh            (run by hack/test.sh)
# Screenshot: .build/console.png
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

if ! command -v kubectl >/dev/null 2>&1; then
    echo "e2e-console: SKIPPED: kubectl is not installed and Debian 12 does not package it"
    exit 0
fi
if ! hack/install-deps.sh chromium chromium-driver pip:selenium >/dev/null 2>&1 \
    || ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
    echo "e2e-console: SKIPPED: chromium and chromium-driver could not be installed"
    exit 0
fi

source hack/lib/e2e.sh
swift build --product hms-controller >/dev/null
bin="$(swift build --show-bin-path)"
export HMS_JOURNAL="$work/journal.jsonl"
start_mock --pod-startup-seconds 0.3
controller_pid=""
trap '[ -z "$controller_pid" ] || kill "$controller_pid" 2>/dev/null || true; cleanup' EXIT

k apply -f manifests/crds/ >/dev/null
printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"student-aid"}}' | k apply -f - >/dev/null
sed '/freezeWindows:/,+1d' manifests/examples/governance.yaml | k apply -f - >/dev/null 2>&1 || true
k apply -f manifests/examples/student-aid-surge.yaml >/dev/null
k patch autoscalerule eligibility-api -n student-aid --type merge -p '{"spec":{"syncPeriodSeconds":1}}' >/dev/null

# Random tokens: nothing guessable, and nothing printed.
approver_token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
viewer_token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s alice approver\n%s victor viewer\n' "$approver_token" "$viewer_token" >"$work/tokens"
chmod 600 "$work/tokens"

"$bin/hms-controller" --sync-seconds 0.5 --metrics-addr 127.0.0.1:0 --health-addr 127.0.0.1:0 \
    --console-addr 127.0.0.1:0 --console-token-file "$work/tokens" -v 2 >"$work/controller.log" 2>&1 &
controller_pid=$!
port=""
for _ in $(seq 100); do
    port=$(grep '"ops console listening"' "$work/controller.log" 2>/dev/null | sed -n 's/.*"addr":"[^"]*:\([0-9][0-9]*\)".*/\1/p' | head -1 || true)
    [ -n "$port" ] && break
    sleep 0.1
done
if [ -z "$port" ]; then
    cat "$work/controller.log"
    echo "e2e-console: the console did not start" >&2
    exit 1
fi
console="http://127.0.0.1:$port"
echo "== ops console at $console/ops against $server"

replicas() { k get deploy eligibility-api -n student-aid -o jsonpath='{.spec.replicas}' 2>/dev/null; }
wait_replicas() { for _ in $(seq $(($2 * 10))); do [ "$(replicas)" = "$1" ] && return 0; sleep 0.1; done; return 1; }
wait_replicas 4 30 || true
expect "the controller deploys the service" "$(replicas)" "4"

status() { curl -s -o "$work/body" -w '%{http_code}' "$@"; }
expect "no token: 401" "$(status "$console/ops")" "401"
expect_match "no token: no data in the answer" "$(cat "$work/body")" "^a bearer token is required$"
expect "a wrong token: 401" "$(status -H "Authorization: Bearer wrong" "$console/ops")" "401"
expect "no token: the event stream is 401 too" "$(status "$console/ops/events")" "401"
expect "a viewer reads the page" "$(status -H "Authorization: Bearer $viewer_token" "$console/ops")" "200"
expect "a viewer sees no Approve button" "$(grep -c 'action="/ops/approve"' "$work/body" || true)" "0"
expect "a viewer's approval: 403" \
    "$(status -H "Authorization: Bearer $viewer_token" -d id=act-0000000000000000 "$console/ops/approve")" "403"
expect "the page never shows a token" "$(grep -c -e "$viewer_token" -e "$approver_token" "$work/body" || true)" "0"

hack/install-deps.sh pip:selenium >/dev/null
mkdir -p .build
status=0
CONSOLE="$console" MOCK="$server" APPROVER_TOKEN="$approver_token" KUBECONFIG="$work/kubeconfig" SCREENSHOT=.build/console.png \
    PYTHONDONTWRITEBYTECODE=1 .venv/bin/python Tests/e2e/console/browser.py || status=$?
[ "$status" -eq 0 ] || failures=$((failures + 1))
expect "the controller log never holds a token" "$(grep -c -e "$viewer_token" -e "$approver_token" "$work/controller.log" || true)" "0"
if [ "$failures" -gt 0 ]; then tail -20 "$work/controller.log"; fi
finish e2e-console
