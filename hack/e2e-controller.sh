#!/usr/bin/env bash
# End to end: the in-cluster controller against a live mock cluster. Two replicas with leader
# election (exactly one acts; SIGKILL the leader and the other takes over within 20 s), autoscaling
# from the mock's metrics, convergence under injected faults, and --once.
#   hack/e2e-controller.sh            (run by hack/test.sh)
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

if ! command -v kubectl >/dev/null 2>&1; then
    echo "e2e-controller: SKIPPED: kubectl is not installed and Debian 12 does not package it"
    exit 0
fi

source hack/lib/e2e.sh
swift build --product hmsctl >/dev/null
swift build --product hms-controller >/dev/null
bin="$(swift build --show-bin-path)"
export HMS_JOURNAL="$work/journal.jsonl"
start_mock --pod-startup-seconds 0.3
controllers=()
stop_controllers() { for pid in "${controllers[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap 'stop_controllers; cleanup' EXIT

# start_controller IDENTITY [FLAGS...]
start_controller() {
    local identity=$1
    shift
    "$bin/hms-controller" --leader-elect --identity "$identity" --sync-seconds 0.5 \
        --metrics-addr 127.0.0.1:0 --health-addr 127.0.0.1:0 --console-addr 127.0.0.1:0 -v 2 "$@" >"$work/$identity.log" 2>&1 &
    controllers+=($!)
}
holder() { k get lease hms-controller -n default -o jsonpath='{.spec.holderIdentity}' 2>/dev/null; }
holder_is() { [ "$(holder)" = "$1" ]; }
replicas() { k get deploy eligibility-api -n student-aid -o jsonpath='{.spec.replicas}' 2>/dev/null; }
replicas_at_least() { [ "$(replicas)" -ge "$1" ] 2>/dev/null; }
writers() {  # the user agents of write requests
    curl -fsS "$server/mock/v1/requests" | python3 -c '
import json, sys
agents = {e["userAgent"] for e in json.load(sys.stdin)["items"] if e["method"] != "GET" and e["userAgent"].startswith("hms-controller")}
print(" ".join(sorted(agents)))'
}

echo "== hms-controller against $server"
k apply -f manifests/crds/ >/dev/null
for namespace in student-aid hud-relief passports power; do
    printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"%s"}}' "$namespace" | k apply -f - >/dev/null
done
sed '/freezeWindows:/,+1d' manifests/examples/governance.yaml | k apply -f - >/dev/null
k apply -f manifests/examples/student-aid-surge.yaml >/dev/null
k patch autoscalerule eligibility-api -n student-aid --type merge -p '{"spec":{"syncPeriodSeconds":1}}' >/dev/null

clear_requests
start_controller alpha
wait_until 20 holder_is alpha || true
start_controller beta
expect "the first replica holds the lease" "$(holder)" "alpha"
wait_until 30 replicas_at_least 4 || true
expect "the leader deploys the ServiceSpec" "$(k get deploy eligibility-api -n student-aid -o jsonpath='{.spec.replicas}')" "4"
sleep 2
expect "writes come from the leader only" "$(writers)" "hms-controller/0.1 (alpha)"
expect "the other replica acted on nothing" "$(grep -c '"message":"action"' "$work/beta.log" || true)" "0"

control "load/student-aid/eligibility-api" '{"http_rps": 3000}'
wait_until 30 replicas_at_least 6 || true
expect "a load of 3,000 requests a second scales to 6 (500 per pod)" "$(k get deploy eligibility-api -n student-aid -o jsonpath='{.spec.replicas}')" "6"
expect_match "the AutoscaleRule's status shows the metric" "$(k get autoscalerule eligibility-api -n student-aid -o jsonpath='{.status.currentMetrics[0].name}={.status.desiredReplicas}')" "^http_rps=6$"

kill -9 "${controllers[0]}"
started=$(date +%s)
if wait_until 25 holder_is beta; then took=$(( $(date +%s) - started )); else took=never; fi
step "SIGKILL of the leader: the other takes over within 20 s"
if [ "$took" != never ] && [ "$took" -le 20 ]; then pass; echo "    (in ${took} s)"; else fail "took: $took"; fi
control "load/student-aid/eligibility-api" '{"http_rps": 4000}'
wait_until 20 replicas_at_least 8 || true
# While new pods start, the ready ones carry the whole load: the HPA's rules may overshoot by one.
expect_match "the new leader goes on scaling (4,000 requests: 8 or 9)" "$(replicas)" "^(8|9)$"

# Faults: 20% errors, 5% dropped connections, 10% conflicts; 20 more services must converge.
for index in $(seq -w 1 20); do
    printf -- '---\napiVersion: ops.hms.gov/v1alpha1\nkind: ServiceSpec\nmetadata: {name: svc-%s, namespace: student-aid, labels: {program: student-aid}}\nspec: {image: registry.gov/svc:1.0, replicas: 2, resources: {cpu: 100m, memory: 64Mi}}\n' "$index"
done >"$work/many.yaml"
control faults '{"errorRate": 0.2, "resetRate": 0.05, "conflictRate": 0.1}'
k apply -f "$work/many.yaml" >/dev/null 2>&1 || k apply -f "$work/many.yaml" >/dev/null 2>&1 || k apply -f "$work/many.yaml" >/dev/null 2>&1 || true
converged() { [ "$(k get deploy -n student-aid -l app.kubernetes.io/managed-by=hms-controller -o jsonpath='{range .items[*]}{.spec.replicas}{"\n"}{end}' 2>/dev/null | grep -c '^2$')" -ge 20 ]; }
control faults '{}'
k apply -f "$work/many.yaml" >/dev/null  # make sure every ServiceSpec got in; the controller faces the faults below
control faults '{"errorRate": 0.2, "resetRate": 0.05, "conflictRate": 0.1}'
wait_until 60 converged || true
control faults '{}'
step "under 20% errors, 5% resets and 10% conflicts, 20 services converge"
if converged; then pass; else fail "$(k get deploy -n student-aid)"; fi
expect "no action bypassed a gate (every journal line has its gates)" "$(python3 -c '
import json, sys
entries = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(sum(1 for e in entries if e["result"] == "done" and (not e["gates"] or e["finalVerdict"] not in ("ALLOW", "CLAMP"))))' "$HMS_JOURNAL")" "0"

stop_controllers
for pid in "${controllers[@]}"; do wait "$pid" 2>/dev/null || true; done
controllers=()
expect "SIGTERM releases the lease" "$(holder)" ""
# Let the rollouts settle; then a pass records what changed, and the next one has nothing to write.
for deployment in $(k get deploy -n student-aid -o name); do k rollout status "$deployment" -n student-aid --timeout=30s >/dev/null; done
"$bin/hms-controller" --once >"$work/once.log" 2>&1
clear_requests
"$bin/hms-controller" --once >>"$work/once.log" 2>&1
expect "--once: one pass with nothing to do writes nothing" "$(writers)" ""

finish e2e-controller
