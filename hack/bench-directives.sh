#!/usr/bin/env bash
# Directive benchmark (issue 7): a Directive with 1,000 jobs, run with `hmsctl directive run`
# against the mock cluster (release builds). For each run, from the mock's request log: the time
# from the run request (the PATCH of the Directive's run-requested-at annotation) until the last
# of the 1,000 Jobs was created, and the API requests made per job; beside it, the command's wall
# time. Targets: under 10 s, at most 2 requests per job. Medians of RUNS runs (default 3), each
# in a namespace of its own.
#   hack/bench-directives.sh [RUNS] [JOBS]
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
jobs="${2:-1000}"

if ! command -v kubectl >/dev/null 2>&1; then
    echo "bench-directives: SKIPPED: kubectl is not installed (it installs the CRDs)"
    exit 0
fi
hack/install-deps.sh curl
echo "== building (release)"
swift build -c release --product hmsctl 2>&1 | tail -n 1
swift build -c release --product hms-mock-cluster 2>&1 | tail -n 1
bin=$(swift build -c release --show-bin-path)

work=$(mktemp -d)
mock_pid=""
cleanup() {
    [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null && wait "$mock_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
# The Jobs keep running: the benchmark is about starting them.
"$bin/hms-mock-cluster" --port 0 --kubeconfig-out "$work/kubeconfig" --job-seconds 3600 >"$work/mock.log" 2>&1 &
mock_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/mock.log" && break; sleep 0.1; done
server=$(sed -n 's/^hms-mock-cluster listening on //p' "$work/mock.log")
export KUBECONFIG="$work/kubeconfig" HMS_JOURNAL="$work/journal.jsonl"
k() { kubectl --cache-dir "$work/cache" "$@"; }
k apply -f manifests/crds/ >/dev/null

seconds() { python3 -c 'import time; print(f"{time.monotonic():.3f}")'; }
echo "== $runs runs of a Directive with $jobs jobs"
for run in $(seq "$runs"); do
    namespace="bench-$run"
    printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"%s"}}' "$namespace" | k apply -f - >/dev/null
    python3 - "$jobs" "$namespace" >"$work/directive.yaml" <<'PY'
import sys
jobs, namespace = int(sys.argv[1]), sys.argv[2]
print(f"""apiVersion: ops.hms.gov/v1alpha1
kind: Directive
metadata: {{name: fan-out, namespace: {namespace}, labels: {{program: bench}}}}
spec:
  schedule: "0 0 1 1 *"
  timeZone: America/Chicago
  template: {{image: registry.gov/power-worker:2.1, command: [dispatch], resources: {{cpu: 250m, memory: 128Mi}}}}
  retry: {{maxAttempts: 3, backoffSeconds: 30}}
  maxRuntimeSeconds: 2700
  slo: {{finishBefore: "06:00"}}
  jobs:""")
for i in range(jobs):
    print(f"  - {{id: feeder-{i:04d}, payload: {{feeder: {i}, megawatts: {100 + i % 400}}}}}")
PY
    "$bin/hmsctl" apply -f "$work/directive.yaml" >/dev/null
    curl -fsS -X DELETE "$server/mock/v1/requests" >/dev/null
    start=$(seconds)
    "$bin/hmsctl" directive run fan-out -n "$namespace" >"$work/out.txt"
    end=$(seconds)
    curl -fsS "$server/mock/v1/requests" >"$work/requests-$run.json"
    count=$(k get jobs -n "$namespace" -o name | wc -l | tr -d ' ')
    [ "$count" -eq "$jobs" ] || { echo "run $run made $count Jobs, not $jobs" >&2; tail -5 "$work/out.txt" >&2; exit 1; }
    python3 - "$work/requests-$run.json" "$namespace" "$jobs" "$start" "$end" <<'PY' | tee -a "$work/results.txt"
import datetime, json, sys
path, namespace, jobs, start, end = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
entries = [e for e in json.load(open(path))["items"] if not e["path"].startswith("/mock/")]
def at(entry): return datetime.datetime.fromisoformat(entry["time"].replace("Z", "+00:00")).timestamp()
request = next(e for e in entries if e["method"] == "PATCH" and "/directives/fan-out" in e["path"])
posts = [e for e in entries if e["method"] == "POST" and e["path"].startswith(f"/apis/batch/v1/namespaces/{namespace}/jobs")]
created = [e for e in posts if e["status"] == 201]
print(f"request_to_last_job={at(created[-1]) - at(request):.3f} wall={end - start:.3f} requests={len(entries)} "
      f"job_posts={len(posts)} created={len(created)} per_job={len(entries) / jobs:.3f}")
PY
done

python3 - "$work/results.txt" "$jobs" <<'PY'
import statistics, sys
rows = [dict(part.split("=") for part in line.split()) for line in open(sys.argv[1])]
jobs = int(sys.argv[2])
latency = statistics.median(float(r["request_to_last_job"]) for r in rows)
wall = statistics.median(float(r["wall"]) for r in rows)
per_job = max(float(r["per_job"]) for r in rows)
requests = max(int(r["requests"]) for r in rows)
print()
print("| | median |")
print("| --- | --- |")
print(f"| run request → all {jobs:,} Jobs exist (mock request log) | {latency:.2f} s |")
print(f"| `hmsctl directive run` wall time | {wall:.2f} s |")
print(f"| API requests per run | {requests:,} ({per_job:.3f} per job) |")
print()
print(f"{jobs:,} Jobs under 10 s: {wall:.2f} s wall, {latency:.2f} s from the request: {'PASS' if wall < 10 else 'MISS'}")
print(f"at most 2 requests per job: {per_job:.3f}: {'PASS' if per_job <= 2 else 'MISS'}")
PY
