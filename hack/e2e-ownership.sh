#!/usr/bin/env bash
# End to end: ownership and cleanup against the strict mock. Deleting a ServiceSpec removes its
# Deployment and Service through the garbage collector (no controller running); the controller's
# prune finds what is left in a namespace with no ServiceSpec at all; a container added with
# `kubectl patch` is reported by `hmsctl plan` (DENY, exit 4) and by the controller (a
# ForeignContainer Event, hms_policy_findings) and is left in place; a restartedAt dropped from the
# spec never rolls the pods by itself and goes with the next rollout.
#   hack/e2e-ownership.sh            (run by hack/test.sh)
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

source hack/lib/e2e.sh
require_tool kubectl e2e-ownership
swift build --product hmsctl >/dev/null
swift build --product hms-controller >/dev/null
bin="$(swift build --show-bin-path)"
export HMS_JOURNAL="$work/journal.jsonl"
start_mock --pod-startup-seconds 0.2

echo "== ownership and cleanup against $server"
k apply -f manifests/crds/ >/dev/null
for namespace in owned shop leftover; do
    printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"%s"}}' "$namespace" | k apply -f - >/dev/null
done
spec() {  # spec NAMESPACE NAME: a ServiceSpec with a port (so a Service too)
    printf 'apiVersion: ops.hms.gov/v1alpha1\nkind: ServiceSpec\nmetadata: {name: %s, namespace: %s}\nspec: {image: registry.gov/%s:1.0, replicas: 1, port: 8080, resources: {cpu: 100m, memory: 64Mi}}\n' "$2" "$1" "$2"
}

# The garbage collector: what hmsctl made belongs to the ServiceSpec and goes with it.
spec owned web >"$work/web.yaml"
"$bin/hmsctl" apply -f "$work/web.yaml" >/dev/null
uid=$(k get svcspec web -n owned -o jsonpath='{.metadata.uid}')
expect "the Deployment's controller reference is the ServiceSpec" \
    "$(k get deploy web -n owned -o jsonpath='{.metadata.ownerReferences[0].kind} {.metadata.ownerReferences[0].uid} {.metadata.ownerReferences[0].controller}')" \
    "ServiceSpec $uid true"
expect "and the Service's" "$(k get svc web -n owned -o jsonpath='{.metadata.ownerReferences[0].uid}')" "$uid"
k delete svcspec web -n owned >/dev/null
collected() { [ -z "$(k get deploy,svc -n owned -o name 2>/dev/null)" ]; }
wait_until 20 collected || true
expect "deleting the ServiceSpec collects its Deployment and Service" "$(k get deploy,svc -n owned -o name 2>/dev/null)" ""

# A container added by hand: hmsctl plan reports it, and apply leaves it in place.
spec shop cart >"$work/cart.yaml"
"$bin/hmsctl" apply -f "$work/cart.yaml" >/dev/null
k patch deploy cart -n shop --type strategic \
    -p '{"spec":{"template":{"spec":{"containers":[{"name":"miner","image":"docker.io/evil/miner"}]}}}}' >/dev/null
set +o errexit
output=$("$bin/hmsctl" plan -f "$work/cart.yaml" --detailed-exitcode 2>&1); status=$?
set -o errexit
expect "hmsctl plan --detailed-exitcode: a foreign container is denied (exit 4)" "$status" "4"
expect_match "and named with its image and who added it" "$output" \
    "DENY +\[foreign-container\] container miner \(docker.io/evil/miner\) is not declared by the ServiceSpec, set by kubectl-patch"
"$bin/hmsctl" apply -f "$work/cart.yaml" >/dev/null || true
expect "hmsctl apply leaves it in place (another manager's field)" \
    "$(k get deploy cart -n shop -o jsonpath='{.spec.template.spec.containers[*].image}')" "registry.gov/cart:1.0 docker.io/evil/miner"

# restartedAt: a restart is applied as our field manager; dropped from the spec, the stamp stays
# (removing it would roll every pod) until another change rolls the pods anyway, and goes with it.
printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"restart"}}' | k apply -f - >/dev/null
api() {  # api REPLICAS TAG [RESTARTED-AT]: the ServiceSpec api, in $work/api.yaml
    printf 'apiVersion: ops.hms.gov/v1alpha1\nkind: ServiceSpec\nmetadata: {name: api, namespace: restart}\nspec: {image: registry.gov/api:%s, replicas: %s, port: 8080, resources: {cpu: 100m, memory: 64Mi}%s}\n' \
        "$2" "$1" "${3:+, restartedAt: \"$3\"}" >"$work/api.yaml"
    "$bin/hmsctl" apply -f "$work/api.yaml" >/dev/null
}
stamp() { k get deploy api -n restart -o jsonpath='{.spec.template.metadata.annotations.ops\.hms\.gov/restartedAt}'; }
hashes() { k get pods -n restart -l app=api -o jsonpath='{range .items[*]}{.metadata.labels.pod-template-hash}{"\n"}{end}' | sort -u | tr '\n' ' '; }
pods_are() { [ "$(k get pods -n restart -l app=api -o name | wc -l | tr -d ' ')" = "$1" ] && [ "$(hashes | wc -w | tr -d ' ')" = 1 ]; }
plan_exit() {
    set +o errexit
    "$bin/hmsctl" plan -f "$work/api.yaml" --detailed-exitcode >"$work/plan.out" 2>&1
    echo $?
    set -o errexit
}
api 1 1.0
api 1 1.0 2027-01-15T07:00:00Z
expect "a restart stamps the pod template" "$(stamp)" "2027-01-15T07:00:00Z"
expect "applied as hms-controller (no Update entry of ours)" \
    "$(k get deploy api -n restart -o jsonpath='{range .metadata.managedFields[?(@.manager=="hms-controller")]}{.operation} {end}')" "Apply "
k rollout status deploy/api -n restart --timeout=30s >/dev/null
wait_until 20 pods_are 1 || true
restarted_hash=$(hashes)
api 3 1.0
wait_until 20 pods_are 3 || true
expect "restartedAt dropped and a scale-up: the stamp stays" "$(stamp)" "2027-01-15T07:00:00Z"
expect "and no pod rolls (one pod-template-hash, the same)" "$(hashes)" "$restarted_hash"
expect "the plan converges (0)" "$(plan_exit)" "0"
clear_requests
api 3 1.1
expect "with an image change, the stamp goes in that same update" "$(stamp)" ""
expect "one write of the Deployment" "$(writes | grep -c '/namespaces/restart/deployments/api' || true)" "1"
k rollout status deploy/api -n restart --timeout=30s >/dev/null
wait_until 20 pods_are 3 || true
step "one rollout: every pod on one new pod-template-hash"
if [ "$(hashes | wc -w | tr -d ' ')" = 1 ] && [ "$(hashes)" != "$restarted_hash" ]; then pass; else fail "before: $restarted_hash" "after: $(hashes)"; fi
expect "the plan converges (0)" "$(plan_exit)" "0"

# A Deployment we made (our label, no owner reference: made before them) in a namespace that
# holds no ServiceSpec: only the controller's prune can find it.
k create deployment legacy -n leftover --image registry.gov/legacy:1.0 >/dev/null
k label deploy legacy -n leftover app.kubernetes.io/managed-by=hms-controller >/dev/null

"$bin/hms-controller" --sync-seconds 0.5 --metrics-addr 127.0.0.1:0 --health-addr 127.0.0.1:0 --console-addr 127.0.0.1:0 -v 2 \
    >"$work/controller.log" 2>&1 &
controller_pid=$!
legacy_gone() { [ -z "$(k get deploy -n leftover -o name 2>/dev/null)" ]; }
wait_until 30 legacy_gone || true
expect "the prune finds what is left where no ServiceSpec is" "$(k get deploy -n leftover -o name 2>/dev/null)" ""
event() { k get events -n shop --field-selector reason=ForeignContainer -o jsonpath='{.items[0].type} {.items[0].involvedObject.kind}/{.items[0].involvedObject.name}: {.items[0].message}' 2>/dev/null; }
has_event() { [ -n "$(event)" ]; }
wait_until 20 has_event || true
expect_match "the controller reports it: a Warning Event on the ServiceSpec" "$(event)" \
    "^Warning ServiceSpec/cart: update Deployment cart container miner \(docker.io/evil/miner\) → .*\[foreign-container\]"
metrics_port=$(grep '"metrics endpoint listening"' "$work/controller.log" | sed -n 's/.*"addr":"[^"]*:\([0-9][0-9]*\)".*/\1/p' | head -1)
expect "hms_policy_findings counts it" \
    "$(curl -fsS "http://127.0.0.1:$metrics_port/metrics" | awk '$1 == "hms_policy_findings{policy=\"builtin\",rule=\"foreign-container\"}" {print $2}')" "1.0"
expect "and the controller leaves it in place" \
    "$(k get deploy cart -n shop -o jsonpath='{.spec.template.spec.containers[*].name}')" "cart miner"
stop_controller

finish e2e-ownership
