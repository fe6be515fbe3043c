#!/usr/bin/env bash
# End to end: a mock cluster started with --authorize, against real kubectl and the official
# Python client: 401 and 403 as the apiserver words them, RBAC from applied Roles, `kubectl auth
# can-i`, `kubectl create token`, and a ValidatingAdmissionPolicy's denial.
#   hack/e2e-authorize.sh            (builds the mock if needed; run by hack/test.sh)
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

source hack/lib/e2e.sh
require_tool kubectl e2e-authorize
# kubectl and client-go send a kubeconfig's token only over TLS: a self-signed certificate for 127.0.0.1.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=hms-mock" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
export CURL_CA_BUNDLE="$work/tls.crt"  # the control API is served over the same HTTPS
start_mock --authorize --auth Tests/e2e/authorize/auth.yaml --tls-cert-file "$work/tls.crt" --tls-private-key-file "$work/tls.key"
# alice: the same cluster, her token in place of the administrator's.
sed 's/token: hms-mock-token/token: alice-token/' "$work/kubeconfig" >"$work/alice"
alice() { kubectl --kubeconfig "$work/alice" --cache-dir "$work/cache" "$@"; }
# Everything kubectl printed, errors too, and never the script's end when it fails.
out() { "$@" 2>&1 || true; }

echo "== kubectl against $server, --authorize"

# The review and token kinds through JSON bodies (`kubectl create --raw`), then through kubectl's own
# commands, which send protobuf bodies (below).
review() { # review AS KIND SPEC: the review's status, as kubectl prints it
    local who=$1 kind=$2 spec=$3 group=authorization.k8s.io plural
    plural="$(echo "$kind" | tr 'A-Z' 'a-z')s"
    [ "$kind" = SelfSubjectReview ] && group=authentication.k8s.io
    $who create --raw "/apis/$group/v1/$plural" -f - <<<"{\"apiVersion\": \"$group/v1\", \"kind\": \"$kind\", \"spec\": $spec}" 2>&1 |
        python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["status"], sort_keys=True))' 2>&1 || true
}
can() { review "$1" SelfSubjectAccessReview "{\"resourceAttributes\": {\"group\": \"apps\", \"resource\": \"deployments\", \"verb\": \"$2\", \"namespace\": \"${3:-default}\"}}"; }

expect "the kubeconfig's user is an administrator" "$(review k SelfSubjectReview '{}')" \
    '{"userInfo": {"groups": ["system:masters", "system:authenticated"], "uid": "mock-uid-hms-mock-admin", "username": "hms-mock-admin"}}'
step "no token: 401"
status=$(curl -s --cacert "$work/tls.crt" -o "$work/401.json" -w '%{http_code}' "$server/api/v1/namespaces/default/pods")
if [ "$status" = 401 ] && grep -q '"reason":"Unauthorized"' "$work/401.json"; then pass; else fail "$status $(cat "$work/401.json")"; fi

expect "apply as the administrator" "$(k apply -f Tests/e2e/kubectl/web.yaml)" "deployment.apps/web created"
expect "alice may not patch yet" "$(can alice patch)" '{"allowed": false}'
expect "kubectl prints the apiserver's 403" "$(out alice get deploy web)" \
    'Error from server (Forbidden): deployments.apps "web" is forbidden: User "alice" cannot get resource "deployments" in API group "apps" in the namespace "default"'
expect "kubectl scale reads before it writes" "$(out alice scale deploy web --replicas=3)" \
    'error: no objects passed to scale deployments.apps "web" is forbidden: User "alice" cannot get resource "deployments" in API group "apps" in the namespace "default"'

k apply -f Tests/e2e/authorize/deployer.yaml >/dev/null
expect "a Role and RoleBinding let alice patch" "$(can alice patch)" \
    '{"allowed": true, "reason": "RBAC: allowed by RoleBinding \"deployer/default\" of Role \"deployer\" to User \"alice\""}'
expect "but not delete" "$(can alice delete)" '{"allowed": false}'
expect "nor in another namespace" "$(can alice patch kube-system)" '{"allowed": false}'
expect "alice labels the Deployment" "$(out alice label deploy web tier=front)" "deployment.apps/web labeled"
expect "the 403 of a delete" "$(out alice delete deploy web)" \
    'Error from server (Forbidden): deployments.apps "web" is forbidden: User "alice" cannot delete resource "deployments" in API group "apps" in the namespace "default"'

# RBAC's escalation prevention: a Role grants, a binding binds, only what its writer holds.
role_granting() { printf 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: %s\n  namespace: default\nrules:\n- apiGroups: ["%s"]\n  resources: [%s]\n  verbs: [%s]\n' "$@"; }
expect "alice may not grant what she does not hold" "$(role_granting sneaky '' secrets 'get, list' | out alice create -f -)" \
    'Error from server (Forbidden): error when creating "STDIN": roles.rbac.authorization.k8s.io "sneaky" is forbidden: user "alice" (groups=["ops" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:
{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}'
expect "but may grant what she holds" "$(role_granting fair apps deployments 'get, patch' | out alice create -f -)" "role.rbac.authorization.k8s.io/fair created"
expect "nor bind a role whose rights she lacks" "$(out alice create rolebinding alice-admin --clusterrole=cluster-admin --user=alice)" \
    'error: failed to create rolebinding: rolebindings.rbac.authorization.k8s.io "alice-admin" is forbidden: user "alice" (groups=["ops" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:
{APIGroups:["*"], Resources:["*"], Verbs:["*"]}
{NonResourceURLs:["*"], Verbs:["*"]}'
expect "the administrator (system:masters) may" "$(out k create rolebinding bob-admin --clusterrole=cluster-admin --user=bob)" \
    "rolebinding.rbac.authorization.k8s.io/bob-admin created"

token=$(k create --raw /api/v1/namespaces/default/serviceaccounts/robot/token -f - <<<'{"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {"expirationSeconds": 600}}' |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["status"]["token"])')
robot() { kubectl --kubeconfig "$work/alice" --cache-dir "$work/cache" --token "$1" "${@:2}"; }
expect "a TokenRequest's token is the service account's" "$(review "robot $token" SelfSubjectReview '{}')" \
    '{"userInfo": {"groups": ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"], "uid": "'"$(k get sa robot -o 'jsonpath={.metadata.uid}')"'", "username": "system:serviceaccount:default:robot"}}'
expect "the service account reads what its binding allows" "$(out robot "$token" get configmaps)" "No resources found in default namespace."
expect "and nothing else" "$(out robot "$token" get pods)" \
    'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:default:robot" cannot list resource "pods" in API group "" in the namespace "default"'

# kubectl's typed clients (auth can-i, auth whoami, create token) send protobuf bodies.
expect "kubectl auth whoami" "$(out k auth whoami -o 'jsonpath={.status.userInfo.username}')" "hms-mock-admin"
expect "kubectl auth can-i: yes" "$(out alice auth can-i patch deployments)" "yes"
expect "kubectl auth can-i: no" "$(out alice auth can-i delete deployments)" "no"
minted=$(out k create token robot --duration=10m)
expect "kubectl create token" "$(out robot "$minted" auth whoami -o 'jsonpath={.status.userInfo.username}')" "system:serviceaccount:default:robot"

k apply -f Tests/e2e/authorize/replica-limit.yaml >/dev/null
expect "a ValidatingAdmissionPolicy denies, in kubectl's words" "$(out k scale deploy web --replicas=9)" \
    "The deployments \"web\" is invalid: : ValidatingAdmissionPolicy 'replica-limit' with binding 'replica-limit' denied request: at most 5 replicas, not 9"
expect "within the limit it passes" "$(out k scale deploy web --replicas=4)" "deployment.apps/web scaled"
k patch validatingadmissionpolicybinding replica-limit --type merge -p '{"spec": {"validationActions": ["Warn"]}}' >/dev/null
expect "a Warn binding lets it through, and kubectl shows the warning" "$(out k scale deploy web --replicas=7)" \
    "Warning: Validation failed for ValidatingAdmissionPolicy 'replica-limit' with binding 'replica-limit': at most 5 replicas, not 7
deployment.apps/web scaled"

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
