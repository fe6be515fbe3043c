#!/usr/bin/env bash
# End to end: the in-cluster controller against a live mock cluster. Two replicas with leader
# election (exactly one acts; SIGKILL the leader and the other takes over within 20 s), autoscaling
# from the mock's metrics, convergence of 50 services and a Directive run under injected faults
# (no Job created twice), SIGKILL mid-work and restart (nothing duplicated, budget spend
# continuous), --once, and --manifests DIR (read again when a file changes).
#   hack/e2e-controller.sh            (run by hack/test.sh)
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

source hack/lib/e2e.sh
require_tool kubectl e2e-controller
swift build --product hmsctl >/dev/null
swift build --product hms-controller >/dev/null
bin="$(swift build --show-bin-path)"
export HMS_JOURNAL="$work/journal.jsonl"
# Mid-month: the Budget spend checked below stays in one month whatever day this runs.
pin_clock 2026-11-18T12:00:00Z
start_mock --pod-startup-seconds 0.3
controllers=()
stop_controllers() { for pid in "${controllers[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap 'stop_controllers; cleanup' EXIT

# start_controller IDENTITY [FLAGS...]
start_controller() {
    local identity=$1
    shift
    "$bin/hms-controller" --leader-elect --identity "$identity" --sync-seconds 0.5 --clock-offset-seconds="$clock_offset" \
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

# The endpoints of each replica, at the addresses their logs name.
endpoint() {  # endpoint IDENTITY "health endpoints"|"metrics endpoint" PATH
    local addr
    addr=$(grep "\"$2 listening\"" "$work/$1.log" | sed -n 's/.*"addr":"[^"]*:\([0-9][0-9]*\)".*/\1/p' | head -1)
    curl -fsS "http://127.0.0.1:$addr$3"
}
metric() { endpoint "$1" "metrics endpoint" /metrics | awk -v name="$2" '$1 == name {print $2}'; }
expect "/healthz of the leader" "$(endpoint alpha "health endpoints" /healthz)" "ok"
expect "/readyz of the leader: its caches are synced" "$(endpoint alpha "health endpoints" /readyz)" "ok"
expect "/readyz of the replica that waits" "$(endpoint beta "health endpoints" /readyz)" "ok"
expect "hms_leader: 1 on the leader" "$(metric alpha hms_leader)" "1.0"
expect "hms_leader: 0 on the other" "$(metric beta hms_leader)" "0.0"
expect "hms_actions_total counts the deploy" "$(metric alpha 'hms_actions_total{verb="deploy",verdict="ALLOW"}')" "1"
expect_match "hms_reconciles_total counts reconciles" "$(metric alpha 'hms_reconciles_total{result="ok"}')" "^[1-9][0-9]*$"
expect "hms_budget_limit_usd per Budget" "$(metric alpha 'hms_budget_limit_usd{budget="student-aid-monthly"}')" "10000.0"
# Eleven informers each list and then watch (a GET each): their requests count too, on both replicas.
at_least_22() { [ "${1%.*}" -ge 22 ] 2>/dev/null; }
gets=$(metric beta 'hms_api_requests_total{verb="GET",code="200"}')
step "hms_api_requests_total counts the informers' GETs (22 or more)"
if at_least_22 "$gets"; then pass; else fail "GET 200: $gets"; fi

kill -9 "${controllers[0]}"
started=$(date +%s)
if wait_until 25 holder_is beta; then took=$(( $(date +%s) - started )); else took=never; fi
step "SIGKILL of the leader: the other takes over within 20 s"
if [ "$took" != never ] && [ "$took" -le 20 ]; then pass; echo "    (in ${took} s)"; else fail "took: $took"; fi
control "load/student-aid/eligibility-api" '{"http_rps": 4000}'
wait_until 20 replicas_at_least 8 || true
# While new pods start, the ready ones carry the whole load: the HPA's rules may overshoot by one.
expect_match "the new leader goes on scaling (4,000 requests: 8 or 9)" "$(replicas)" "^(8|9)$"

# Faults: 20% errors, 5% dropped connections, 10% conflicts. The leader is stopped (SIGSTOP)
# while 50 more ServiceSpecs and a Directive run request of 10 jobs go in, then faces the faults.
for index in $(seq -w 1 50); do
    printf -- '---\napiVersion: ops.hms.gov/v1alpha1\nkind: ServiceSpec\nmetadata: {name: svc-%s, namespace: student-aid, labels: {program: student-aid}}\nspec: {image: registry.gov/svc:1.0, replicas: 2, resources: {cpu: 100m, memory: 64Mi}}\n' "$index"
done >"$work/many.yaml"
cat >"$work/faulted.yaml" <<YAML
apiVersion: ops.hms.gov/v1alpha1
kind: Directive
metadata: {name: faulted, namespace: power}
spec:
  schedule: "0 0 1 1 *"
  template: {image: registry.gov/power-worker:2.1, resources: {cpu: 100m, memory: 64Mi}}
  jobs: [{id: j01}, {id: j02}, {id: j03}, {id: j04}, {id: j05}, {id: j06}, {id: j07}, {id: j08}, {id: j09}, {id: j10}]
  maxRuntimeSeconds: 60
YAML
# jobs_created: Jobs the mock created for hms-controller since the log was cleared (201s).
jobs_created() {
    curl -fsS "$server/mock/v1/requests" | python3 -c '
import json, sys
print(sum(1 for e in json.load(sys.stdin)["items"] if e["method"] == "POST" and e["path"].startswith("/apis/batch/v1/namespaces/power/jobs")
          and e["status"] == 201 and e["userAgent"].startswith("hms-controller")))'
}
faulted_jobs() { k get jobs -n power -l ops.hms.gov/directive=faulted -o name 2>/dev/null | wc -l | tr -d ' '; }
converged() {  # converged IMAGE_TAG: the 50 services run 2 replicas of that image
    [ "$(k get deploy -n student-aid -l app.kubernetes.io/managed-by=hms-controller -o jsonpath='{range .items[*]}{.spec.replicas} {.spec.template.spec.containers[0].image}{"\n"}{end}' 2>/dev/null | grep -c "^2 registry.gov/svc:$1$")" -ge 50 ]
}
converged_with_jobs() { converged "$1" && [ "$(faulted_jobs)" -ge "$2" ]; }
gate_bypasses() {
    python3 -c '
import json, sys
entries = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(sum(1 for e in entries if e.get("result") == "done" and (not e["gates"] or e["finalVerdict"] not in ("ALLOW", "CLAMP"))))' "$HMS_JOURNAL"
}

clear_requests
kill -STOP "${controllers[1]}"
k apply -f "$work/many.yaml" >/dev/null
k apply -f "$work/faulted.yaml" >/dev/null
"$bin/hmsctl" directive run faulted -n power --request-only --now "$(pinned_date)" >/dev/null
control faults '{"errorRate": 0.2, "resetRate": 0.05, "conflictRate": 0.1}'
kill -CONT "${controllers[1]}"
wait_until 90 converged_with_jobs 1.0 10 || true
control faults '{}'
step "under 20% errors, 5% resets, 10% conflicts: 50 services converge"
if converged 1.0; then pass; else fail "$(k get deploy -n student-aid | head -20)"; fi
expect "and the Directive run's 10 Jobs exist" "$(faulted_jobs)" "10"
expect "no Job created twice (10 creates answered 201)" "$(jobs_created)" "10"
expect_match "the faults were felt (5xx and cut connections in the log)" "$(curl -fsS "$server/mock/v1/requests" | python3 -c '
import json, sys
items = [e for e in json.load(sys.stdin)["items"] if e["userAgent"].startswith("hms-controller")]
print(sum(1 for e in items if e["status"] >= 500), sum(1 for e in items if e["status"] == 0))')" "^[1-9][0-9]* [1-9][0-9]*$"
expect "no action bypassed a gate (every journal line has its gates)" "$(gate_bypasses)" "0"

# Restart: SIGKILL mid-work and start again. The Budget's stored spend says an hour at $2.00 an
# hour since $100.00: integrated once it is $102.00, and neither dropped nor doubled after.
month=$(pinned_date %Y-%m)
hour_ago=$(pinned_date %Y-%m-%dT%H:%M:%SZ 3600)
k patch budget student-aid-monthly -n student-aid --subresource=status --type=merge \
    -p "{\"status\":{\"month\":\"$month\",\"spentUSD\":100,\"costUSDPerHour\":2,\"lastUpdated\":\"$hour_ago\"}}" >/dev/null
spent() { k get budget student-aid-monthly -n student-aid -o jsonpath='{.status.spentUSD}'; }
spent_written() { [ "$(spent)" != "100" ]; }
wait_until 10 spent_written || true
before_kill=$(spent)
clear_requests
journal_lines_before=$(wc -l <"$HMS_JOURNAL")
sed 's/svc:1.0/svc:2.0/' "$work/many.yaml" | k apply -f - >/dev/null
"$bin/hmsctl" directive run faulted -n power --request-only --now "$(pinned_date)" >/dev/null
sleep 0.3
kill -9 "${controllers[1]}"
wait "${controllers[1]}" 2>/dev/null || true
# The Deployments the killed process wrote (answered 2xx), before a successor can write any.
curl -fsS "$server/mock/v1/requests" | python3 -c '
import json, sys
for e in json.load(sys.stdin)["items"]:
    parts = e["path"].split("?")[0].split("/")
    if e["method"] == "PATCH" and 200 <= e["status"] < 300 and parts[1:4] == ["apis", "apps", "v1"] and parts[6:7] == ["deployments"]:
        print(parts[5] + "/" + parts[7])' | sort -u >"$work/killed-writes"
start_controller gamma
wait_until 30 holder_is gamma || true
expect "after the SIGKILL a new replica leads" "$(holder)" "gamma"
wait_until 60 converged_with_jobs 2.0 20 || true
step "after the restart, the 50 services converge to the new image"
if converged 2.0; then pass; else fail "$(k get deploy -n student-aid -o wide | head -10)"; fi
expect "the second run's 10 Jobs exist" "$(faulted_jobs)" "20"
expect "nothing duplicated: each Job created once across the kill" "$(jobs_created)" "10"
sleep 3
expect_match "budget spend integrated once before the kill" "$before_kill" "^(101\.99|102|102\.0[0-9]?)$"
expect "and continuous after the restart (not dropped, not doubled)" "$(python3 -c "print(abs($(spent) - $before_kill) < 0.05)")" "True"
expect "no action bypassed a gate, before or after the kill" "$(gate_bypasses)" "0"
# Each of those writes has a decision line with a result since the update (journaled by the killed
# process after its write, or completed from the cluster by its successor on start); and no intent
# is left without one.
unjournaled() {
    python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()[int(sys.argv[3]):] if l.strip().startswith("{")]
results = {e["target"]["namespace"] + "/" + e["target"]["name"] for e in lines if "result" in e and e.get("verb") and e["target"]["kind"] == "Deployment"}
written = [w for w in open(sys.argv[2]).read().split() if w]
intents = {e["id"] for e in lines if "intent" in e}
finished = {e["id"] for e in lines if "result" in e}
print(len(written) > 0, sum(1 for w in written if w not in results), len(intents - finished))' "$HMS_JOURNAL" "$work/killed-writes" "$journal_lines_before"
}
expect "every Deployment the killed process wrote has a journal result, and no intent is left open" "$(unjournaled)" "True 0 0"

# ServiceSpecs applied while the controller runs: hmsctl writes each ServiceSpec, then its
# Deployment, and the controller may hear of the Deployment before the ServiceSpec. A prune is
# only a proposal until a live read finds the owner gone: the controller deletes no Deployment.
for index in $(seq -w 1 20); do
    printf -- '---\napiVersion: ops.hms.gov/v1alpha1\nkind: ServiceSpec\nmetadata: {name: race-%s, namespace: student-aid, labels: {program: student-aid}}\nspec: {image: registry.gov/svc:1.0, replicas: 1, resources: {cpu: 100m, memory: 64Mi}}\n' "$index"
done >"$work/race.yaml"
# controller_deletes [NAME]: the Deployments hms-controller asked to delete since the log was cleared.
controller_deletes() {
    curl -fsS "$server/mock/v1/requests" | python3 -c '
import json, sys
name = sys.argv[1] if len(sys.argv) > 1 else ""
print(sum(1 for e in json.load(sys.stdin)["items"] if e["method"] == "DELETE" and "/deployments/" + name in e["path"]
          and e["userAgent"].startswith("hms-controller")))' "$@"
}
reconciles() { metric gamma 'hms_reconciles_total{result="ok"}' | cut -d. -f1; }
clear_requests
"$bin/hmsctl" apply -f "$work/race.yaml" >/dev/null
after_apply=$(reconciles)
reconciled_twice_since() { [ "$(reconciles)" -ge $((after_apply + 2)) ] 2>/dev/null; }
wait_until 20 reconciled_twice_since || true
expect "ServiceSpecs applied while it runs: no Deployment deleted" "$(controller_deletes)" "0"
expect "and their 20 Deployments stay" "$(k get deploy -n student-aid -o name | grep -c '/race-')" "20"
expect "each owned by its ServiceSpec (ownerReferences)" \
    "$(k get deploy race-01 -n student-aid -o jsonpath='{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name} {.metadata.ownerReferences[0].uid}')" \
    "ServiceSpec/race-01 $(k get servicespec race-01 -n student-aid -o jsonpath='{.metadata.uid}')"

stop_controllers
for pid in "${controllers[@]}"; do wait "$pid" 2>/dev/null || true; done
controllers=()
expect "SIGTERM releases the lease" "$(holder)" ""
# Let the rollouts settle; then a pass records what changed, and the next one has nothing to write.
for deployment in $(k get deploy -n student-aid -o name); do k rollout status "$deployment" -n student-aid --timeout=30s >/dev/null; done
"$bin/hms-controller" --once --clock-offset-seconds="$clock_offset" >"$work/once.log" 2>&1
clear_requests
"$bin/hms-controller" --once --clock-offset-seconds="$clock_offset" >>"$work/once.log" 2>&1
expect "--once: one pass with nothing to do writes nothing" "$(writers)" ""

# --manifests DIR: the desired state from files, re-read when a file changes. A ServiceSpec that
# lives in the cluster, in the same namespace, is none of its business: it prunes only what it
# made from files.
printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"gitops"}}' | k apply -f - >/dev/null
printf 'apiVersion: ops.hms.gov/v1alpha1\nkind: ServiceSpec\nmetadata: {name: in-cluster, namespace: gitops}\nspec: {image: registry.gov/svc:1.0, replicas: 1, resources: {cpu: 100m, memory: 64Mi}}\n' >"$work/in-cluster.yaml"
"$bin/hmsctl" apply -f "$work/in-cluster.yaml" >/dev/null
mkdir -p "$work/gitops"
printf 'apiVersion: ops.hms.gov/v1alpha1\nkind: ServiceSpec\nmetadata: {name: from-git, namespace: gitops}\nspec: {image: registry.gov/svc:1.0, replicas: 1, resources: {cpu: 100m, memory: 64Mi}}\n' >"$work/gitops/svc.yaml"
printf 'apiVersion: ops.hms.gov/v1alpha1\nkind: ServiceSpec\nmetadata: {name: keeper, namespace: gitops}\nspec: {image: registry.gov/svc:1.0, replicas: 1, resources: {cpu: 100m, memory: 64Mi}}\n' >"$work/gitops/keeper.yaml"
clear_requests
"$bin/hms-controller" --manifests "$work/gitops" --sync-seconds 0.5 --clock-offset-seconds="$clock_offset" \
    --metrics-addr 127.0.0.1:0 --health-addr 127.0.0.1:0 --console-addr 127.0.0.1:0 >"$work/gitops.log" 2>&1 &
controllers+=($!)
gitops_image() { k get deploy from-git -n gitops -o jsonpath='{.spec.template.spec.containers[0].image}' 2>/dev/null; }
gitops_image_is() { [ "$(gitops_image)" = "$1" ]; }
wait_until 20 gitops_image_is registry.gov/svc:1.0 || true
expect "--manifests: the file's ServiceSpec is deployed" "$(gitops_image)" "registry.gov/svc:1.0"
sed -i 's/svc:1.0/svc:2.0/' "$work/gitops/svc.yaml"
wait_until 20 gitops_image_is registry.gov/svc:2.0 || true
expect "--manifests: a changed file is read again and acted on" "$(gitops_image)" "registry.gov/svc:2.0"
expect "--manifests: what it made is marked as made from files" \
    "$(k get deploy from-git -n gitops -o jsonpath='{.metadata.annotations.ops\.hms\.gov/source}')" "manifests"
rm "$work/gitops/svc.yaml"
from_git_gone() { ! k get deploy from-git -n gitops >/dev/null 2>&1; }
wait_until 20 from_git_gone || true
expect "--manifests: a file removed, what it made is pruned" "$(controller_deletes from-git)" "1"
expect "--manifests: an in-cluster ServiceSpec's Deployment: no delete" "$(controller_deletes in-cluster)" "0"
expect "and its Deployment stays" "$(k get deploy in-cluster -n gitops -o name 2>/dev/null)" "deployment.apps/in-cluster"
stop_controllers

# Events as client-go records them: ten scale-ups held for approval, passed over every 0.5 s, are
# one Event each (one POST, no 409), and an approved one gets a Scaled Event of its own.
printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"held"}}' | k apply -f - >/dev/null
{
    printf 'apiVersion: ops.hms.gov/v1alpha1\nkind: GovernancePolicy\nmetadata: {name: rules, namespace: held}\nspec: {maxReplicasWithoutApproval: 10}\n'
    for index in $(seq -w 1 10); do
        printf -- '---\napiVersion: ops.hms.gov/v1alpha1\nkind: ServiceSpec\nmetadata: {name: held-%s, namespace: held}\nspec: {image: registry.gov/svc:1.0, replicas: 2, resources: {cpu: 100m, memory: 64Mi}}\n' "$index"
    done
} >"$work/held.yaml"
k apply -f "$work/held.yaml" >/dev/null
"$bin/hms-controller" --identity delta --sync-seconds 0.5 --clock-offset-seconds="$clock_offset" \
    --metrics-addr 127.0.0.1:0 --health-addr 127.0.0.1:0 --console-addr 127.0.0.1:0 >"$work/held.log" 2>&1 &
controllers+=($!)
held_deployed() { [ "$(k get deploy -n held -o jsonpath='{range .items[*]}{.spec.replicas}{"\n"}{end}' 2>/dev/null | grep -c '^2$')" -eq 10 ]; }
wait_until 30 held_deployed || true
clear_requests
sed 's/replicas: 2/replicas: 12/' "$work/held.yaml" | k apply -f - >/dev/null
held_decisions() { python3 -c '
import json, sys
print(len({e["id"] for e in map(json.loads, open(sys.argv[1]).read().splitlines()) if e.get("finalVerdict") == "HOLD" and e["target"]["namespace"] == "held" and "result" in e}))' "$HMS_JOURNAL"; }
held_journaled() { [ "$(held_decisions)" -ge 10 ]; }
wait_until 30 held_journaled || true
expect "ten held scale-ups are journaled" "$(held_decisions)" "10"
# A window of twelve passes over the standing decisions (counted by the controller's own metric,
# so a loaded machine makes it longer, never weaker): what is counted is requests.
held_passes() { metric held 'hms_reconciles_total{result="ok"}' | cut -d. -f1; }
passes_before=$(held_passes)
twelve_more_passes() { [ "$(held_passes)" -ge $((passes_before + 12)) ] 2>/dev/null; }
wait_until 60 twelve_more_passes || true
event_requests() {
    curl -fsS "$server/mock/v1/requests" | python3 -c '
import collections, json, sys
items = [e for e in json.load(sys.stdin)["items"] if e["path"].split("?")[0].startswith("/api/v1/namespaces/held/events")]
posts = [e for e in items if e["method"] == "POST"]
print(len(posts), sum(1 for e in items if e["status"] == 409))'
}
expect "held decisions over 12 sync periods: one Event POST each, no 409" "$(event_requests)" "10 0"
expect "one Event per held decision, not one per pass" "$(k get events -n held -o jsonpath='{range .items[*]}{.reason}{"\n"}{end}' | grep -c '^ActionHeld$')" "10"
held_id=$(python3 -c '
import json, sys
print([e for e in map(json.loads, open(sys.argv[1]).read().splitlines()) if e.get("finalVerdict") == "HOLD" and e["target"]["name"] == "held-01" and "result" in e][-1]["id"])' "$HMS_JOURNAL")
control auth '{"tokens": [], "roles": [{"user": "system:anonymous", "verbs": ["approve"], "apiGroups": ["ops.hms.gov"], "resources": ["approvals"]}]}'
"$bin/hmsctl" approve "$held_id" -n held >/dev/null
scaled_event() {  # (grep -q would end the pipe early: with pipefail, a failure)
    [ "$(k get events -n held -o jsonpath='{range .items[*]}{.reason} {.involvedObject.name}{"\n"}{end}' 2>/dev/null | grep -c '^Scaled held-01$')" = 1 ]
}
wait_until 30 scaled_event || true
step "after the approval, the carried-out scale-up has its own Scaled Event"
if scaled_event; then pass; else fail "$(k get events -n held 2>&1 | head -15)"; fi
expect "held-01 scaled to 12" "$(k get deploy held-01 -n held -o jsonpath='{.spec.replicas}')" "12"
stop_controllers

finish e2e-controller
