#!/usr/bin/env bash
# End to end: field ownership against the strict mock (managedFields per manager, defaults
# added, empty values dropped, as kube-apiserver stores them). After `hmsctl apply` the plan
# converges (plan and diff exit 0) and a controller pass writes nothing; a `kubectl patch` of a
# field we own is seen by plan and diff alike, reverted by the controller and reported (Event
# DriftReverted naming the field and kubectl-patch, hms_drift_total), for the Deployment and the
# Service alike; a port change in the ServiceSpec moves the Service; another manager's
# container is no change of ours, for plan and diff alike; `kubectl scale` is set back and reported
# (ReplicasContested) unless the ServiceSpec hands replicas over (`scaling: external`).
#   hack/e2e-drift.sh            (run by hack/test.sh)
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

source hack/lib/e2e.sh
require_tool kubectl e2e-drift
swift build --product hmsctl >/dev/null
swift build --product hms-controller >/dev/null
bin="$(swift build --show-bin-path)"
export HMS_JOURNAL="$work/journal.jsonl"
start_mock --pod-startup-seconds 0.3
controller=""
trap '[ -z "$controller" ] || kill "$controller" 2>/dev/null || true; cleanup' EXIT

echo "== field ownership against $server"
k apply -f manifests/crds/ >/dev/null
printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"drift"}}' | k apply -f - >/dev/null
cat >"$work/web.yaml" <<'YAML'
apiVersion: ops.hms.gov/v1alpha1
kind: ServiceSpec
metadata: {name: web, namespace: drift}
spec:
  image: registry.gov/web:1.0
  replicas: 2
  port: 8080
  env: [{name: MODE, value: strict}, {name: EMPTY, value: ""}]
  resources: {cpu: "0.5", memory: 64Mi}
  healthCheck: {path: /health, periodSeconds: 10}
YAML

# status_of COMMAND...: its exit status; its output in $work/output (see output()).
status_of() {
    set +o errexit
    "$@" >"$work/output" 2>&1
    echo $?
}
output() { cat "$work/output"; }
plan_status() { status_of "$bin/hmsctl" plan -f "$work/web.yaml" --detailed-exitcode; }
diff_status() { status_of "$bin/hmsctl" diff -f "$work/web.yaml"; }

"$bin/hmsctl" apply -f "$work/web.yaml" >/dev/null
expect "after hmsctl apply, plan --detailed-exitcode converges (0)" "$(plan_status)" "0"
expect "and diff agrees (0)" "$(diff_status)" "0"
expect "the Deployment's fields are hms-controller's (one Apply entry)" \
    "$(k get deploy web -n drift -o jsonpath='{range .metadata.managedFields[?(@.operation=="Apply")]}{.manager} {end}')" "hms-controller "
k rollout status deploy/web -n drift --timeout=30s >/dev/null
clear_requests
"$bin/hms-controller" --once >"$work/once.log" 2>&1
# The pods became ready after hmsctl wrote the status: the pass records that, and nothing else.
expect "a controller pass then writes only the readiness it saw" "$(writes)" \
    "PATCH /apis/ops.hms.gov/v1alpha1/namespaces/drift/servicespecs/web/status"
clear_requests
"$bin/hms-controller" --once >>"$work/once.log" 2>&1
expect "and the next pass writes nothing at all" "$(writes)" ""

# A field we own, changed by someone else: plan and diff both see it, naming who.
k patch deploy web -n drift -p '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"docker.io/evil/miner"}]}}}}' >/dev/null
expect "a kubectl patch of the image: plan shows a change (2)" "$(plan_status)" "2"
expect_match "naming the field and kubectl-patch" "$(output)" 'drift: +\.spec\.template\.spec\.containers\[name="web"\]\.image changed by kubectl-patch'
expect "and diff agrees (1)" "$(diff_status)" "1"
expect_match "naming them too" "$(output)" '\.spec\.template\.spec\.containers\[name="web"\]\.image: "docker.io/evil/miner" → "registry.gov/web:1.0" \(changed by kubectl-patch\)'

"$bin/hms-controller" --sync-seconds 0.5 --metrics-addr 127.0.0.1:0 --health-addr 127.0.0.1:0 --console-addr 127.0.0.1:0 \
    >"$work/controller.log" 2>&1 &
controller=$!
image() { k get deploy web -n drift -o jsonpath='{.spec.template.spec.containers[?(@.name=="web")].image}' 2>/dev/null; }
image_is() { [ "$(image)" = "$1" ]; }
wait_until 30 image_is registry.gov/web:1.0 || true
expect "the controller reverts the image" "$(image)" "registry.gov/web:1.0"
drift_events() { k get events -n drift -o jsonpath='{range .items[?(@.reason=="DriftReverted")]}{.type} {.message}{"\n"}{end}' 2>/dev/null; }
has_drift_event() { [ -n "$(drift_events)" ]; }
wait_until 10 has_drift_event || true
expect_match "Event DriftReverted names the field and the manager" "$(drift_events)" \
    '^Warning reverted on Deployment web: \.spec\.template\.spec\.containers\[name="web"\]\.image changed by kubectl-patch'
metrics_port=$(grep '"metrics endpoint listening"' "$work/controller.log" | sed -n 's/.*"addr":"[^"]*:\([0-9][0-9]*\)".*/\1/p' | head -1)
drift_total() { curl -fsS "http://127.0.0.1:$metrics_port/metrics" | awk '$1 == "hms_drift_total{kind=\"Deployment\"}" {print $2}'; }
expect_match "hms_drift_total{kind=\"Deployment\"} counts it" "$(drift_total)" '^1(\.0)?$'

# An env value: a list-map entry's field, reverted the same way.
k patch deploy web -n drift -p '{"spec":{"template":{"spec":{"containers":[{"name":"web","env":[{"name":"MODE","value":"lenient"}]}]}}}}' >/dev/null
mode() { k get deploy web -n drift -o jsonpath='{.spec.template.spec.containers[?(@.name=="web")].env[?(@.name=="MODE")].value}' 2>/dev/null; }
mode_is() { [ "$(mode)" = "$1" ]; }
wait_until 10 mode_is lenient || true
wait_until 30 mode_is strict || true
expect "a patched env value is reverted" "$(mode)" "strict"
two_events() { [ "$(drift_events | grep -c 'env\[name="MODE"\]\.value changed by kubectl-patch')" = 1 ]; }
wait_until 10 two_events || true
expect "with its own DriftReverted Event" "$(drift_events | grep -c 'env\[name="MODE"\]\.value changed by kubectl-patch')" "1"
expect_match "and hms_drift_total counts 2" "$(drift_total)" '^2(\.0)?$'

# The Service, compared through ownership too: a port field another manager changed is reverted
# and reported like the Deployment's.
k patch svc web -n drift -p '{"spec":{"ports":[{"port":8080,"targetPort":9999}]}}' >/dev/null
target_port() { k get svc web -n drift -o jsonpath='{.spec.ports[?(@.port==8080)].targetPort}' 2>/dev/null; }
target_port_is() { [ "$(target_port)" = "$1" ]; }
wait_until 10 target_port_is 9999 || true
wait_until 30 target_port_is 8080 || true
expect "a patched Service targetPort is reverted" "$(target_port)" "8080"
service_event() { drift_events | grep '^Warning reverted on Service web: ' || true; }
has_service_event() { [ -n "$(service_event)" ]; }
wait_until 10 has_service_event || true
expect_match "with a DriftReverted Event naming the field and the manager" "$(service_event)" \
    '^Warning reverted on Service web: \.spec\.ports\[port=8080,protocol="TCP"\]\.targetPort changed by kubectl-patch'
service_drift_total() { curl -fsS "http://127.0.0.1:$metrics_port/metrics" | awk '$1 == "hms_drift_total{kind=\"Service\"}" {print $2}'; }
expect_match "and hms_drift_total{kind=\"Service\"} counts it" "$(service_drift_total)" '^1(\.0)?$'
kill "$controller"
wait "$controller" 2>/dev/null || true
controller=""

# Converged again: no write, plan and diff agree.
expect "after the reverts, plan converges (0)" "$(plan_status)" "0"
expect "and diff agrees (0)" "$(diff_status)" "0"
clear_requests
"$bin/hms-controller" --once >>"$work/once.log" 2>&1
expect "and a controller pass writes nothing" "$(writes)" ""

# A port change in the ServiceSpec moves the Service (the old port goes: only our apply held it).
sed -i 's/port: 8080/port: 9090/' "$work/web.yaml"
"$bin/hmsctl" apply -f "$work/web.yaml" >/dev/null
expect "a port change in the ServiceSpec updates the Service" \
    "$(k get svc web -n drift -o jsonpath='{range .spec.ports[*]}{.name} {.port}->{.targetPort} {.protocol}{"\n"}{end}')" "http 9090->9090 TCP"
expect "and the plan converges (0)" "$(plan_status)" "0"
expect "and diff agrees (0)" "$(diff_status)" "0"

# Replicas with other scalers. kubectl scale (an Update through /scale; kubectl names no field manager, so it is
# the User-Agent's "kubectl")
# of a service the controller scales is set back, and the ServiceSpec says who contests it; of a
# `scaling: external` service it is left alone, and nothing is written to its Deployment.
replicas_of() { k get deploy "$1" -n drift -o jsonpath='{.spec.replicas}' 2>/dev/null; }
contested() { k get servicespec "$1" -n drift -o jsonpath='{.status.conditions[?(@.type=="ReplicasContested")].status} {.status.conditions[?(@.type=="ReplicasContested")].message}' 2>/dev/null; }
k scale deploy web -n drift --replicas=5 >/dev/null
expect "kubectl scale took .spec.replicas through /scale" \
    "$(k get deploy web -n drift -o jsonpath='{range .metadata.managedFields[?(@.subresource=="scale")]}{.manager} {.operation}{end}')" "kubectl Update"
"$bin/hms-controller" --once >>"$work/once.log" 2>&1
expect "the controller sets a contested count back" "$(replicas_of web)" "2"
expect_match "and ReplicasContested names the other manager" "$(contested web)" '^True .*"kubectl"'

cat >"$work/ext.yaml" <<'YAML'
apiVersion: ops.hms.gov/v1alpha1
kind: ServiceSpec
metadata: {name: ext, namespace: drift}
spec:
  image: registry.gov/web:1.0
  scaling: external
YAML
"$bin/hmsctl" apply -f "$work/ext.yaml" >/dev/null
k scale deploy ext -n drift --replicas=3 >/dev/null
clear_requests
"$bin/hms-controller" --once >>"$work/once.log" 2>&1
expect "kubectl scale of a scaling: external service is left alone" "$(replicas_of ext)" "3"
expect "and no write reaches its Deployment" "$(writes | grep -c 'deployments/ext' || true)" "0"
expect_match "its ServiceSpec says the count is another scaler's" "$(contested ext)" '^False spec.scaling is external'
expect "and its plan converges (0)" "$(status_of "$bin/hmsctl" plan -f "$work/ext.yaml" --detailed-exitcode)" "0"

# Another manager's container is not a field of ours: apply would change nothing (diff 0), and the
# plan shows it as the governance gate's finding on the live state, denied (exit 4), never as a
# change it would carry out (hack/e2e-ownership.sh follows the finding to its Event and metric).
k patch deploy web -n drift -p '{"spec":{"template":{"spec":{"containers":[{"name":"miner","image":"docker.io/evil/miner"}]}}}}' >/dev/null
expect "a container another manager added: diff sees no field of ours changed (0)" "$(diff_status)" "0"
expect "and plan reports it as a denied finding (4)" "$(plan_status)" "4"
expect_match "naming the container" "$("$bin/hmsctl" plan -f "$work/web.yaml" 2>&1 || true)" 'foreign-container\] container miner \(docker.io/evil/miner\)'

finish e2e-drift
