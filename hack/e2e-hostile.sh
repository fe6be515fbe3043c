#!/usr/bin/env bash
# End to end: what a hostile or careless tenant writes cannot stop, crash or steer the controller.
# Against a live mock cluster with one controller running: objects the CRDs' schemas let through but
# the decoder refuses (a CPU of "2000000" cores, a cron "*/0 * * * *", a time zone America/Chicgo;
# what the schemas refuse, such as "5 cores", never reaches the controller), numbers that would
# overflow (a huge quantity covered by a Budget), and a GovernancePolicy applied together with the
# ServiceSpecs it governs. Every other namespace keeps being reconciled, the process keeps
# running, each bad object is reported (an InvalidSpec Event, a condition, a metric, hmsctl get),
# and no gate is skipped.
#   hack/e2e-hostile.sh            (run by hack/test.sh)
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

source hack/lib/e2e.sh
require_tool kubectl e2e-hostile
swift build --product hmsctl >/dev/null
swift build --product hms-controller >/dev/null
bin="$(swift build --show-bin-path)"
export HMS_JOURNAL="$work/journal.jsonl"
start_mock --pod-startup-seconds 0.3

"$bin/hms-controller" --sync-seconds 0.5 --metrics-addr 127.0.0.1:0 --health-addr 127.0.0.1:0 --console-addr 127.0.0.1:0 -v 2 \
    >"$work/controller.log" 2>&1 &
controller=$!
pids+=("$controller")
# The port each endpoint was given, from the controller's log.
endpoint() { grep "\"$1 endpoints\\? listening\"" "$work/controller.log" | head -1 | sed -n 's/.*"addr":"[^"]*:\([0-9][0-9]*\)".*/\1/p'; }
listening() { [ -n "$(endpoint health)" ] && [ -n "$(endpoint metrics)" ]; }
wait_until 30 listening || { cat "$work/controller.log"; exit 1; }
health="http://127.0.0.1:$(endpoint health)"
metrics="http://127.0.0.1:$(endpoint metrics)"
alive() { kill -0 "$controller" 2>/dev/null; }

namespace() { printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"%s"}}' "$1" | k apply -f - >/dev/null; }
service() {  # service NAMESPACE NAME [EXTRA-SPEC-YAML]
    printf 'apiVersion: ops.hms.gov/v1alpha1\nkind: ServiceSpec\nmetadata: {name: %s, namespace: %s, labels: {program: p}}\nspec:\n  image: registry.gov/%s:1\n  replicas: 1\n%s\n' \
        "$2" "$1" "$2" "${3:-}"
}
deployed() { k get deploy "$2" -n "$1" >/dev/null 2>&1; }

echo "== hms-controller against hostile objects on $server"
k apply -f manifests/crds/ >/dev/null
for ns in good bad-quantity bad-cron bad-zone huge; do namespace "$ns"; done

# Broken objects first, then a good one: the good one must still be deployed.
expect_match "the API server itself refuses a quantity \"5 cores\"" \
    "$(service bad-quantity web '  resources: {cpu: 5 cores}' | k apply -f - 2>&1 || true)" 'spec\.resources\.cpu: Invalid value: "5 cores": spec\.resources\.cpu in body should match'
service bad-quantity web '  resources: {cpu: "2000000"}' | k apply -f - >/dev/null
printf 'apiVersion: ops.hms.gov/v1alpha1\nkind: Directive\nmetadata: {name: nightly, namespace: bad-cron}\nspec:\n  schedule: "*/0 * * * *"\n  template: {image: registry.gov/w:1}\n  jobs: [{id: a}]\n' | k apply -f - >/dev/null
printf 'apiVersion: ops.hms.gov/v1alpha1\nkind: Directive\nmetadata: {name: chicgo, namespace: bad-zone}\nspec:\n  schedule: "0 6 * * *"\n  timeZone: America/Chicgo\n  template: {image: registry.gov/w:1}\n  jobs: [{id: a}]\n' | k apply -f - >/dev/null
{
    service huge miner '  resources: {cpu: 9999999999999999999999999999Ei, memory: 1Gi}'
    printf -- '---\napiVersion: ops.hms.gov/v1alpha1\nkind: Budget\nmetadata: {name: b, namespace: huge}\nspec:\n  selector: {matchLabels: {program: p}}\n  monthlyLimitUSD: 1e12\n  pricing: {cpuCoreHourUSD: 1, memoryGiBHourUSD: 1}\n'
} | k apply -f - >/dev/null
service good web | k apply -f - >/dev/null

wait_until 30 deployed good web || true
expect "a good ServiceSpec is deployed next to broken ones" "$(k get deploy web -n good -o jsonpath='{.spec.replicas}' 2>/dev/null)" "1"
step "the controller keeps running"
if alive; then pass; else fail "it exited: $(tail -5 "$work/controller.log")"; fi
expect "nothing is deployed for the out-of-range quantity" "$(deployed bad-quantity web && echo yes || echo no)" "no"
invalid_event() { k get events -n "$1" --field-selector reason=InvalidSpec -o jsonpath='{.items[*].message}' 2>/dev/null; }
has_invalid_event() { [ -n "$(invalid_event "$1")" ]; }
wait_until 20 has_invalid_event bad-quantity || true
expect_match "an InvalidSpec Event names the field" "$(invalid_event bad-quantity)" 'spec\.resources\.cpu: must be at most 1000000 cores, found 2000000'
expect_match "a cron with a step of 0 is reported" "$(wait_until 10 has_invalid_event bad-cron; invalid_event bad-cron)" "spec\.schedule"
expect_match "a misspelt time zone is reported" "$(wait_until 10 has_invalid_event bad-zone; invalid_event bad-zone)" "spec\.timeZone"
expect_match "the ServiceSpec's condition says InvalidSpec" \
    "$(k get servicespec web -n bad-quantity -o jsonpath='{.status.conditions[0].type}={.status.conditions[0].status} {.status.conditions[0].reason}')" "^Ready=False InvalidSpec$"
expect_match "/metrics counts invalid objects by kind" "$(curl -fsS "$metrics/metrics" | grep '^hms_invalid_objects{kind="Directive"}')" ' 2(\.0)?$'
expect_match "/readyz is ready and says how many are skipped" "$(curl -fsS "$health/readyz")" "^ok; [0-9]+ invalid objects skipped"
expect_match "hmsctl get shows an INVALID column" "$("$bin/hmsctl" get servicespecs -n bad-quantity)" "INVALID.*
web .*spec\.resources\.cpu: must be at most"
set +o errexit
# A Budget with an alert twice (the schema has no uniqueness for it; the decoder refuses it): the
# services it may cover wait, in the plan as in the controller.
namespace bad-budget
printf 'apiVersion: ops.hms.gov/v1alpha1\nkind: Budget\nmetadata: {name: b, namespace: bad-budget}\nspec:\n  selector: {matchLabels: {program: p}}\n  monthlyLimitUSD: 100\n  alertPercents: [50, 50]\n  pricing: {cpuCoreHourUSD: 1, memoryGiBHourUSD: 1}\n' | k apply -f - >/dev/null
service bad-budget api >"$work/api.yaml"
output=$("$bin/hmsctl" plan -f "$work/api.yaml" 2>&1); status=$?
set -o errexit
expect "hmsctl plan next to a broken Budget plans (exit 2: changes)" "$status" "2"
expect_match "and warns about it" "$output" "warning: Budget bad-budget/b in the cluster is invalid and left out: spec.alertPercents\[1\]: duplicate alert at 50%"
expect_match "and defers the deploy it could govern" "$output" "DEFER +\[invalid-gate-input\] Budget b is invalid"

# passes: how many reconcile passes the controller has finished.
passes() { curl -fsS "$metrics/metrics" 2>/dev/null | sed -n 's/^hms_reconciles_total{result="ok"} \([0-9]*\).*/\1/p'; }
passes_since() { [ "$(passes)" -ge $(($1 + 3)) ] 2>/dev/null; }
before=$(passes)
k annotate servicespec web -n good touched=1 --overwrite >/dev/null  # a reason for more passes
wait_until 20 passes_since "$before" || true
step "a huge quantity under a 1e12 budget: three passes later, running, nothing deployed"
if alive && ! deployed huge miner; then pass; else fail "alive: $(alive && echo yes || echo no); $(tail -5 "$work/controller.log")"; fi
expect_match "both are reported with their bounds" "$(invalid_event huge)" "spec\.(resources\.cpu|monthlyLimitUSD)"

# A metric name that is a path: it never reaches a request, and the rule is reported.
clear_requests
printf 'apiVersion: ops.hms.gov/v1alpha1\nkind: AutoscaleRule\nmetadata: {name: web, namespace: good}\nspec:\n  target: web\n  minReplicas: 1\n  maxReplicas: 3\n  syncPeriodSeconds: 1\n  metrics: [{type: pods, name: "../../../../api/v1/namespaces/kube-system/secrets?x=", targetAverageValue: 1}]\n' \
    | k apply -f - >/dev/null
wait_until 10 has_invalid_event good || true
expect_match "a metric name that is a path is reported" "$(invalid_event good)" 'spec\.metrics\[0\]\.name'
expect "and the controller sent no request outside the APIs it reads" \
    "$(curl -fsS "$server/mock/v1/requests" | python3 -c '
import json, sys
print(sum(1 for e in json.load(sys.stdin)["items"] if e["userAgent"].startswith("hms-controller") and ("secrets" in e["path"] or ".." in e["path"])))')" "0"

# A policy applied together with the services it governs: the ServiceSpecs' watch events may come
# first, and the gate must wait for the policy, not judge it absent. Eight namespaces at once.
for i in 1 2 3 4 5 6 7 8; do namespace "race-$i"; done
{
    for i in 1 2 3 4 5 6 7 8; do
        printf 'apiVersion: ops.hms.gov/v1alpha1\nkind: GovernancePolicy\nmetadata: {name: rules, namespace: race-%s}\nspec:\n  maxReplicasWithoutApproval: 3\n  allowedRegistries: [registry.gov/]\n---\n' "$i"
        printf 'apiVersion: ops.hms.gov/v1alpha1\nkind: ServiceSpec\nmetadata: {name: miner, namespace: race-%s}\nspec:\n  image: evil.example/miner:1\n  replicas: 9\n---\n' "$i"
    done
} | k apply -f - >/dev/null
decided() { [ "$(grep -c '"source":{"kind":"ServiceSpec","namespace":"race-' "$HMS_JOURNAL" 2>/dev/null)" -ge 8 ]; }
wait_until 30 decided || true
expect "no ServiceSpec slipped past a policy applied with it (Deployments of evil.example)" \
    "$(k get deploy -A -o jsonpath='{range .items[*]}{.spec.template.spec.containers[0].image}{"\n"}{end}' | grep -c '^evil.example' || true)" "0"
expect "each was denied by the policy" \
    "$(python3 -c '
import json, sys
denied = {json.loads(l)["source"]["namespace"] for l in open(sys.argv[1]) if "race-" in l and json.loads(l).get("finalVerdict") == "DENY"}
print(len(denied))' "$HMS_JOURNAL")" "8"

# An allowlist entry is a registry (and path) boundary, not a string prefix.
namespace lookalike
printf 'apiVersion: ops.hms.gov/v1alpha1\nkind: GovernancePolicy\nmetadata: {name: rules, namespace: lookalike}\nspec:\n  allowedRegistries: [registry.gov]\n' | k apply -f - >/dev/null
printf 'apiVersion: ops.hms.gov/v1alpha1\nkind: ServiceSpec\nmetadata: {name: x, namespace: lookalike}\nspec: {image: "registry.gov.attacker.io/x:1", replicas: 1}\n' >"$work/lookalike.yaml"
set +o errexit
output=$("$bin/hmsctl" plan -f "$work/lookalike.yaml" --detailed-exitcode 2>&1); status=$?
set -o errexit
expect "registry.gov does not allow registry.gov.attacker.io (exit 4: denied)" "$status" "4"
expect_match "and says why" "$output" "DENY +\[registry\] image registry.gov.attacker.io/x:1 is not from an allowed registry"

step "the controller is still running after all of it"
if alive; then pass; else fail "$(tail -5 "$work/controller.log")"; fi
finish e2e-hostile
