#!/usr/bin/env bash
# End to end: real kubectl against a live hms-mock-cluster. Every step checks what kubectl printed
# or what the cluster now holds, not only the exit code.
#   hack/e2e-kubectl.sh            (builds the mock if needed; run by hack/test.sh)
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

source hack/lib/e2e.sh
require_tool kubectl e2e-kubectl
start_mock --pod-startup-seconds 0.5 --job-seconds 1
jsonpath() { k get "$1" "$2" ${3:+-n "$3"} -o "jsonpath=$4"; }
pod_names() { k get pods -l app=web -o 'jsonpath={range .items[*]}{.metadata.name}{"\n"}{end}' | sort; }

echo "== kubectl $(k version --client -o json | sed -n 's/.*"gitVersion": "\(.*\)".*/\1/p' | head -1) against $server"

expect_match "get namespaces" "$(k get ns)" "^default +Active"

expect "apply creates a Deployment" "$(k apply -f Tests/e2e/kubectl/web.yaml)" "deployment.apps/web created"
expect "the Deployment has 2 replicas" "$(jsonpath deploy web '' '{.spec.replicas}')" "2"
expect_match "rollout status waits for ready pods" "$(k rollout status deploy/web --timeout=30s)" 'deployment "web" successfully rolled out'
expect "two pods follow the Deployment" "$(pod_names | wc -l | tr -d ' ')" "2"
expect_match "get pods prints READY and STATUS" "$(k get pods -l app=web)" "web-[a-z0-9]+-[a-z0-9]{5} +1/1 +Running"
expect "apply again changes nothing" "$(k apply -f Tests/e2e/kubectl/web.yaml)" "deployment.apps/web unchanged"

sed 's/replicas: 2/replicas: 3/' Tests/e2e/kubectl/web.yaml >"$work/web-3.yaml"
expect "apply of a change patches it" "$(k apply -f "$work/web-3.yaml")" "deployment.apps/web configured"
expect "the patch took effect" "$(jsonpath deploy web '' '{.spec.replicas}')" "3"
expect "generation counts spec changes" "$(jsonpath deploy web '' '{.metadata.generation}')" "2"

sed 's#registry.gov/web:1.0#registry.gov/web:1.1#' "$work/web-3.yaml" >"$work/web-ssa.yaml"
expect "apply --server-side" "$(k apply --server-side -f "$work/web-ssa.yaml")" "deployment.apps/web serverside-applied"
expect "the server-side apply set the image" "$(jsonpath deploy web '' '{.spec.template.spec.containers[0].image}')" "registry.gov/web:1.1"
expect_match "server-side apply records its field manager" "$(k get deploy web -o yaml --show-managed-fields)" "manager: kubectl"
k rollout status deploy/web --timeout=30s >/dev/null

expect "scale" "$(k scale deploy web --replicas=4)" "deployment.apps/web scaled"
expect "scale set spec.replicas" "$(jsonpath deploy web '' '{.spec.replicas}')" "4"
k rollout status deploy/web --timeout=30s >/dev/null
expect "pods follow the scale" "$(pod_names | wc -l | tr -d ' ')" "4"

before=$(pod_names)
expect "rollout restart" "$(k rollout restart deploy/web)" "deployment.apps/web restarted"
expect_match "the restart stamped the template" "$(jsonpath deploy web '' '{.spec.template.metadata.annotations}')" "kubectl.kubernetes.io/restartedAt"
expect_match "rollout status follows the restart" "$(k rollout status deploy/web --timeout=30s)" "successfully rolled out"
after=$(pod_names)
step "the restart replaced every pod"
if [ "$(printf '%s\n%s\n' "$before" "$after" | sort | uniq -d | wc -l)" -eq 0 ] && [ "$(echo "$after" | wc -l)" -eq 4 ]; then pass; else fail "before: $before" "after: $after"; fi

# A bounded watch: kubectl itself runs under `timeout`, so nothing outlives the step.
timeout 6 kubectl --kubeconfig "$work/kubeconfig" --cache-dir "$work/cache" get deploy web --watch >"$work/watch.out" 2>&1 &
watch_pid=$!
sleep 1
k scale deploy web --replicas=1 >/dev/null
for _ in $(seq 50); do
    grep -Eq "^web +1/1" "$work/watch.out" && break
    sleep 0.1
done
kill "$watch_pid" 2>/dev/null || true
wait "$watch_pid" 2>/dev/null || true
expect_match "get --watch shows the first state" "$(head -2 "$work/watch.out")" "^web +4/4"
expect_match "get --watch follows the scale-down" "$(cat "$work/watch.out")" "web +1/1 +1 +1"

control "load/default/web" '{"http_rps": 300, "cpuMillisPerRequest": 2}'
expect_match "top pods shows the load's CPU" "$(k top pods)" "web-[a-z0-9-]+ +602m +48Mi"
expect_match "logs of the Deployment's pod" "$(k logs deploy/web)" "listening on :8080"

pod=$(pod_names | head -1)
control "pods/default/$pod/health" '{"healthy": false}'
expect_match "an unhealthy pod turns unready" "$(k get pod "$pod")" "$pod +0/1 +Running"
expect_match "and its failed probes are events" "$(k get events --field-selector reason=Unhealthy)" "Warning +Unhealthy +pod/$pod +Readiness probe failed"
control "pods/default/$pod/health" '{"healthy": true}'

expect "delete" "$(k delete deploy web)" 'deployment.apps "web" deleted'
# Its pods go through the garbage collector, then terminate (a moment, as on a real cluster).
for _ in $(seq 100); do [ -z "$(k get pods -l app=web -o name)" ] && break; sleep 0.1; done
expect "deleting the Deployment deleted its pods" "$(k get pods -l app=web -o name)" ""
expect_match "a missing object is a NotFound Status" "$(k get deploy web 2>&1 || true)" 'Error from server \(NotFound\): deployments.apps "web" not found'

expect "a Job" "$(k apply -f Tests/e2e/kubectl/job.yaml)" "job.batch/power-tx created"
expect "runs to completion" "$(k wait --for=condition=complete job/power-tx --timeout=30s)" "job.batch/power-tx condition met"
expect_match "get jobs prints STATUS and COMPLETIONS" "$(k get job power-tx)" "power-tx +Complete +1/1"
expect_match "the job's pod logged its payload" "$(k logs job/power-tx)" 'processing payload \{"region":"TX","megawatts":400\}'

# Built-in validation, as the apiserver validates: kubectl prints its 422 as "The Job ... is invalid".
bad_job='{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"Bad_Job_Name"},"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"w","image":"registry.gov/w:1"}]}}}}'
expect_match "an invalid Job name is refused with the apiserver's message" "$(echo "$bad_job" | k apply -f - 2>&1 || true)" \
    'The Job "Bad_Job_Name" is invalid: metadata.name: Invalid value: "Bad_Job_Name": a lowercase RFC 1123 subdomain must consist of'
unknown_field='{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"typo"},"spec":{"replicas":1,"replicaz":2,"selector":{"matchLabels":{"app":"typo"}},"template":{"metadata":{"labels":{"app":"typo"}},"spec":{"containers":[{"name":"w","image":"registry.gov/w:1"}]}}}}'
expect_match "apply of an unknown field is refused under kubectl's default Strict validation" \
    "$(echo "$unknown_field" | k apply -f - 2>&1 || true)" 'Error from server \(BadRequest\).*strict decoding error: unknown field "spec.replicaz"'
expect "the refused Deployment was not stored" "$(k get deploy typo -o name --ignore-not-found)" ""
expect_match "with --validate=warn it is stored and the field dropped, with a warning" \
    "$(echo "$unknown_field" | k apply --validate=warn -f - 2>&1)" 'Warning: unknown field "spec.replicaz"'
expect "the dropped field is not stored" "$(jsonpath deploy typo '' '{.spec.replicaz}')" ""
k delete deploy typo >/dev/null

expect_match "apply the CustomResourceDefinitions" "$(k apply -f manifests/crds/)" "customresourcedefinition.apiextensions.k8s.io/servicespecs.ops.hms.gov created"
for namespace in student-aid hud-relief passports power; do
    # `kubectl create namespace` sends a protobuf body.
    expect "create namespace $namespace" "$(k create namespace "$namespace")" "namespace/$namespace created"
done
expect_match "apply our example resources" "$(k apply -f manifests/examples/)" "servicespec.ops.hms.gov/eligibility-api created"
expect_match "get servicespecs -A with printer columns" "$(k get servicespecs -A)" "student-aid +eligibility-api +4 "
for kind in ServiceSpec AutoscaleRule Budget Directive GovernancePolicy; do
    expected=$(cat manifests/examples/*.yaml | grep -c "^kind: $kind$")
    expect "get $kind lists all $expected examples" "$(k get "$kind" -A -o name | wc -l | tr -d ' ')" "$expected"
done
expect "get by short name" "$(k get svcspec eligibility-api -n student-aid -o jsonpath='{.spec.image}')" "registry.gov/eligibility-api:1.4"
expect_match "a strategic merge patch on a custom resource is refused" \
    "$(k patch svcspec eligibility-api -n student-aid --type strategic -p '{"spec":{"replicas":5}}' 2>&1 || true)" "UnsupportedMediaType|unknown format|not supported"
expect "a merge patch on a custom resource works" \
    "$(k patch svcspec eligibility-api -n student-aid --type merge -p '{"spec":{"replicas":5}}')" "servicespec.ops.hms.gov/eligibility-api patched"

# Field ownership: two managers on .spec.replicas, as a real apiserver answers them.
sed 's/name: web$/name: owned/' Tests/e2e/kubectl/web.yaml >"$work/owned.yaml"
expect "server-side apply as hms-controller" \
    "$(k apply --server-side --field-manager=hms-controller -f "$work/owned.yaml")" "deployment.apps/owned serverside-applied"
sed 's/replicas: 2/replicas: 3/' "$work/owned.yaml" >"$work/owned-3.yaml"
conflict=$(k apply --server-side -f "$work/owned-3.yaml" 2>&1 || true)
expect_match "a different replicas is a conflict with its manager" "$conflict" \
    '^error: Apply failed with 1 conflict: conflict with "hms-controller": \.spec\.replicas$'
expect_match "kubectl explains how to resolve it" "$conflict" "command with the \`--force-conflicts\` flag"
expect "the conflict changed nothing" "$(jsonpath deploy owned '' '{.spec.replicas}')" "2"
expect "--force-conflicts takes the field over" \
    "$(k apply --server-side --force-conflicts -f "$work/owned-3.yaml")" "deployment.apps/owned serverside-applied"
expect "and sets it" "$(jsonpath deploy owned '' '{.spec.replicas}')" "3"
managed=$(k get deploy owned -o yaml --show-managed-fields)
step "managedFields hold real fieldsV1 sets"
if [[ $managed == *'k:{"name":"owned"}:'* && $managed == *'f:containerPort: {}'* && $managed == *'manager: hms-controller'* ]]; then
    pass
else fail "$managed"; fi
expect "kubectl now owns .spec.replicas, hms-controller no longer" \
    "$(k get deploy owned -o json --show-managed-fields | python3 -c '
import json, sys
for entry in json.load(sys.stdin)["metadata"]["managedFields"]:
    print(entry["manager"], entry["operation"], "f:replicas" in entry["fieldsV1"].get("f:spec", {}))
' | sort | tr '\n' ' ')" "hms-controller Apply False kubectl Apply True "
k delete deploy owned >/dev/null

# The scale subresource keeps field ownership as a real apiserver: kubectl scale is an Update of
# /scale owning .spec.replicas (no time: the ScaleHandler keeps none), and an apply of a Scale
# conflicts with the owner of .spec.replicas unless forced.
sed 's/name: web$/name: scaled/' Tests/e2e/kubectl/web.yaml >"$work/scaled.yaml"
k apply --server-side --field-manager=hms-controller -f "$work/scaled.yaml" >/dev/null
expect "kubectl scale (a merge patch of /scale)" "$(k scale deploy scaled --replicas=3)" "deployment.apps/scaled scaled"
replica_owners() {
    k get deploy scaled -o json --show-managed-fields | python3 -c '
import json, sys
for entry in json.load(sys.stdin)["metadata"]["managedFields"]:
    if "f:replicas" in entry["fieldsV1"].get("f:spec", {}):
        print(entry["manager"], entry["operation"], entry.get("subresource", "-"), entry["apiVersion"], entry.get("time", "no-time"))
' | sort | tr '\n' ' '
}
expect "it owns .spec.replicas as an Update of the scale subresource" "$(replica_owners)" "kubectl Update scale apps/v1 no-time "
expect_match "re-applying the Deployment conflicts with it" "$(k apply --server-side --field-manager=hms-controller -f "$work/scaled.yaml" 2>&1 || true)" \
    '^error: Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: \.spec\.replicas$'
expect "kubectl patch --subresource=scale is an Update of /scale too" \
    "$(k patch deploy scaled --subresource=scale --type=merge -p '{"spec":{"replicas":4}}' --field-manager=hpa -o jsonpath='{.kind} {.spec.replicas}')" "Scale 4"
expect "and takes .spec.replicas over" "$(replica_owners)" "hpa Update scale apps/v1 no-time "
scale_apply() {
    curl -sS -X PATCH -H 'Content-Type: application/apply-patch+yaml' \
        "$server/apis/apps/v1/namespaces/default/deployments/scaled/scale?fieldManager=keda$1" \
        -d '{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"scaled"},"spec":{"replicas":6}}'
}
expect "an applied Scale that changes another manager's replicas is a 409 with its cause" \
    "$(scale_apply '' | python3 -c 'import json, sys; s = json.load(sys.stdin); print(s["code"], s["reason"], s["message"], [(c["type"], c["field"], c["message"]) for c in s["details"]["causes"]])')" \
    "409 Conflict Apply failed with 1 conflict: conflict with \"hpa\" with subresource \"scale\" using autoscaling/v1: .spec.replicas [('FieldManagerConflict', '.spec.replicas', 'conflict with \"hpa\" with subresource \"scale\" using autoscaling/v1')]"
expect "force=true takes it over" "$(scale_apply '&force=true' | python3 -c 'import json, sys; s = json.load(sys.stdin); print(s["kind"], s["spec"]["replicas"])')" "Scale 6"
expect "the applier owns .spec.replicas through /scale" "$(replica_owners)" "keda Apply scale apps/v1 no-time "
expect "kubectl get shows the new count" "$(jsonpath deploy scaled '' '{.spec.replicas}')" "6"
k delete deploy scaled >/dev/null

# At most ten managers with operation Update: the oldest are merged into "ancient-changes".
k create configmap crowded --from-literal=k0=v >/dev/null
for index in $(seq 1 11); do
    k patch configmap crowded --type=merge -p "{\"data\":{\"k$index\":\"v\"}}" --field-manager="m$index" >/dev/null
done
expect "eleven more updaters leave ten Update entries, one of them ancient-changes" \
    "$(k get configmap crowded -o json --show-managed-fields | python3 -c '
import json, sys
entries = json.load(sys.stdin)["metadata"]["managedFields"]
print(len(entries), sum(entry["manager"] == "ancient-changes" for entry in entries))
')" "10 1"
k delete configmap crowded >/dev/null

# kubectl's imperative commands: typed clients that send protobuf bodies (run and expose send JSON).
expect "create namespace" "$(k create namespace imperative)" "namespace/imperative created"
expect "create deployment" "$(k create deployment web --image=nginx -n imperative --replicas=2 --port=8080)" "deployment.apps/web created"
expect "its selector and port arrived" "$(jsonpath deploy web imperative '{.spec.selector.matchLabels.app} {.spec.template.spec.containers[0].ports[0].containerPort}')" "web 8080"
expect_match "and it rolls out" "$(k rollout status deploy/web -n imperative --timeout=30s)" "successfully rolled out"
expect "run" "$(k run probe --image=busybox -n imperative)" "pod/probe created"
expect "expose" "$(k expose deployment web --port=80 --target-port=8080 -n imperative)" "service/web exposed"
expect "create service" "$(k create service clusterip grid --tcp=80:8080 -n imperative)" "service/grid created"
expect "its int-or-string target port arrived as a number" "$(jsonpath svc grid imperative '{.spec.ports[0].targetPort} {.spec.ports[0].name}')" "8080 80-8080"
expect "create configmap" "$(k create configmap settings --from-literal=mode=fast --from-file=README.md -n imperative)" "configmap/settings created"
expect "its data arrived" "$(jsonpath configmap settings imperative '{.data.mode}')" "fast"
expect "create job" "$(k create job once --image=busybox -n imperative -- echo hello)" "job.batch/once created"
expect "its command arrived" "$(jsonpath job once imperative '{.spec.template.spec.containers[0].command}')" '["echo","hello"]'
expect "the job completes" "$(k wait --for=condition=complete job/once -n imperative --timeout=30s)" "job.batch/once condition met"
expect_match "a Job's template is immutable" "$(k set image job/once once=busybox:2 -n imperative 2>&1 || true)" \
    '^error: failed to patch image update to pod template: Job\.batch "once" is invalid: spec\.template: Invalid value: .*: field is immutable$'
expect_match "and so are its completions" "$(k patch job once -n imperative --type merge -p '{"spec":{"completions":3}}' 2>&1 || true)" \
    '^The Job "once" is invalid: spec\.completions: Invalid value: 3: field is immutable$'

# Resource quantities: decoded (400 for what is no quantity), validated (422), stored in canonical form.
pod_with() { printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\nspec:\n  containers:\n  - name: c\n    image: registry.gov/x:1\n    resources: %s\n' "$1" "$2"; }
expect "a value that is no quantity fails decoding" "$(pod_with q-bad '{requests: {cpu: abc}}' | k create -f - 2>&1 || true)" \
    "Error from server (BadRequest): error when creating \"STDIN\": Pod in version \"v1\" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)\$'"
expect "a request above its limit is invalid" "$(pod_with q-over '{requests: {cpu: 2}, limits: {cpu: 1000m}}' | k create -f - 2>&1 || true)" \
    'The Pod "q-over" is invalid: spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1'
expect "a negative quantity is invalid (a pod's limits are its requests too)" "$(pod_with q-neg '{limits: {memory: -1Gi}}' | k create -f - 2>&1 || true)" \
    'The Pod "q-neg" is invalid: 
* spec.containers[0].resources.limits[memory]: Invalid value: "-1Gi": must be greater than or equal to 0
* spec.containers[0].resources.requests[memory]: Invalid value: "-1Gi": must be greater than or equal to 0'
pod_with q-ok '{requests: {cpu: 0.5, memory: 1024Mi}, limits: {cpu: 1000m, memory: 2e9}}' | k create -f - >/dev/null
expect "numbers are quantities, stored in canonical form" "$(jsonpath pod q-ok '' '{.spec.containers[0].resources}')" \
    '{"limits":{"cpu":"1","memory":"2G"},"requests":{"cpu":"500m","memory":"1Gi"}}'
expect_match "create --dry-run=server answers without storing" "$(k create namespace ghost --dry-run=server)" "namespace/ghost created \(server dry run\)"
expect "the dry run stored nothing" "$(k get namespace ghost -o name 2>/dev/null || true)" ""

# kubectl explain walks the OpenAPI v3 schemas: built-in kinds and our CRDs.
explained=$(k explain deployment.spec)
expect_match "explain deployment.spec names the type" "$explained" "FIELD: +spec <DeploymentSpec>"
expect_match "and lists its fields, required ones marked" "$explained" "template[[:space:]]+<PodTemplateSpec> -required-"
expect_match "explain a nested keyed list" "$(k explain deployment.spec.template.spec.containers.ports)" "containerPort[[:space:]]+<integer> -required-"
explained=$(k explain servicespec.spec)
expect_match "explain servicespec.spec (a CRD)" "$explained" "GROUP: +ops.hms.gov"
expect_match "and lists the CRD's fields" "$explained" "image[[:space:]]+<string>"
# A review has no PATCH operation, so kubectl validates it itself against /openapi/v2 (protobuf).
review='{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"alice","resourceAttributes":{"verb":"get","resource":"pods"}}}'
expect "create -f of a review, validated with OpenAPI v2" "$(echo "$review" | k create -f - -o jsonpath='{.status.allowed}')" "false"
expect_match "and kubectl's own validation catches an unknown field" \
    "$(echo "$review" | sed 's/"user"/"bogus":1,"user"/' | k create -f - 2>&1 || true)" 'unknown field "bogus" in io.k8s.api.authorization.v1.SubjectAccessReview.spec'
# SelfSubjectAccessReview: kubectl sends it as protobuf; the review is answered where the mock serves it.
if k api-resources --api-group=authorization.k8s.io -o name | grep -q '^selfsubjectaccessreviews'; then
    expect_match "auth can-i gets an answer" "$(k auth can-i create deployments 2>&1 || true)" "^(yes|no)$"
fi

# Garbage collection: ownerReferences, propagation policies, a Job's pods.
configmap() { printf '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"%s"%s}}' "$1" "${2:-}" | k apply -f - 2>&1; }
owned_by() { printf ',"ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"%s","uid":"%s"}]' "$1" "$(jsonpath cm "$1" '' '{.metadata.uid}')"; }
configmap gc-kept-owner >/dev/null
configmap gc-gone-owner >/dev/null
configmap gc-kept "$(owned_by gc-kept-owner)" >/dev/null
configmap gc-gone "$(owned_by gc-gone-owner)" >/dev/null
expect "delete --cascade=orphan" "$(k delete cm gc-kept-owner --cascade=orphan)" 'configmap "gc-kept-owner" deleted'
expect "the orphan stays, without its owner reference" "$(jsonpath cm gc-kept '' '{.metadata.name} {.metadata.ownerReferences}')" "gc-kept "
expect "delete (kubectl asks for Background)" "$(k delete cm gc-gone-owner)" 'configmap "gc-gone-owner" deleted'
expect "the garbage collector deleted the dependent" "$(k get cm gc-gone --ignore-not-found -o name)" ""
expect "delete the Job" "$(k delete job power-tx)" 'job.batch "power-tx" deleted'
expect "its pod went with it" "$(k get pods -o name | grep power-tx || true)" ""

# Namespace lifecycle: Terminating, nothing new inside, contents deleted, then gone.
configmap held ',"namespace":"power","finalizers":["example.com/hold"]' >/dev/null
expect "delete namespace" "$(k delete namespace power --wait=false)" 'namespace "power" deleted'
expect_match "the namespace is Terminating" "$(k get ns power)" "^power +Terminating"
expect_match "nothing new may be created in it" "$(configmap late ',"namespace":"power"' || true)" \
    'configmaps "late" is forbidden: unable to create new content in namespace power because it is being terminated'
expect "the namespace controller says what remains" \
    "$(k wait --for=condition=NamespaceContentRemaining ns/power --timeout=30s)" "namespace/power condition met"
expect "its contents are deleted, but for the one a finalizer holds" "$(k get servicespecs,cm -n power -o name)" "configmap/held"
k patch cm held -n power --type merge -p '{"metadata":{"finalizers":null}}' >/dev/null
for _ in $(seq 100); do k get ns power >/dev/null 2>&1 || break; sleep 0.1; done
expect_match "once the finalizer is removed the namespace goes" "$(k get ns power 2>&1 || true)" 'namespaces "power" not found'

printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"stuck"},"spec":{"finalizers":["kubernetes","example.com/custom"]}}' | k apply -f - >/dev/null
k delete namespace stuck --wait=false >/dev/null
for _ in $(seq 100); do [ "$(jsonpath ns stuck '' '{.spec.finalizers}')" = '["example.com/custom"]' ] && break; sleep 0.1; done
expect "the namespace controller removes its own finalizer only" "$(jsonpath ns stuck '' '{.spec.finalizers}')" '["example.com/custom"]'
printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"stuck"},"spec":{"finalizers":[]}}' \
    | k replace --raw /api/v1/namespaces/stuck/finalize -f - >/dev/null
for _ in $(seq 100); do k get ns stuck >/dev/null 2>&1 || break; sleep 0.1; done
expect_match "replace --raw .../finalize frees it" "$(k get ns stuck 2>&1 || true)" 'namespaces "stuck" not found'

# The CRD's schema and CEL rules, as a real apiserver enforces them (kubectl's default is --validate=strict).
svcspec() { printf 'apiVersion: ops.hms.gov/v1alpha1\nkind: ServiceSpec\nmetadata:\n  name: %s\n  namespace: student-aid\nspec:\n  image: registry.gov/x:1\n%b\n' "$1" "$2"; }
expect_match "a string where the schema wants an integer is refused" \
    "$(svcspec strict-a '  replicas: "3"' | k apply -f - 2>&1 || true)" \
    '^\* spec\.replicas: Invalid value: "string": spec\.replicas in body must be of type integer: "string"$'
expect_match "an unknown field is refused under kubectl's Strict validation" \
    "$(svcspec strict-b '  healthChek:\n    path: /' | k apply -f - 2>&1 || true)" \
    'strict decoding error: unknown field "spec.healthChek"'
expect_match "and kept out, with a warning, under --validate=warn" \
    "$(svcspec strict-b '  healthChek:\n    path: /' | k apply --validate=warn -f - 2>&1)" \
    'Warning: unknown field "spec.healthChek"'
expect "the warned field was pruned" "$(k get svcspec strict-b -n student-aid -o jsonpath='{.spec}')" '{"image":"registry.gov/x:1"}'
expect_match "a port above 65535 is refused" \
    "$(svcspec strict-c '  port: 70000' | k apply -f - 2>&1 || true)" \
    'spec.port: Invalid value: 70000: spec.port in body should be less than or equal to 65535'
expect_match "a CEL rule's message is the apiserver's" \
    "$(svcspec strict.d '' | k apply -f - 2>&1 || true)" \
    '"strict.d" is invalid: <nil>: Invalid value: the name also names a Service: a DNS-1035 label'

# The static CEL cost estimate: a rule over an unbounded list of unbounded strings is refused at
# creation, with the apiserver's message and path; bounded, it is admitted.
costly_crd() {
    printf 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: costlies.test.gov\nspec:\n'
    printf '  group: test.gov\n  scope: Namespaced\n  names: {kind: Costly, plural: costlies}\n  versions:\n  - name: v1\n'
    printf '    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n'
    printf '          spec:\n            type: object\n            properties:\n              names:\n                type: array\n%b' "$1"
    printf '                items: {type: string%b}\n' "$2"
    printf '                x-kubernetes-validations:\n                - rule: "self.all(x, x.matches(\x27^[a-z]+$\x27))"\n'
}
expect_match "a CRD whose rule is estimated too expensive is refused" \
    "$(costly_crd '' '' | k apply -f - 2>&1 || true)" \
    'spec\.validation\.openAPIV3Schema\.properties\[spec\]\.properties\[names\]\.x-kubernetes-validations\[0\]\.rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x \(try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared\)'
expect "the refused CRD was not stored" "$(k get crd costlies.test.gov -o name --ignore-not-found)" ""
expect "bounded by maxItems and maxLength, it is admitted" \
    "$(costly_crd '                maxItems: 10\n' ', maxLength: 20' | k apply -f - 2>&1)" \
    "customresourcedefinition.apiextensions.k8s.io/costlies.test.gov created"

finish e2e-kubectl
