#!/usr/bin/env bash
# Directive benchmark (issue 7): a Directive with 1,000 jobs against the mock cluster (release
# builds), two ways, medians of RUNS runs (default 3), each in a namespace of its own:
# 1. `hmsctl directive run`: from the mock's request log, the time from the run request (the PATCH
#    of the Directive's run-requested-at annotation) until the last of the 1,000 Jobs was created,
#    and the API requests made per job; beside it, the command's wall time.
# 2. A scheduled run picked up by the running controller (hms-controller, default 5 s passes):
#    the Directive is scheduled for the next whole minute in UTC; from the scheduled moment until
#    the last Job's create in the mock's request log, and the controller's requests from that
#    moment until it wrote the run into the status, per job. The reads the controller makes every
#    pass anyway (steady state) are counted apart, from the quiet time before the run.
# Targets: under 10 s, at most 2 requests per job.
#   hack/bench-directives.sh [RUNS] [JOBS]
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
jobs="${2:-1000}"

hack/install-deps.sh curl
source hack/lib/e2e.sh
require_tool kubectl bench-directives
release_build hmsctl hms-controller
# The Jobs keep running: the benchmark is about starting them.
start_mock --job-seconds 3600
export HMS_JOURNAL="$work/journal.jsonl"
k apply -f manifests/crds/ >/dev/null

# directive_yaml NAMESPACE SCHEDULE TIMEZONE: the Directive fan-out of $jobs jobs.
directive_yaml() {
    python3 - "$jobs" "$@" <<'PY'
import sys
jobs, namespace, schedule, zone = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
print(f"""apiVersion: ops.hms.gov/v1alpha1
kind: Directive
metadata: {{name: fan-out, namespace: {namespace}, labels: {{program: bench}}}}
spec:
  schedule: "{schedule}"
  timeZone: {zone}
  template: {{image: registry.gov/power-worker:2.1, command: [dispatch], resources: {{cpu: 250m, memory: 128Mi}}}}
  retry: {{maxAttempts: 3, backoffSeconds: 30}}
  maxRuntimeSeconds: 2700
  slo: {{finishBefore: "06:00"}}
  jobs:""")
for i in range(jobs):
    print(f"  - {{id: feeder-{i:04d}, payload: {{feeder: {i}, megawatts: {100 + i % 400}}}}}")
PY
}

seconds() { python3 -c 'import time; print(f"{time.monotonic():.3f}")'; }
echo "== $runs runs of a Directive with $jobs jobs"
for run in $(seq "$runs"); do
    namespace="bench-$run"
    printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"%s"}}' "$namespace" | k apply -f - >/dev/null
    directive_yaml "$namespace" "0 0 1 1 *" America/Chicago >"$work/directive.yaml"
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

# 2. Scheduled runs, picked up by the controller. It runs throughout; each run's Directive is
#    deleted afterwards, so later passes do not list its Jobs.
sync=${SYNC_SECONDS:-5}
"$bin/hms-controller" --identity bench --sync-seconds "$sync" \
    --metrics-addr 127.0.0.1:0 --health-addr 127.0.0.1:0 --console-addr 127.0.0.1:0 >"$work/controller.log" 2>&1 &
pids+=($!)
echo "== $runs scheduled runs of a Directive with $jobs jobs, picked up by hms-controller (--sync-seconds $sync)"
for run in $(seq "$runs"); do
    namespace="scheduled-$run"
    printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"%s"}}' "$namespace" | k apply -f - >/dev/null
    # The next whole minute at least 15 s away, in UTC: time for the quiet passes before it.
    read -r scheduled at <<<"$(python3 -c '
import datetime
lead = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=15)
run = lead.replace(second=0, microsecond=0)
if run < lead: run += datetime.timedelta(minutes=1)
print(run.timestamp(), run.strftime("%H:%M"))')"
    directive_yaml "$namespace" "$at" UTC >"$work/scheduled.yaml"
    "$bin/hmsctl" apply -f "$work/scheduled.yaml" >/dev/null
    curl -fsS -X DELETE "$server/mock/v1/requests" >/dev/null
    cleared=$(date +%s.%N)
    # The controller writes the run into the status after the pass created its Jobs.
    recorded() { [ "$(k get directive fan-out -n "$namespace" -o jsonpath='{.status.runs[0].jobCount}' 2>/dev/null)" -ge "$jobs" ] 2>/dev/null; }
    sleep "$(python3 -c "import time; print(max(0, $scheduled - time.time()))")"
    for _ in $(seq 120); do recorded && break; sleep 0.5; done
    sleep 1
    curl -fsS "$server/mock/v1/requests" >"$work/scheduled-$run.json"
    count=$(k get jobs -n "$namespace" -o name | wc -l | tr -d ' ')
    [ "$count" -eq "$jobs" ] || { echo "scheduled run $run made $count Jobs, not $jobs" >&2; tail -5 "$work/controller.log" >&2; exit 1; }
    python3 - "$work/scheduled-$run.json" "$namespace" "$jobs" "$scheduled" "$cleared" <<'PY' | tee -a "$work/scheduled.txt"
import datetime, json, sys
path, namespace, jobs, scheduled, cleared = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
def at(entry): return datetime.datetime.fromisoformat(entry["time"].replace("Z", "+00:00")).timestamp()
mine = [e for e in json.load(open(path))["items"] if e["userAgent"].startswith("hms-controller") and not e["path"].startswith("/mock/")]
created = [e for e in mine if e["method"] == "POST" and e["status"] == 201 and e["path"].startswith(f"/apis/batch/v1/namespaces/{namespace}/jobs")]
first, last = min(map(at, created)), max(map(at, created))
recorded = min(at(e) for e in mine if e["method"] == "PATCH" and e["path"].endswith(f"/namespaces/{namespace}/directives/fan-out/status") and at(e) >= last)
window = [e for e in mine if scheduled <= at(e) <= recorded]
writes = [e for e in window if e["method"] != "GET"]
quiet = [e for e in mine if at(e) < scheduled]
print(f"scheduled_to_last_job={last - scheduled:.3f} scheduled_to_first_job={first - scheduled:.3f} requests={len(window)} "
      f"job_posts={sum(1 for e in window if e['method'] == 'POST' and '/jobs' in e['path'])} other_writes={len(writes) - len(created)} "
      f"reads={len(window) - len(writes)} per_job={len(window) / jobs:.3f} "
      f"quiet_reads_per_minute={len(quiet) * 60 / (scheduled - cleared):.1f} quiet_writes={sum(1 for e in quiet if e['method'] != 'GET')}")
PY
    k delete directive fan-out -n "$namespace" --wait=false >/dev/null
done

python3 - "$work/results.txt" "$work/scheduled.txt" "$jobs" "$sync" <<'PY'
import statistics, sys
def rows(path): return [dict(part.split("=") for part in line.split()) for line in open(path)]
manual, scheduled, jobs, sync = rows(sys.argv[1]), rows(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def median(rows, key): return statistics.median(float(r[key]) for r in rows)
latency, wall, per_job = median(manual, "request_to_last_job"), median(manual, "wall"), median(manual, "per_job")
requests = statistics.median(int(r["requests"]) for r in manual)
print()
print("`hmsctl directive run`:")
print()
print("| | median |")
print("| --- | --- |")
print(f"| run request → all {jobs:,} Jobs exist (mock request log) | {latency:.2f} s |")
print(f"| `hmsctl directive run` wall time | {wall:.2f} s |")
print(f"| API requests per run | {requests:,.0f} ({per_job:.3f} per job) |")
print()
print(f"A scheduled run, picked up by hms-controller (--sync-seconds {sync}):")
print()
print("| | median |")
print("| --- | --- |")
s_latency, s_first, s_per_job = median(scheduled, "scheduled_to_last_job"), median(scheduled, "scheduled_to_first_job"), median(scheduled, "per_job")
print(f"| scheduled moment → first Job created | {s_first:.2f} s |")
print(f"| scheduled moment → all {jobs:,} Jobs exist (mock request log) | {s_latency:.2f} s (worst {max(float(r['scheduled_to_last_job']) for r in scheduled):.2f} s) |")
print(f"| controller requests, scheduled moment → run in the status | {median(scheduled, 'requests'):,.0f} ({s_per_job:.3f} per job): "
      f"{median(scheduled, 'job_posts'):,.0f} Job creates, {median(scheduled, 'other_writes'):.0f} other writes, {median(scheduled, 'reads'):.0f} reads |")
print(f"| steady state before the run (not counted above) | {median(scheduled, 'quiet_reads_per_minute'):.0f} reads a minute, "
      f"{max(int(r['quiet_writes']) for r in scheduled)} writes |")
print()
print(f"{jobs:,} Jobs under 10 s: directive run {latency:.2f} s from the request ({wall:.2f} s wall), "
      f"scheduled {s_latency:.2f} s from the scheduled moment: {'PASS' if max(wall, s_latency) < 10 else 'MISS'}")
print(f"at most 2 requests per job: directive run {per_job:.3f}, scheduled {s_per_job:.3f}: {'PASS' if max(per_job, s_per_job) <= 2 else 'MISS'}")
PY
