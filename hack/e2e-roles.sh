#!/usr/bin/env bash
# End to end: hmsctl run by users bound to the roles the README documents (manifests/roles/:
# hms-viewer, hms-operator, hms-approver), on a mock cluster started with --authorize, with the
# chart's RBAC and its ValidatingAdmissionPolicy for Approvals installed (manifests/install.yaml).
# Every documented flow runs without a single 401 or 403; every documented refusal is a 403. An
# Approval written by a user without `approve`, or naming someone else, is refused by the API
# server; an Approval whose approver later loses the right releases nothing. Approvers are
# confirmed with LocalSubjectAccessReviews, granted per namespace (hms-approval-reviewer).
#   hack/e2e-roles.sh            (run by hack/test.sh)
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

source hack/lib/e2e.sh
require_tool kubectl e2e-roles
swift build --product hmsctl >/dev/null
hmsctl="$(swift build --show-bin-path)/hmsctl"
export HMS_JOURNAL="$work/journal.jsonl"
# kubectl and client-go send a kubeconfig's token only over TLS: a self-signed certificate for 127.0.0.1.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=hms-mock" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
export CURL_CA_BUNDLE="$work/tls.crt"  # the control API is served over the same HTTPS
start_mock --authorize --auth Tests/e2e/roles/auth.yaml --tls-cert-file "$work/tls.crt" --tls-private-key-file "$work/tls.key"

# as USER COMMAND...: the command with USER's kubeconfig (the same cluster, USER's token).
for user in victor otto alice bob carol; do
    sed "s/token: hms-mock-token/token: $user-token/" "$work/kubeconfig" >"$work/$user.kubeconfig"
done
as() { local user=$1; shift; KUBECONFIG="$work/$user.kubeconfig" "$@"; }
kas() { local user=$1; shift; kubectl --kubeconfig "$work/$user.kubeconfig" --cache-dir "$work/cache" "$@"; }
# Everything a command printed, errors too, on one line (so that a pattern can span it), then its
# exit status: "... exit 1".
run() {
    local status=0 output
    output=$("$@" 2>&1) || status=$?
    printf '%s exit %s' "$(tr '\n' ' ' <<<"$output")" "$status"
}
# The API requests the mock refused (401, 403) since the log was last cleared.
refused() {
    curl -fsS "$server/mock/v1/requests" | python3 -c '
import json, sys
for e in json.load(sys.stdin)["items"]:
    if e["status"] in (401, 403):
        print(e["status"], e["method"], e["path"].split("?")[0])' | sort -u
}

echo "== hmsctl as the documented roles against $server, --authorize"
k apply --server-side -f manifests/install.yaml >/dev/null
k create namespace relief >/dev/null
k apply -f manifests/roles/hmsctl-roles.yaml -f Tests/e2e/roles/bindings.yaml >/dev/null
k apply -f Tests/e2e/roles/policy.yaml >/dev/null
expect "the chart's admission policy is installed" \
    "$(k get validatingadmissionpolicybindings -o 'jsonpath={.items[*].spec.policyName}')" "hms-controller-approvals"

clear_requests
expect_match "operator: hmsctl apply deploys" "$(run as otto "$hmsctl" apply -f Tests/e2e/roles/web.yaml)" "✓ deploy Deployment relief/web .*exit 0"
sed 's/replicas: 2$/replicas: 12/' Tests/e2e/roles/web.yaml >"$work/web-12.yaml"
output=$(run as otto "$hmsctl" apply -f "$work/web-12.yaml")
expect_match "operator: 12 replicas are held for approval" "$output" "held for approval; release it with: hmsctl approve act-[0-9a-f]+ -n relief"
id=$(printf '%s\n' "$output" | sed -n 's/.*hmsctl approve \(act-[0-9a-f]*\) -n relief.*/\1/p' | head -1)
expect "the operator's flows: no request refused" "$(refused)" ""

clear_requests
expect_match "viewer: hmsctl plan --detailed-exitcode (3: held)" "$(run as victor "$hmsctl" plan -f "$work/web-12.yaml" --detailed-exitcode)" "id: +$id.*exit 3"
expect_match "viewer: hmsctl diff (1: differences)" "$(run as victor "$hmsctl" diff -f "$work/web-12.yaml")" "spec.replicas: 2 → 12.*exit 1"
expect_match "viewer: hmsctl get" "$(run as victor "$hmsctl" get servicespecs -n relief)" "^NAME .*web +12 .*exit 0"
expect "the viewer's flows: no request refused" "$(refused)" ""
# A viewer's apply of what the cluster holds stores nothing, but its records (the ActionHeld
# Event) are refused: it names each refused write with the apiserver's answer and fails.
expect_match "viewer: apply names the refused records, exit 1" "$(run as victor "$hmsctl" apply -f "$work/web-12.yaml")" \
    'error: not recorded: Event relief/[^ ]+: HTTP 403: events [^ ]*is forbidden: User "victor" cannot (create|patch) resource "events" in API group "" in the namespace "relief".*Event or status writes? refused\..*exit 1'

# refusal DESCRIPTION MESSAGE REQUEST COMMAND...: the command fails (exit 1) saying MESSAGE, and
# the one request the mock refused is REQUEST, with a 403.
refusal() {
    local what=$1 message=$2 request=$3
    shift 3
    clear_requests
    expect_match "$what" "$(run "$@")" "$message.*exit 1"
    expect "... with a 403" "$(refused)" "403 $request"
}
approvals=/apis/ops.hms.gov/v1alpha1/namespaces/relief/approvals
sed 's/replicas: 2$/replicas: 4/' Tests/e2e/roles/web.yaml >"$work/web-4.yaml"
refusal "viewer: hmsctl apply is refused" \
    'servicespecs.ops.hms.gov "web" is forbidden: User "victor" cannot patch resource "servicespecs" in API group "ops.hms.gov" in the namespace "relief"' \
    "PATCH /apis/ops.hms.gov/v1alpha1/namespaces/relief/servicespecs/web" as victor "$hmsctl" apply -f "$work/web-4.yaml"
refusal "viewer: hmsctl approve is refused" 'User "victor" cannot create resource "approvals" in API group "ops.hms.gov" in the namespace "relief"' \
    "POST $approvals" as victor "$hmsctl" approve "$id" -n relief
refusal "operator: hmsctl approve is refused" 'User "otto" cannot create resource "approvals" in API group "ops.hms.gov" in the namespace "relief"' \
    "POST $approvals" as otto "$hmsctl" approve "$id" -n relief
sed 's/maxReplicasWithoutApproval: 10/maxReplicasWithoutApproval: 20/' Tests/e2e/roles/policy.yaml >"$work/policy-20.yaml"
refusal "operator: a GovernancePolicy is not the operator's to write" 'User "otto" cannot patch resource "governancepolicies"' \
    "PATCH /apis/ops.hms.gov/v1alpha1/namespaces/relief/governancepolicies/rules" as otto "$hmsctl" apply -f "$work/policy-20.yaml"

# The API server's admission policy: who writes an Approval must be who it names, and may approve.
refusal "carol may create Approvals but not approve: refused by the admission policy" \
    "ValidatingAdmissionPolicy 'hms-controller-approvals' with binding 'hms-controller-approvals' denied request: user carol may not approve approvals.ops.hms.gov in namespace relief" \
    "POST $approvals" as carol "$hmsctl" approve "$id" -n relief
cat >"$work/for-bob.yaml" <<EOF
apiVersion: ops.hms.gov/v1alpha1
kind: Approval
metadata: {name: approve-for-bob, namespace: relief}
spec: {action: $id, approvedBy: bob, expiresAt: "2099-01-01T00:00:00Z"}
EOF
expect_match "alice may not write an Approval naming bob" "$(run kas alice create -f "$work/for-bob.yaml")" \
    "denied request: spec.approvedBy must name the user who writes the Approval: it names bob, the request is made by alice.*exit 1"
sed 's/approvedBy: bob/approvedBy: alice, approverGroups: [system:masters]/' "$work/for-bob.yaml" >"$work/masters.yaml"
expect_match "... nor claim a group she is not in" "$(run kas alice create -f "$work/masters.yaml")" \
    "denied request: spec.approverGroups may name only groups the user alice is in.*exit 1"
expect_match "hmsctl approve --by is refused, and says why" "$(run as alice "$hmsctl" approve "$id" -n relief --by bob)" \
    "--by is no longer accepted: the approver is the user the cluster says you are.*exit 64"

clear_requests
expect_match "approver: hmsctl approve names the user the cluster says she is" "$(run as alice "$hmsctl" approve "$id" -n relief)" \
    "approval.ops.hms.gov/approve-${id#act-} created: $id approved by alice until .*exit 0"
expect "the approver's flow: no request refused" "$(refused)" ""
expect_match "approver: approving again finds her Approval, and is done" "$(run as alice "$hmsctl" approve "$id" -n relief)" \
    "approval.ops.hms.gov/approve-${id#act-} in namespace relief: $id already approved \(by alice at [0-9TZ:-]+\).*exit 0"
expect "the Approval records her groups" "$(k get approval "approve-${id#act-}" -n relief -o 'jsonpath={.spec.approvedBy} {.spec.approverGroups}')" \
    'alice ["relief-approvers","system:authenticated"]'
expect_match "an Approval is immutable: a changed spec is refused" \
    "$(run k patch approval "approve-${id#act-}" -n relief --type merge -p '{"spec": {"expiresAt": "2099-01-01T00:00:00Z"}}')" \
    "an Approval is immutable once written: its spec cannot change; delete it and write a new one.*exit 1"
expect_match "... its metadata may change" "$(run k label approval "approve-${id#act-}" -n relief reviewed=yes)" "labeled.*exit 0"

# The approver loses the right: the Approval stands, but releases nothing.
k delete rolebinding approvers -n relief >/dev/null
output=$(run as otto "$hmsctl" apply -f "$work/web-12.yaml")
expect_match "after the approver lost the right, the action stays held" "$output" "held for approval"
expect_match "... and the plan says why" "$(run as victor "$hmsctl" plan -f "$work/web-12.yaml")" \
    "Approval approve-${id#act-} by alice not honoured: the cluster no longer lets alice approve approvals.ops.hms.gov in relief"
expect "the Deployment keeps 2 replicas" "$(k get deploy web -n relief -o 'jsonpath={.spec.replicas}')" "2"
k apply -f Tests/e2e/roles/bindings.yaml >/dev/null
clear_requests
expect_match "with the right back, the next apply carries it out" "$(run as otto "$hmsctl" apply -f "$work/web-12.yaml")" \
    "✓ scale Deployment relief/web 2 → 12.*exit 0"
expect "the Deployment has 12 replicas" "$(k get deploy web -n relief -o 'jsonpath={.spec.replicas}')" "12"
expect "the operator's apply: no request refused" "$(refused)" ""

finish e2e-roles
