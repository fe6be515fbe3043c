#!/usr/bin/env bash
# Autoscaling benchmark (issue 6): with the controller running against the mock cluster and the
# rule's syncPeriodSeconds at 1, step the load 20 times and measure the time until the scale
# request reaches the mock (target: median under 1.5 s; the HPA's default loop alone is 15 s).
# Then the cost of a pass with 1,000 AutoscaleRules: API requests per pass (target: one metrics
# list per namespace) and controller CPU time per pass.
#   hack/bench-autoscale.sh [STEPS]
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."
steps="${1:-20}"

hack/install-deps.sh curl
source hack/lib/e2e.sh
release_build hms-controller hmsctl
start_mock --pod-startup-seconds 0.3
export HMS_JOURNAL="$work/journal.jsonl"
k apply -f manifests/crds/ >/dev/null
printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"bench"}}' | k apply -f - >/dev/null
cat >"$work/service.yaml" <<'YAML'
apiVersion: ops.hms.gov/v1alpha1
kind: ServiceSpec
metadata: {name: api, namespace: bench}
spec: {image: registry.gov/api:1.0, replicas: 4, resources: {cpu: 500m, memory: 256Mi}}
---
apiVersion: ops.hms.gov/v1alpha1
kind: AutoscaleRule
metadata: {name: api, namespace: bench}
spec:
  target: api
  minReplicas: 2
  maxReplicas: 20
  syncPeriodSeconds: 1
  metrics: [{type: pods, name: http_rps, targetAverageValue: 500}]
  behavior:
    scaleUp: {stabilizationWindowSeconds: 0}
    scaleDown: {stabilizationWindowSeconds: 0, policies: [{type: Percent, value: 100, periodSeconds: 1}]}
YAML
k apply -f "$work/service.yaml" >/dev/null

echo "== 1. reaction to a load step ($steps steps)"
"$bin/hms-controller" --sync-seconds 0.2 --metrics-addr 127.0.0.1:0 --health-addr 127.0.0.1:0 --console-addr 127.0.0.1:0 >"$work/controller.log" 2>&1 &
controller=$!
pids+=("$controller")
for _ in $(seq 100); do [ "$(k get deploy api -n bench -o jsonpath='{.status.readyReplicas}' 2>/dev/null)" = 4 ] && break; sleep 0.2; done
python3 hack/bench/autoscale-reaction.py "$server" bench api "$steps" | tee "$work/reaction.txt"
kill "$controller"; wait "$controller" 2>/dev/null || true

echo "== 2. one pass with 1,000 AutoscaleRules (10 namespaces)"
python3 - "$work/many.yaml" <<'PY'
import sys
with open(sys.argv[1], "w") as out:
    for index in range(1000):
        namespace = f"bench-{index % 10}"
        out.write(f"""---
apiVersion: ops.hms.gov/v1alpha1
kind: ServiceSpec
metadata: {{name: svc-{index}, namespace: {namespace}}}
spec: {{image: registry.gov/svc:1.0, replicas: 1, resources: {{cpu: 100m, memory: 64Mi}}}}
---
apiVersion: ops.hms.gov/v1alpha1
kind: AutoscaleRule
metadata: {{name: svc-{index}, namespace: {namespace}}}
spec: {{target: svc-{index}, minReplicas: 1, maxReplicas: 5, syncPeriodSeconds: 1, metrics: [{{type: cpu, targetUtilization: 60}}, {{type: pods, name: http_rps, targetAverageValue: 500}}]}}
""")
PY
for index in $(seq 0 9); do printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"bench-%s"}}' "$index" | k apply -f - >/dev/null; done
"$bin/hmsctl" apply -f "$work/many.yaml" >/dev/null
"$bin/hms-controller" --once >/dev/null 2>&1   # settles the first round of writes
# A rule is read again once its syncPeriodSeconds (1 s here) has passed since its last
# recommendation: wait for that, so that the measured pass evaluates all 1,000.
sleep 1.5
curl -fsS -X DELETE "$server/mock/v1/requests" >/dev/null
/usr/bin/time -f "%U %S" -o "$work/cpu.txt" "$bin/hms-controller" --once >/dev/null 2>&1
requests=$(curl -fsS "$server/mock/v1/requests")
python3 - "$work/reaction.txt" "$work/cpu.txt" "$requests" "$steps" <<'PY'
import json, sys
median = float(open(sys.argv[1]).read().split("median=")[1].split()[0])
user, system = (float(x) for x in open(sys.argv[2]).read().split())
items = json.loads(sys.argv[3])["items"]
metric_lists = [e for e in items if "metrics.k8s.io" in e["path"]]
by_kind = {}
for e in items:
    key = ("metrics.k8s.io pods" if "/apis/metrics.k8s.io/" in e["path"] else "custom.metrics.k8s.io http_rps" if "custom.metrics" in e["path"] else e["method"] + " other")
    by_kind[key] = by_kind.get(key, 0) + 1
print()
print(f"| reaction to a load step, median of {sys.argv[4]} | {median:.2f} s |")
print(f"| API requests in one pass, 1,000 rules in 10 namespaces | {len(items)} ({', '.join(f'{k}: {v}' for k, v in sorted(by_kind.items()))}) |")
print(f"| controller CPU for that pass (process start included) | {user + system:.2f} s |")
print()
print(f"reaction median under 1.5 s: {'PASS' if median < 1.5 else 'MISS'}")
# Each namespace (11: the ten of this pass and the one of the reaction test) gets at most one
# list per metric source.
counts = {}
for e in items:
    if "metrics.k8s.io" in e["path"]:
        parts = e["path"].split("/")
        key = (parts[2], parts[parts.index("namespaces") + 1])
        counts[key] = counts.get(key, 0) + 1
print(f"one metrics list per namespace and source ({len(counts)} lists, most per namespace {max(counts.values())}): {'PASS' if max(counts.values()) == 1 else 'MISS'}")
PY
