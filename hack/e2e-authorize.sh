#!/usr/bin/env bash
# End to end: a mock cluster started with --authorize, against real kubectl and the official
# Python client: 401 and 403 as the apiserver words them, RBAC from applied Roles, `kubectl auth
# can-i`, `kubectl create token`, and a ValidatingAdmissionPolicy's denial.
#   hack/e2e-authorize.sh            (builds the mock if needed; run by hack/test.sh)
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

source hack/lib/e2e.sh
require_tool kubectl e2e-authorize
start_mock --authorize --auth Tests/e2e/authorize/auth.yaml
# alice: the same cluster, her token in place of the administrator's.
sed 's/token: hms-mock-token/token: alice-token/' "$work/kubeconfig" >"$work/alice"
alice() { kubectl --kubeconfig "$work/alice" --cache-dir "$work/cache" "$@"; }
# Everything kubectl printed, errors too, and never the script's end when it fails.
out() { "$@" 2>&1 || true; }

echo "== kubectl against $server, --authorize"

expect "the kubeconfig's user is an administrator" "$(out k auth can-i '*' '*')" "yes"
expect "who the administrator is" "$(out k auth whoami -o jsonpath='{.status.userInfo.username}')" "hms-mock-admin"
step "no token: 401"
status=$(curl -s -o "$work/401.json" -w '%{http_code}' "$server/api/v1/namespaces/default/pods")
if [ "$status" = 401 ] && grep -q '"reason":"Unauthorized"' "$work/401.json"; then pass; else fail "$status $(cat "$work/401.json")"; fi

expect "apply as the administrator" "$(k apply -f Tests/e2e/kubectl/web.yaml)" "deployment.apps/web created"
expect "alice may not patch yet" "$(out alice auth can-i patch deployments)" "no"
expect "kubectl prints the apiserver's 403" "$(out alice scale deploy web --replicas=3)" \
    'Error from server (Forbidden): deployments.apps "web" is forbidden: User "alice" cannot get resource "deployments/scale" in API group "apps" in the namespace "default"'
expect "the 403 of a patch" "$(out alice label deploy web tier=front)" \
    'Error from server (Forbidden): deployments.apps "web" is forbidden: User "alice" cannot get resource "deployments" in API group "apps" in the namespace "default"'

k apply -f Tests/e2e/authorize/deployer.yaml >/dev/null
expect "a Role and RoleBinding let alice patch" "$(out alice auth can-i patch deployments)" "yes"
expect "but not delete" "$(out alice auth can-i delete deployments)" "no"
expect "nor in another namespace" "$(out alice auth can-i patch deployments -n kube-system)" "no"
expect "alice labels the Deployment" "$(out alice label deploy web tier=front)" "deployment.apps/web labeled"

token=$(out k create token robot --duration=10m)
step "kubectl create token mints a token"
if [ "${#token}" -gt 30 ] && ! printf '%s' "$token" | grep -q ' '; then pass; else fail "$token"; fi
robot() { kubectl --kubeconfig "$work/alice" --cache-dir "$work/cache" --token "$token" "$@"; }
expect "the token is the service account's" "$(out robot auth whoami -o jsonpath='{.status.userInfo.username}')" "system:serviceaccount:default:robot"
expect "the service account reads what its binding allows" "$(out robot get configmaps)" "No resources found in default namespace."
expect "and nothing else" "$(out robot get secrets)" \
    'Error from server (Forbidden): secrets is forbidden: User "system:serviceaccount:default:robot" cannot list resource "secrets" in API group "" in the namespace "default"'

k apply -f Tests/e2e/authorize/replica-limit.yaml >/dev/null
expect "a ValidatingAdmissionPolicy denies, in kubectl's words" "$(out k scale deploy web --replicas=9)" \
    "The deployments \"web\" is invalid: : ValidatingAdmissionPolicy 'replica-limit' with binding 'replica-limit' denied request: at most 5 replicas, not 9"
expect "within the limit it passes" "$(out k scale deploy web --replicas=4)" "deployment.apps/web scaled"

hack/install-deps.sh pip:kubernetes >/dev/null
step "the Python client gets the 403 as an ApiException"
python_out=$(.venv/bin/python - "$work/alice" <<'PY' 2>&1 || true
import json, sys
from kubernetes import client, config
config.load_kube_config(config_file=sys.argv[1])
try:
    client.CoreV1Api().delete_namespaced_config_map("anything", "default")
    print("allowed")
except client.ApiException as error:
    body = json.loads(error.body)
    print(error.status, body["reason"], body["message"])
PY
)
expected='403 Forbidden configmaps "anything" is forbidden: User "alice" cannot delete resource "configmaps" in API group "" in the namespace "default"'
if [ "$python_out" = "$expected" ]; then pass; else fail "expected: $expected" "actual:   $python_out"; fi

finish e2e-authorize
