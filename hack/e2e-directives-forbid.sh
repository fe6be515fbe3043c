#!/usr/bin/env bash
# End to end: a Directive with `concurrencyPolicy: Forbid` whose schedule fires again while its run
# is still open, carried out by the real hms-controller against the strict mock. The clocks are
# the test's: pinned just before the first run, then the controller's moved past the next one while
# the first run's last job hangs. Checked from a watch of the Jobs (every change the API server
# made, replayed): at no observed moment are Jobs of two runs active; the skipped run is reported
# as a CronJob reports it (a Normal Event JobAlreadyActive, "Not starting job because prior
# execution is running and concurrency policy is Forbid"); once the run completes, the next
# scheduled run starts. And `ttlSecondsAfterFinished: 1`, far shorter than the run: the job that
# finished first keeps its Job, and is not started again, until the run is complete; then the
# run's Jobs are deleted.
#   hack/e2e-directives-forbid.sh      (run by hack/test.sh)
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

source hack/lib/e2e.sh
require_tool kubectl e2e-directives-forbid
swift build --product hms-controller >/dev/null
swift build --product hms-mock-cluster >/dev/null
bin="$(swift build --show-bin-path)"
mock_bin="$bin/hms-mock-cluster"
export HMS_JOURNAL="$work/journal.jsonl"
# Ten seconds before the 10:00 run (time to set up), for the mock and the controller alike; the
# builds are done, so that none of the ten goes to them.
pin_clock 2027-03-01T09:59:50Z
start_mock --pod-startup-seconds 0.1 --job-seconds 1
start_controller() {
    "$bin/hms-controller" --identity forbid --sync-seconds 0.5 --clock-offset-seconds="$clock_offset" \
        --metrics-addr 127.0.0.1:0 --health-addr 127.0.0.1:0 --console-addr 127.0.0.1:0 -v 2 >>"$work/controller.log" 2>&1 &
    controller_pid=$!
}

echo "== a Forbid directive whose schedule fires while its run is open, against $server"
k apply -f manifests/crds/ >/dev/null
printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"power"}}' | k apply -f - >/dev/null
cat >"$work/forbid.yaml" <<'YAML'
apiVersion: ops.hms.gov/v1alpha1
kind: Directive
metadata: {name: forbid, namespace: power}
spec:
  schedule: "* * * * *"
  timeZone: UTC
  concurrencyPolicy: Forbid
  startingDeadlineSeconds: 300
  ttlSecondsAfterFinished: 1
  template: {image: registry.gov/power-worker:2.1, command: [dispatch], resources: {cpu: 10m, memory: 16Mi}}
  jobs: [{id: quick}, {id: slow}]
YAML
first=20270301-1000
# The first run: quick finishes at once, slow hangs until the test lets it finish.
control "jobs/power/forbid-$first-quick-1" '{"outcome": "succeed", "afterSeconds": 0.2}'
control "jobs/power/forbid-$first-slow-1" '{"outcome": "hang"}'

# Every change to the Jobs, as the API server tells a watcher: ADDED/MODIFIED/DELETED, the run,
# and whether it finished.
k get jobs -n power --watch --output-watch-events \
    -o jsonpath='{.type} {.object.metadata.name} {.object.metadata.labels.ops\.hms\.gov/run} {.object.status.succeeded}/{.object.status.failed}{"\n"}' \
    >"$work/watch.out" 2>"$work/watch.err" &
watch_pid=$!
pids+=("$watch_pid")
k apply -f "$work/forbid.yaml" >/dev/null
start_controller

jobs_of() { k get jobs -n power -l "ops.hms.gov/run=$1" -o name 2>/dev/null | wc -l | tr -d ' '; }
finished() { [ "$(k get job "$1" -n power -o jsonpath='{.status.succeeded}' 2>/dev/null)" = "1" ]; }
has() { [ "$(jobs_of "$1")" = "$2" ]; }
wait_until 30 has "$first" 2 || true
expect "the 10:00 run started its two Jobs" "$(jobs_of "$first")" "2"
wait_until 10 finished "forbid-$first-quick-1" || true
expect "its quick job finished" "$(k get job "forbid-$first-quick-1" -n power -o jsonpath='{.status.succeeded}')" "1"

# The schedule fires again: the controller's clock moves past 10:01 while slow still hangs.
stop_controller
pin_clock 2027-03-01T10:01:05Z
start_controller
event() { k get events -n power --field-selector reason=JobAlreadyActive -o jsonpath='{range .items[*]}{.type} {.involvedObject.kind}/{.involvedObject.name}: {.message}{"\n"}{end}' 2>/dev/null; }
has_event() { [ -n "$(event)" ]; }
wait_until 30 has_event || true
expect_match "the skipped run is reported as a CronJob reports it" "$(event)" \
    "^Normal Directive/forbid: Not starting job because prior execution is running and concurrency policy is Forbid \(run $first is active; the run of 2027-03-01 10:01 UTC waits\)$"
expect "the status keeps lastScheduleTime at the open run" \
    "$(k get directive forbid -n power -o jsonpath='{.status.lastScheduleTime}')" "2027-03-01T10:00:00Z"
expect "no Job of another run exists" "$(k get jobs -n power -o jsonpath='{range .items[*]}{.metadata.labels.ops\.hms\.gov/run}{"\n"}{end}' | sort -u)" "$first"
# ttlSecondsAfterFinished 1 is long past for quick, whose run is still open.
expect "quick's Job outlives its 1 s TTL while the run is open" "$(k get job "forbid-$first-quick-1" -n power -o name 2>/dev/null)" "job.batch/forbid-$first-quick-1"
posts() {
    curl -fsS "$server/mock/v1/requests" | python3 -c '
import json, sys
print(sum(1 for e in json.load(sys.stdin)["items"] if e["method"] == "POST" and e["status"] == 201
          and e["path"].startswith("/apis/batch/v1/namespaces/power/jobs")))'
}
expect "no job of the run started twice (2 Jobs created)" "$(posts)" "2"
expect "the Jobs carry no ttlSecondsAfterFinished of their own" \
    "$(k get jobs -n power -o jsonpath='{range .items[*]}{.spec.ttlSecondsAfterFinished}{end}')" ""

# slow finishes: the run completes, its Jobs go by their TTL, and the newest due run starts.
control "jobs/power/forbid-$first-slow-1" '{"outcome": "succeed", "afterSeconds": 0}'
first_complete() { [ -n "$(k get directive forbid -n power -o jsonpath="{.status.runs[?(@.scheduledTime==\"2027-03-01T10:00:00Z\")].completionTime}" 2>/dev/null)" ]; }
wait_until 30 first_complete || true
expect "the 10:00 run is complete" "$(first_complete && echo yes || echo no)" "yes"
other_runs() { k get jobs -n power -o jsonpath='{range .items[*]}{.metadata.labels.ops\.hms\.gov/run}{"\n"}{end}' 2>/dev/null | grep -v "^$first$" | sort -u; }
next_started() { [ -n "$(other_runs)" ]; }
wait_until 30 next_started || true
expect_match "then the next due run starts" "$(other_runs | head -1)" "^20270301-10(01|02)$"
first_gone() { [ "$(jobs_of "$first")" = 0 ]; }
wait_until 30 first_gone || true
expect "and the complete run's Jobs are deleted by its TTL" "$(jobs_of "$first")" "0"
stop_controller
kill "$watch_pid" 2>/dev/null || true
wait "$watch_pid" 2>/dev/null || true

# The watch replayed: which runs had a Job not yet finished after each change.
overlaps=$(python3 - "$work/watch.out" <<'PY'
import sys
open_jobs, overlaps, seen = {}, [], 0
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) < 3:
        continue
    kind, name, run = parts[0], parts[1], parts[2]
    done = parts[3] if len(parts) > 3 else "/"
    seen += 1
    succeeded, _, failed = done.partition("/")
    if kind == "DELETED" or succeeded not in ("", "0") or failed not in ("", "0"):
        open_jobs.pop(name, None)
    else:
        open_jobs[name] = run
    runs = sorted(set(open_jobs.values()))
    if len(runs) > 1:
        overlaps.append(f"{kind} {name}: {runs}")
print(f"{seen} {len(overlaps)}")
for overlap in overlaps[:5]:
    print(overlap)
PY
)
step "the watch saw the Jobs change"
if [ "$(echo "$overlaps" | head -1 | cut -d' ' -f1)" -ge 6 ]; then pass; else fail "changes seen: $(echo "$overlaps" | head -1)" "$(cat "$work/watch.err")"; fi
expect "at no observed moment were Jobs of two runs active" "$(echo "$overlaps" | head -1 | cut -d' ' -f2)" "0"

finish e2e-directives-forbid
