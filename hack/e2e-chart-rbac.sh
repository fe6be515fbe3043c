#!/usr/bin/env bash
# End to end: the controller runs as the chart's ServiceAccount, with the chart's RBAC
# (manifests/install.yaml, rendered from charts/), against a mock cluster started with --authorize,
# and does its documented work: the lease, a ServiceSpec deployed and its status written. Any
# request the mock refused it (401 or 403) is listed.
#   hack/e2e-chart-rbac.sh            (run by hack/test.sh)
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

source hack/lib/e2e.sh
require_tool kubectl e2e-chart-rbac
swift build --product hms-controller >/dev/null
bin="$(swift build --show-bin-path)"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=hms-mock" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
export CURL_CA_BUNDLE="$work/tls.crt"  # the control API is served over the same HTTPS
start_mock --authorize --tls-cert-file "$work/tls.crt" --tls-private-key-file "$work/tls.key" --pod-startup-seconds 0.3

echo "== hms-controller as system:serviceaccount:hms-system:hms-controller against $server, --authorize"
k apply -f manifests/install.yaml >/dev/null
for namespace in student-aid hud-relief passports power; do
    printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"%s"}}' "$namespace" | k apply -f - >/dev/null
done
sed '/freezeWindows:/,+1d' manifests/examples/governance.yaml | k apply -f - >/dev/null
k apply -f manifests/examples/student-aid-surge.yaml >/dev/null

token=$(k create --raw /api/v1/namespaces/hms-system/serviceaccounts/hms-controller/token -f - \
    <<<'{"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {"expirationSeconds": 3600}}' |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["status"]["token"])')
sed "s/token: hms-mock-token/token: $token/" "$work/kubeconfig" >"$work/controller"

refused() {  # the controller's requests the mock refused
    curl -fsS "$server/mock/v1/requests" | python3 -c '
import json, sys
for e in json.load(sys.stdin)["items"]:
    if e["status"] in (401, 403) and e["userAgent"].startswith("hms-controller"):
        print(e["status"], e["method"], e["path"])' | sort -u
}
deployed() { [ -n "$(k get deploy eligibility-api -n student-aid -o 'jsonpath={.spec.replicas}' 2>/dev/null)" ]; }
status_written() { [ -n "$(k get servicespec eligibility-api -n student-aid -o 'jsonpath={.status.conditions}' 2>/dev/null)" ]; }

clear_requests
"$bin/hms-controller" --kubeconfig "$work/controller" --leader-elect --lease-namespace hms-system --identity rbac \
    --sync-seconds 0.5 --metrics-addr 127.0.0.1:0 --health-addr 127.0.0.1:0 --console-addr 127.0.0.1:0 -v 2 >"$work/controller.log" 2>&1 &
controller_pid=$!

wait_until 30 deployed || true
expect "the controller holds the lease in hms-system" "$(k get lease hms-controller -n hms-system -o 'jsonpath={.spec.holderIdentity}' 2>&1)" "rbac"
expect "it deploys the ServiceSpec" "$(k get deploy eligibility-api -n student-aid -o 'jsonpath={.metadata.name}' 2>&1)" "eligibility-api"
wait_until 30 status_written || true
step "it writes the ServiceSpec's status"
if status_written; then pass; else fail "no status.conditions"; fi
# The approval gate confirms an approver in the Approval's own namespace (a LocalSubjectAccessReview),
# with the chart's rights: a held deploy in hud-relief, and an Approval naming it.
k apply -f - >/dev/null <<'EOF'
apiVersion: ops.hms.gov/v1alpha1
kind: ServiceSpec
metadata: {name: held, namespace: hud-relief}
spec: {image: registry.gov/held:1.0, replicas: 12, resources: {cpu: 100m, memory: 64Mi}}
EOF
held_id() { k get events -n hud-relief --field-selector reason=ActionHeld -o 'jsonpath={.items[*].message}' 2>/dev/null | grep -o 'act-[0-9a-f]\{16\}' | head -1 || true; }
is_held() { [ -n "$(held_id)" ]; }
wait_until 30 is_held || true
id=$(held_id)
expect_match "a deploy of 12 replicas is held for approval" "$id" "^act-[0-9a-f]{16}$"
k apply -f - >/dev/null <<EOF
apiVersion: ops.hms.gov/v1alpha1
kind: Approval
metadata: {name: approve-${id#act-}, namespace: hud-relief}
spec: {action: $id, approvedBy: hms-mock-admin, expiresAt: "2099-01-01T00:00:00Z"}
EOF
local_reviews() {
    curl -fsS "$server/mock/v1/requests" | python3 -c '
import json, sys
print(" ".join(sorted({"%s %s" % (e["status"], e["path"]) for e in json.load(sys.stdin)["items"]
    if e["userAgent"].startswith("hms-controller") and e["path"].endswith("subjectaccessreviews")})))'
}
asked() { [ -n "$(local_reviews)" ]; }
wait_until 30 asked || true
expect "the gate asked in hud-relief, allowed by the chart's RBAC" "$(local_reviews)" \
    "201 /apis/authorization.k8s.io/v1/namespaces/hud-relief/localsubjectaccessreviews"
expect "the chart's RBAC allowed every request it made" "$(refused)" ""

stop_controller
[ "$failures" -gt 0 ] && tail -20 "$work/controller.log"
finish e2e-chart-rbac
