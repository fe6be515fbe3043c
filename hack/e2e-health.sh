#!/usr/bin/env bash
# End to end: health replacement cannot take a service down. Against a live mock cluster, most
# pods of a service fail their health check at once (a dependency outage): the controller deletes
# none, and the ServiceSpec shows Degraded=True with a ServiceDegraded Warning Event. When only
# one pod still fails, that one is replaced.
#   hack/e2e-health.sh            (run by hack/test.sh)
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

source hack/lib/e2e.sh
require_tool kubectl e2e-health
swift build --product hms-controller >/dev/null
bin="$(swift build --show-bin-path)"
export HMS_JOURNAL="$work/journal.jsonl"
start_mock --pod-startup-seconds 0.3

echo "== health replacement against $server"
k apply -f manifests/crds/ >/dev/null
printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"health"}}' | k apply -f - >/dev/null
# A health period of 1 s (periodSeconds 1 x failureThreshold 1), so the test waits little.
printf 'apiVersion: ops.hms.gov/v1alpha1\nkind: ServiceSpec\nmetadata: {name: web, namespace: health}\nspec: {image: registry.gov/web:1.0, replicas: 8, port: 8080, resources: {cpu: 100m, memory: 64Mi}, healthCheck: {path: /health, periodSeconds: 1, failureThreshold: 1}}\n' \
    | k apply -f - >/dev/null

"$bin/hms-controller" --sync-seconds 0.5 \
    --metrics-addr 127.0.0.1:0 --health-addr 127.0.0.1:0 --console-addr 127.0.0.1:0 -v 2 >"$work/controller.log" 2>&1 &
pids+=($!)

ready() { k get deploy web -n health -o jsonpath='{.status.readyReplicas}' 2>/dev/null; }
ready_is() { [ "$(ready)" = "$1" ]; }
wait_until 30 ready_is 8 || true
expect "the service runs 8 ready pods" "$(ready)" "8"

pods=($(k get pods -n health -l app=web -o jsonpath='{.items[*].metadata.name}'))
clear_requests
# A dependency outage: 6 of 8 pods fail at once.
for pod in "${pods[@]:0:6}"; do control "pods/health/$pod/health" '{"healthy": false}'; done

degraded() { k get servicespec web -n health -o jsonpath='{.status.conditions[?(@.type=="Degraded")].reason}' 2>/dev/null; }
degraded_is() { [ "$(degraded)" = "$1" ]; }
wait_until 20 degraded_is ServiceDegraded || true
expect "6 of 8 failing: the ServiceSpec is Degraded" "$(degraded)" "ServiceDegraded"
degraded_message() { k get servicespec web -n health -o jsonpath='{.status.conditions[?(@.type=="Degraded")].message}' 2>/dev/null; }
# The six cross their threshold within a second of each other: the count may show 5 first.
six_failing() { degraded_message | grep -q '^6 of 8 pods failing'; }
wait_until 10 six_failing || true
expect_match "its message gives the counts" "$(degraded_message)" "^6 of 8 pods failing"
event() { k get events -n health --field-selector reason=ServiceDegraded -o jsonpath='{.items[*].type}' 2>/dev/null; }
event_seen() { [ -n "$(event)" ]; }
wait_until 10 event_seen || true
expect "a ServiceDegraded Warning Event is recorded" "$(event)" "Warning"
# Several more health periods pass (each failing probe is an Event that wakes the controller).
deleted_pods() { writes | grep -c '^DELETE .*/pods/' || true; }
unhealthy_events() { k get events -n health --field-selector reason=Unhealthy -o jsonpath='{range .items[*]}{.count}{"\n"}{end}' 2>/dev/null | awk '{s += $1} END {print s + 0}'; }
events_at_least() { [ "$(unhealthy_events)" -ge "$1" ]; }
wait_until 20 events_at_least $(( $(unhealthy_events) + 18 )) || true
expect "while more than half fail, no pod is deleted" "$(deleted_pods)" "0"

# The dependency is back for all but one pod: that one is replaced, and Degraded clears.
# (a pod replaced meanwhile is gone: 404)
for pod in "${pods[@]:1:5}"; do control "pods/health/$pod/health" '{"healthy": true}' || true; done
one_deleted() { [ "$(deleted_pods)" -ge 1 ]; }
wait_until 20 one_deleted || true
deleted_names() { writes | grep '^DELETE .*/pods/' | sed 's|.*/||' | sort -u; }
expect_match "the pod still failing is replaced" "$(deleted_names)" "^${pods[0]}$"
# While the others recover one by one, 4 of 8 may still fail for a moment (not more than half):
# then some of them may be replaced too (a quarter per period), but never a pod that did not fail.
step "no pod that stayed healthy is replaced"
if ! deleted_names | grep -qx -e "${pods[6]}" -e "${pods[7]}"; then pass; else fail "deleted: $(deleted_names | tr '\n' ' ')"; fi
not_degraded() { ! degraded_is ServiceDegraded; }
wait_until 20 not_degraded || true
expect "Degraded clears" "$(k get servicespec web -n health -o jsonpath='{.status.conditions[?(@.type=="Degraded")].status}')" "False"

finish e2e-health
