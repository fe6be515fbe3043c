#!/usr/bin/env bash
# Apply benchmark (issue 5):
#  1. the planner alone on 1,000, 10,000 and 100,000 ServiceSpecs with AutoscaleRules and Budgets
#     (target: under 100 ms for 10,000, growing linearly);
#  2. `hmsctl apply` of 1,000 new ServiceSpecs against the mock cluster, next to
#     `kubectl apply --server-side` of the 1,000 equivalent Deployments against the same mock
#     (target: our wall time at most half of kubectl's). The two take turns, each in a fresh
#     namespace; each run waits until the previous run's pods are ready. Medians of RUNS runs
#     (default 3; the README's figures are of 5).
#   hack/bench-apply.sh [RUNS]
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"

hack/install-deps.sh curl
source hack/lib/e2e.sh
require_tool kubectl bench-apply
release_build hms-bench-plan
# hmsctl as it ships: release, with the Swift runtime linked in (as the Dockerfile and bench-decode build it).
swift build -c release --product hmsctl --static-swift-stdlib --scratch-path .build/static 2>&1 | tail -n 1
hmsctl=.build/static/release/hmsctl

echo "== 1. planner"
"$bin/hms-bench-plan" 1000 10000 100000 | tee .build/bench-plan.txt

echo "== 2. apply 1,000 ServiceSpecs vs kubectl apply --server-side of 1,000 Deployments"
start_mock
export HMS_JOURNAL="$work/journal.jsonl"
k apply -f manifests/crds/ >/dev/null

# Wall-clock time from bash itself: no process started around the measurement.
seconds() { echo "$EPOCHREALTIME"; }

# settle NAMESPACE: waits until every Deployment there has its pods ready, so that one run's pods
# starting up in the mock do not land in the next run's measurement.
settle() {
    for _ in $(seq 300); do
        curl -fsS "$server/apis/apps/v1/namespaces/$1/deployments" | python3 -c '
import json, sys
items = json.load(sys.stdin)["items"]
sys.exit(0 if all(i.get("status", {}).get("readyReplicas", 0) == i["spec"]["replicas"] for i in items) else 1)' && return 0
        sleep 0.1
    done
    echo "the Deployments in $1 did not become ready" >&2
    exit 1
}
ours=()
theirs=()
for run in $(seq "$runs"); do
    for tool in hmsctl kubectl; do
        namespace="bench-$tool-$run"
        printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"%s"}}' "$namespace" | k apply -f - >/dev/null
        python3 hack/bench/gen-apply.py 1000 "$work/specs.yaml" "$work/deployments.yaml" "$namespace"
        start=$(seconds)
        if [ "$tool" = hmsctl ]; then
            "$hmsctl" apply -f "$work/specs.yaml" >"$work/out.txt"
        else
            k apply --server-side -f "$work/deployments.yaml" >"$work/out.txt"
        fi
        end=$(seconds)
        count=$(k get deployments -n "$namespace" -o name | wc -l)
        [ "$count" -eq 1000 ] || { echo "$tool made $count Deployments, not 1000" >&2; exit 1; }
        settle "$namespace"
        elapsed=$(python3 -c "print(f'{$end - $start:.3f}')")
        echo "run $run: $tool $elapsed s"
        if [ "$tool" = hmsctl ]; then ours+=("$elapsed"); else theirs+=("$elapsed"); fi
    done
done

python3 - "${ours[*]}" "${theirs[*]}" .build/bench-plan.txt <<'PY'
import statistics, sys
ours = [float(x) for x in sys.argv[1].split()]
theirs = [float(x) for x in sys.argv[2].split()]
plans = {}
for line in open(sys.argv[3]):
    fields = dict(part.split("=") for part in line.split())
    plans[int(fields["services"])] = float(fields["median_ms"])
print()
print("| | median |")
print("| --- | --- |")
for count, ms in sorted(plans.items()):
    print(f"| plan {count:,} services | {ms:.1f} ms ({ms * 1000 / count:.1f} µs each) |")
print(f"| hmsctl apply, 1,000 ServiceSpecs | {statistics.median(ours):.2f} s |")
print(f"| kubectl apply --server-side, 1,000 Deployments | {statistics.median(theirs):.2f} s |")
print()
ten = plans.get(10000)
if ten is not None:
    print(f"plan 10,000 under 100 ms: {ten:.1f} ms: {'PASS' if ten < 100 else 'MISS'}")
if 1000 in plans and 100000 in plans:
    growth = (plans[100000] / 100000) / (plans[1000] / 1000)
    print(f"linear growth (cost per service at 100,000 / at 1,000 = {growth:.2f}, 1 is linear): {'PASS' if growth < 2 else 'MISS'}")
ratio = statistics.median(ours) / statistics.median(theirs)
print(f"hmsctl / kubectl wall time = {ratio:.2f} (target at most 0.5): {'PASS' if ratio <= 0.5 else 'MISS'}")
PY
