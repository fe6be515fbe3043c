#!/usr/bin/env bash
# End to end: autoscaling through the controller against the mock cluster. A load scales the
# Deployment up to the count the HPA algorithm gives; a lower load scales it down only after the
# stabilization window; a budget clamps a scale-up with its numbers.
#   hack/e2e-autoscale.sh            (run by hack/test.sh)
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

source hack/lib/e2e.sh
require_tool kubectl e2e-autoscale
swift build --product hmsctl >/dev/null
swift build --product hms-controller >/dev/null
bin="$(swift build --show-bin-path)"
export HMS_JOURNAL="$work/journal.jsonl"
# Mid-month, mid-week: the budget's room and month below do not depend on the day this runs.
pin_clock 2026-11-18T12:00:00Z
start_mock --pod-startup-seconds 0.2
controller=""
trap '[ -n "$controller" ] && kill "$controller" 2>/dev/null; cleanup' EXIT

replicas() { k get deploy api -n scale -o jsonpath='{.spec.replicas}' 2>/dev/null; }
replicas_are() { [ "$(replicas)" = "$1" ]; }

echo "== autoscaling against $server"
k apply -f manifests/crds/ >/dev/null
printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"scale"}}' | k apply -f - >/dev/null
cat >"$work/api.yaml" <<'YAML'
apiVersion: ops.hms.gov/v1alpha1
kind: ServiceSpec
metadata: {name: api, namespace: scale, labels: {program: scale}}
spec: {image: registry.gov/api:1.0, replicas: 2, resources: {cpu: "1", memory: 1Gi}}
---
apiVersion: ops.hms.gov/v1alpha1
kind: AutoscaleRule
metadata: {name: api, namespace: scale}
spec:
  target: api
  minReplicas: 2
  maxReplicas: 30
  syncPeriodSeconds: 1
  metrics: [{type: pods, name: http_rps, targetAverageValue: 100}]
  behavior:
    scaleUp: {stabilizationWindowSeconds: 0, policies: [{type: Percent, value: 400, periodSeconds: 1}]}
    scaleDown: {stabilizationWindowSeconds: 8, policies: [{type: Percent, value: 100, periodSeconds: 1}]}
YAML
k apply -f "$work/api.yaml" >/dev/null
"$bin/hms-controller" --sync-seconds 0.3 --clock-offset-seconds="$clock_offset" --metrics-addr 127.0.0.1:0 --health-addr 127.0.0.1:0 --console-addr 127.0.0.1:0 >"$work/controller.log" 2>&1 &
controller=$!
wait_until 30 replicas_are 2 || true
expect "the ServiceSpec is deployed at minReplicas" "$(replicas)" "2"

control "load/scale/api" '{"http_rps": 600}'
wait_until 30 replicas_are 6 || true
expect "600 requests a second at 100 per pod: 6 replicas" "$(replicas)" "6"
k rollout status deploy/api -n scale --timeout=30s >/dev/null

control "load/scale/api" '{"http_rps": 300}'
lowered=$(date +%s.%N)
sleep 4
expect "4 s after the load fell: still 6 (the 8 s scale-down window holds)" "$(replicas)" "6"
wait_until 30 replicas_are 3 || true
waited=$(python3 -c "import time; print(round($(date +%s.%N) - $lowered, 1))")
expect "after the window: 300 requests, 3 replicas" "$(replicas)" "3"
# The window counts from the last time 6 was recommended: up to one rule period (1 s) and one
# refresh of the stored history (0.8 s) before the load fell. So: no sooner than 6.2 s.
step "and not before the window was over (${waited} s after the load fell)"
if python3 -c "import sys; sys.exit(0 if $waited >= 6.2 else 1)"; then pass; else fail "scaled down after $waited s"; fi

# A budget with room for about 5 replicas ($1/h each: 1 core x $0.75 + 1 GiB x $0.25) for the rest of the month.
hours_left=$(hours_left_in_month)
limit=$(python3 -c "print(round(5.5 * $hours_left, 2))")
printf 'apiVersion: ops.hms.gov/v1alpha1\nkind: Budget\nmetadata: {name: scale, namespace: scale}\nspec: {selector: {matchLabels: {program: scale}}, monthlyLimitUSD: %s, pricing: {cpuCoreHourUSD: 0.75, memoryGiBHourUSD: 0.25}}\n' "$limit" | k apply -f - >/dev/null
control "load/scale/api" '{"http_rps": 1200}'
wait_until 30 replicas_are 5 || true
sleep 2
expect "1,200 requests want 12; the budget clamps it to 5" "$(replicas)" "5"
expect_match "the journal has the clamp with its numbers" "$(python3 hack/lib/journal-entry.py CLAMP "$HMS_JOURNAL")" "CLAMP \[budget\] Budget scale: 12 replicas would project \\\$[0-9,.]+ of \\\$[0-9,.]+; clamped to 5"

# The controller keeps the Budget's spend in its status: five replicas at $1/h each.
sleep 1.5
expect "the Budget's status carries this month and the hourly cost" \
    "$(k get budget scale -n scale -o jsonpath='{.status.month} {.status.costUSDPerHour}')" "2026-11 5"
expect_match "and a projection for the month" "$(k get budget scale -n scale -o jsonpath='{.status.projectedUSD}')" "^[0-9]+(\.[0-9]+)?$"

finish e2e-autoscale
