#!/usr/bin/env bash
# End to end: hmsctl apply, plan, approve and get against a live mock cluster, checked with real
# kubectl and the mock's request log.
#   hack/e2e-apply.sh            (run by hack/test.sh)
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

source hack/lib/e2e.sh
require_tool kubectl e2e-apply
swift build --product hmsctl >/dev/null
hmsctl="$(swift build --show-bin-path)/hmsctl"
export HMS_JOURNAL="$work/journal.jsonl"
start_mock --pod-startup-seconds 0.5

# The examples, minus the weekend freeze: this test must not depend on the day it runs.
mkdir "$work/examples"
cp manifests/examples/*.yaml "$work/examples/"
sed -i '/freezeWindows:/,+1d' "$work/examples/governance.yaml"
examples="$work/examples"

echo "== hmsctl against $server"
k apply -f manifests/crds/ >/dev/null
for namespace in student-aid hud-relief passports power; do
    printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"%s"}}' "$namespace" | k apply -f - >/dev/null
done

# One invalid document among valid ones: nothing at all is written.
clear_requests
cat "$examples/hud-relief-payments.yaml" >"$work/mixed.yaml"
printf -- '---\napiVersion: ops.hms.gov/v1alpha1\nkind: ServiceSpec\nmetadata: {name: broken, namespace: hud-relief}\nspec: {image: registry.gov/x:1, replicas: "4"}\n' >>"$work/mixed.yaml"
set +o errexit
output=$("$hmsctl" apply -f "$work/mixed.yaml" 2>&1); status=$?
set -o errexit
expect "an invalid document fails the apply (exit 1)" "$status" "1"
expect_match "and names its file, line and column" "$output" "mixed.yaml:[0-9]+:[0-9]+: error: spec.replicas: expected an integer"
expect "and nothing was written" "$(writes)" ""

output=$("$hmsctl" apply -f "$examples")
expect_match "apply stores the resources" "$output" "servicespec.ops.hms.gov/eligibility-api created"
expect_match "and deploys every service" "$output" "Applied: 5 done, 0 not carried out, 0 failed."
expect "kubectl sees the Deployment" "$(k get deploy eligibility-api -n student-aid -o jsonpath='{.spec.replicas}')" "4"
expect "managed by hms-controller" "$(k get deploy hms-frm -n hud-relief -o jsonpath='{.metadata.labels.app\.kubernetes\.io/managed-by}')" "hms-controller"
expect "with its health check as a probe" "$(k get deploy hms-frm -n hud-relief -o jsonpath='{.spec.template.spec.containers[0].readinessProbe.httpGet.path}')" "/health"
expect "and a Service in front" "$(k get svc hms-frm -n hud-relief -o jsonpath='{.spec.ports[0].port}')" "8080"
k rollout status deploy/hms-frm -n hud-relief --timeout=30s >/dev/null
expect_match "status is written to the ServiceSpec" "$(k get servicespec hms-frm -n hud-relief -o jsonpath='{.status.lastAction}')" "^deploy 0 → 3: done"
expect_match "an Event records the action" "$(k get events -n hud-relief --field-selector reason=Deployed)" "Deployed +servicespec/hms-frm +deploy Deployment hms-frm 0 → 3"
expect_match "the journal records the decision" "$(grep -c '"verb":"deploy"' "$HMS_JOURNAL")" "^5$"

clear_requests
expect "apply again changes nothing" "$("$hmsctl" apply -f "$examples" | tail -1)" "No changes. The cluster matches the manifests."
expect "and writes nothing" "$(writes)" ""

sed -i 's/^  replicas: 3$/  replicas: 5/' "$examples/hud-relief-payments.yaml"
set +o errexit
output=$("$hmsctl" plan -f "$examples"); status=$?
set -o errexit
expect "plan of a change exits 2" "$status" "2"
expect_match "and shows the scale" "$output" "~ scale Deployment hud-relief/hms-frm \(ServiceSpec hms-frm\)"
expect_match "with its replicas" "$output" "replicas: +3 → 5"

sed -i 's/^  replicas: 5$/  replicas: 12/' "$examples/hud-relief-payments.yaml"
set +o errexit
output=$("$hmsctl" plan -f "$examples" --detailed-exitcode); status=$?
set -o errexit
expect "12 replicas under the governance policy: exit 3" "$status" "3"
expect_match "held for approval, with the reason" "$output" "HOLD  \[max-replicas\] 12 replicas need approval above 10"
id=$(printf '%s\n' "$output" | sed -n 's/^    id: *\(act-[0-9a-f]*\)$/\1/p' | head -1)
output=$("$hmsctl" apply -f "$examples")
expect_match "apply holds it" "$output" "held for approval; release it with: hmsctl approve $id -n hud-relief"
expect "the Deployment is not scaled yet" "$(k get deploy hms-frm -n hud-relief -o jsonpath='{.spec.replicas}')" "3"
# Without --authorize the mock answers SubjectAccessReviews from its role table, and over plain HTTP
# hmsctl sends no token, so the cluster says it is system:anonymous: that user may approve here
# (the gate asks before an Approval releases anything).
control auth '{"tokens": [], "roles": [{"user": "system:anonymous", "verbs": ["approve"], "apiGroups": ["ops.hms.gov"], "resources": ["approvals"]}]}'
expect_match "hmsctl approve writes an Approval, by the user the cluster says it is" "$("$hmsctl" approve "$id" -n hud-relief)" "$id approved by system:anonymous"
expect "kubectl sees the Approval" "$(k get approvals -n hud-relief -o jsonpath='{.items[0].spec.action}')" "$id"
expect_match "the next apply carries the action out" "$("$hmsctl" apply -f "$examples")" "✓ scale Deployment hud-relief/hms-frm 3 → 12"
expect "scaled" "$(k get deploy hms-frm -n hud-relief -o jsonpath='{.spec.replicas}')" "12"

sed 's#registry.gov/hud/hms-frm:1.8.4#docker.io/hms-frm:1.8.4#' "$examples/hud-relief-payments.yaml" >"$work/foreign.yaml"
set +o errexit
output=$("$hmsctl" plan -f "$work/foreign.yaml" --detailed-exitcode); status=$?
set -o errexit
expect "an image from another registry: exit 4" "$status" "4"
expect_match "denied, with the reason" "$output" "DENY  \[registry\] image docker.io/hms-frm:1.8.4 is not from an allowed registry \(registry.gov/\)"

# A budget projects to the end of the month, so the plan is pinned to a time 100 hours before
# December begins: then the $0.47 an hour that runs now projects $47.47, 20 replicas of hms-frm
# would project $73.15, and 15 fit. The check holds on any day.
sed -e 's/^  replicas: 12$/  replicas: 20/' -e 's/monthlyLimitUSD: .*/monthlyLimitUSD: 60/' "$examples/hud-relief-payments.yaml" >"$work/small-budget.yaml"
output=$("$hmsctl" plan -f "$work/small-budget.yaml" --now 2026-11-26T20:00:00Z || true)
expect_match "a small budget clamps a scale-up, with the numbers" "$output" "CLAMP \[budget\] Budget relief-payments-monthly: 20 replicas would project \\\$73.15 of \\\$60.00; clamped to 15 \(\\\$57.10\)"

# hmsctl writes status when it acts (the controller keeps it current): 3 were ready when it scaled.
expect_match "hmsctl get shows status columns" "$("$hmsctl" get servicespecs -n hud-relief)" "hms-frm +12 +3 +0.39 +False"
expect_match "hmsctl get -o yaml" "$("$hmsctl" get servicespec hms-frm -n hud-relief -o yaml)" "lastAction: 'scale 3 → 12: done \\(act-"

expect_match "hmsctl logs prints each pod's lines with its name" "$("$hmsctl" logs hms-frm -n hud-relief --tail 1)" "^\[hms-frm-[a-z0-9]+-[a-z0-9]{5}\] +listening on :8080"
set +o errexit
output=$("$hmsctl" logs no-such-service -n hud-relief 2>&1); status=$?
set -o errexit
expect "hmsctl logs of a service without pods fails (exit 1)" "$status" "1"

# An id that names no held action is refused: an Approval for it would release nothing, or the wrong thing.
set +o errexit
output=$("$hmsctl" approve act-0123456789abcdef -n hud-relief 2>&1); status=$?
set -o errexit
expect "hmsctl approve of an id nothing holds fails (exit 1)" "$status" "1"
expect_match "and says why" "$output" "act-0123456789abcdef is not an action held for approval in namespace hud-relief"

# A namespace that does not exist is named as such, and a partial failure says what was written.
printf 'apiVersion: ops.hms.gov/v1alpha1\nkind: ServiceSpec\nmetadata: {name: lone, namespace: nowhere}\nspec: {image: registry.gov/x:1}\n---\napiVersion: ops.hms.gov/v1alpha1\nkind: ServiceSpec\nmetadata: {name: lone, namespace: hud-relief}\nspec: {image: registry.gov/x:1}\n' >"$work/partial.yaml"
set +o errexit
output=$("$hmsctl" apply -f "$work/partial.yaml" 2>&1); status=$?
set -o errexit
expect "apply into a missing namespace fails (exit 1)" "$status" "1"
expect_match "naming the namespace, not the CRDs" "$output" 'servicespec.ops.hms.gov/lone in namespace nowhere not written: namespace "nowhere" not found; create it first'
expect_match "and saying what was written" "$output" "1 of 2 resources stored, 1 not written; nothing was planned or carried out."
expect_match "the other one was stored" "$output" "servicespec.ops.hms.gov/lone created"

finish e2e-apply
