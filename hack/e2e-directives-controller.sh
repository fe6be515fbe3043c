#!/usr/bin/env bash
# End to end: a scheduled Directive run carried out by the real hms-controller binary against a live
# mock cluster, with the controller SIGKILLed while the run's Jobs are being created and started
# again. Checked from the mock's request log and real kubectl: every Job created exactly once, the
# retry of a job that failed once, the run complete with one status entry, and the SLO breach of
# the run (one of its jobs runs past the deadline) raised by the controller as an Event and a
# journal entry. Takes one to two and a half minutes: cron has minute resolution, so the run waits
# for the next minute and the SLO deadline is a minute after it.
#   hack/e2e-directives-controller.sh [JOBS]      (run by hack/test.sh; JOBS defaults to 300)
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."
jobs="${1:-300}"

source hack/lib/e2e.sh
require_tool kubectl e2e-directives-controller
swift build --product hms-controller >/dev/null
bin="$(swift build --show-bin-path)"
export HMS_JOURNAL="$work/journal.jsonl"
start_mock --pod-startup-seconds 0.2 --job-seconds 1
start_controller() {
    "$bin/hms-controller" --identity "$1" --sync-seconds 0.5 \
        --metrics-addr 127.0.0.1:0 --health-addr 127.0.0.1:0 --console-addr 127.0.0.1:0 -v 2 >"$work/$1.log" 2>&1 &
    controller_pid=$!
}

echo "== a scheduled run of $jobs jobs, the controller killed mid-run, against $server"
k apply -f manifests/crds/ >/dev/null
printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"power"}}' | k apply -f - >/dev/null

# The run: the next whole minute at least 12 s away (time to set up), in UTC; its SLO deadline one
# minute later.
read -r scheduled at deadline run <<<"$(python3 -c '
import datetime
lead = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=12)
run = lead.replace(second=0, microsecond=0)
if run < lead: run += datetime.timedelta(minutes=1)
deadline = run + datetime.timedelta(minutes=1)
print(run.strftime("%Y-%m-%dT%H:%M:%SZ"), run.strftime("%H:%M"), deadline.strftime("%H:%M"), run.strftime("%Y%m%d-%H%M"))')"
python3 - "$jobs" "$at" "$deadline" >"$work/fan-out.yaml" <<'PY'
import sys
jobs, at, deadline = int(sys.argv[1]), sys.argv[2], sys.argv[3]
print(f"""apiVersion: ops.hms.gov/v1alpha1
kind: Directive
metadata: {{name: fan-out, namespace: power}}
spec:
  schedule: "{at}"
  timeZone: UTC
  template: {{image: registry.gov/power-worker:2.1, command: [dispatch], resources: {{cpu: 50m, memory: 32Mi}}}}
  retry: {{maxAttempts: 2, backoffSeconds: 1}}
  maxRuntimeSeconds: 600
  slo: {{finishBefore: "{deadline}"}}
  jobs:""")
for i in range(jobs):
    print(f"  - {{id: feeder-{i:04d}, payload: {{feeder: {i}}}}}")
PY
k apply -f "$work/fan-out.yaml" >/dev/null
name() { echo "fan-out-$run-feeder-$1-$2"; }
# The first job fails once (its retry succeeds); the last one runs until 8 s past the SLO deadline.
control "jobs/power/$(name 0000 1)" '{"outcome": "fail", "afterSeconds": 0.5}'
last=$(printf '%04d' $((jobs - 1)))
slow=$(python3 -c "
import datetime
deadline = datetime.datetime.strptime('$scheduled', '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc) + datetime.timedelta(minutes=1)
print(round((deadline - datetime.datetime.now(datetime.timezone.utc)).total_seconds() + 8, 1))")
control "jobs/power/$(name "$last" 1)" "{\"outcome\": \"succeed\", \"afterSeconds\": $slow}"
# Every API request answered 60 ms late: the run's creates take a few seconds, time to kill the
# controller in the middle of them.
control faults '{"latencyMs": 60}'

# requests METHOD STATUS: how many requests to the power namespace's Jobs the mock logged.
requests() {
    curl -fsS "$server/mock/v1/requests" | python3 -c '
import json, sys
method, status = sys.argv[1], int(sys.argv[2])
print(sum(1 for e in json.load(sys.stdin)["items"]
          if e["method"] == method and e["status"] == status and e["path"].startswith("/apis/batch/v1/namespaces/power/jobs")))' "$1" "$2"
}
created_at_least() { [ "$(requests POST 201)" -ge "$1" ]; }
job_count() { k get jobs -n power -l ops.hms.gov/directive=fan-out -o name | wc -l | tr -d ' '; }

clear_requests
start_controller first
echo "   run at $scheduled (SLO deadline $deadline UTC); waiting for it"
wait_for=$(( $(date -d "$scheduled" +%s) - $(date +%s) + 30 ))
wait_until "$wait_for" created_at_least $((jobs / 4)) || true
kill -9 "$controller_pid"
wait "$controller_pid" 2>/dev/null || true
controller_pid=""
control faults '{}'
sleep 0.5
before=$(job_count)
posted_before=$(requests POST 201)
step "SIGKILL while the run's Jobs were being created"
if [ "$before" -gt 0 ] && [ "$before" -lt "$jobs" ]; then pass; echo "    ($before of $jobs Jobs existed)"; else fail "Jobs at the kill: $before of $jobs"; fi
expect "the killed pass had not written the run into the status" "$(k get directive fan-out -n power -o jsonpath='{.status.runs[*].scheduledTime}')" ""

clear_requests
start_controller second
run_complete() { [ -n "$(k get directive fan-out -n power -o jsonpath='{.status.runs[0].completionTime}' 2>/dev/null)" ]; }
wait_until 120 run_complete || true
stop_controller
posted_after=$(requests POST 201)
conflicts_after=$(requests POST 409)

expect "every job has its Job, and the retried one a second (jobs + 1)" "$(job_count)" "$((jobs + 1))"
expect "the restarted controller created only the missing Jobs" "$posted_after" "$((jobs + 1 - before))"
expect "Jobs created in all (201s) = Jobs in the cluster: none twice" "$((posted_before + posted_after))" "$(job_count)"
expect "no create refused as AlreadyExists (409) after the restart" "$conflicts_after" "0"
expect "one Job per job and attempt" "$(k get jobs -n power -l ops.hms.gov/directive=fan-out \
    -o jsonpath='{range .items[*]}{.metadata.labels.ops\.hms\.gov/job}/{.metadata.labels.ops\.hms\.gov/attempt}{"\n"}{end}' | sort | uniq -d | wc -l | tr -d ' ')" "0"
expect "all of the one run" "$(k get jobs -n power -l ops.hms.gov/run="$run" -o name | wc -l | tr -d ' ')" "$((jobs + 1))"
expect "the failed job was retried once, as attempt 2" \
    "$(k get job "$(name 0000 2)" -n power -o jsonpath='{.metadata.labels.ops\.hms\.gov/attempt}/{.status.succeeded}')" "2/1"
expect "the status has one entry for the run" "$(k get directive fan-out -n power -o jsonpath='{.status.runs[*].scheduledTime}')" "$scheduled"
expect "every job SUCCEEDED" "$(k get directive fan-out -n power -o jsonpath='{.status.runs[0].jobCount} {.status.runs[0].counts.succeeded}')" "$jobs $jobs"
expect "the run finished after its deadline: sloOk false" "$(k get directive fan-out -n power -o jsonpath='{.status.runs[0].sloOk}')" "false"
expect_match "the controller raised one SLOBreached Warning Event" \
    "$(k get events -n power --field-selector reason=SLOBreached -o jsonpath='{range .items[*]}{.type} {.involvedObject.kind}/{.involvedObject.name} x{.count}: {.message}{"\n"}{end}')" \
    "^Warning Directive/fan-out x1: run [0-9-]+ $at UTC was not complete at its SLO deadline [0-9-]+ $deadline UTC: feeder-$last RUNNING \($((jobs - 1)) of $jobs jobs succeeded; the jobs keep running\)$"
expect "and one journal entry" "$(grep -c '"incident":"SLOBreached"' "$HMS_JOURNAL")" "1"
expect_match "the restarted controller logged its job starts" "$(grep -c '"action.verb":"start-job"' "$work/second.log")" "^[1-9][0-9]*$"

finish e2e-directives-controller
