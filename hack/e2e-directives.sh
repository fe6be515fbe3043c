#!/usr/bin/env bash
# End to end: Directives through the hmsctl binary against a live mock cluster, checked with real
# kubectl and the mock's request log: a missed scheduled run caught up (and the plans of catchUp
# none and all), its Jobs with their payload, an SLO breach and its Event, no duplicate Job however
# often apply runs (or when the status was never written), a job that fails once and succeeds on
# retry, a job that times out, a manual run.
#   hack/e2e-directives.sh            (run by hack/test.sh)
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

source hack/lib/e2e.sh
require_tool kubectl e2e-directives
swift build --product hmsctl >/dev/null
hmsctl="$(swift build --show-bin-path)/hmsctl"
export HMS_JOURNAL="$work/journal.jsonl"
start_mock --pod-startup-seconds 0.2 --job-seconds 1

echo "== Directives against $server"
k apply -f manifests/crds/ >/dev/null
printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"power"}}' | k apply -f - >/dev/null

# py EXPRESSION: times for the test, computed from the clock now.
py() { python3 -c "import datetime, zoneinfo; utc = datetime.timezone.utc; chicago = zoneinfo.ZoneInfo('America/Chicago'); $1"; }
# jobs_posted: how many Jobs the mock was asked to create since the log was cleared.
jobs_posted() { writes | grep -c '^POST /apis/batch/v1/namespaces/power/jobs' || true; }
# run_id ANNOTATION_TIME: the id of the manual run requested at that RFC 3339 time (UTC).
run_id() { py "print(datetime.datetime.fromisoformat('$1'.replace('Z', '+00:00')).astimezone(utc).strftime('%Y%m%d-%H%M%S'))"; }
# settle FILE JSONPATH EXPECTED: apply FILE once a second (each apply is a reconcile pass) until
# the Directive's JSONPATH reads EXPECTED, at most 30 times.
settle() {
    local name
    name=$(sed -n 's/^metadata: {name: \([a-z0-9-]*\),.*/\1/p' "$1")
    for _ in $(seq 30); do
        "$hmsctl" apply -f "$1" >/dev/null
        [ "$(k get directive "$name" -n power -o jsonpath="$2")" = "$3" ] && return 0
        sleep 1
    done
}

# 1. A daily run two minutes ago, missed "while the controller was down" (the status says it last
#    ran the day before), caught up by catchUp latest; its SLO deadline, a minute after it, is past.
scheduled=$(py "print((datetime.datetime.now(utc).replace(second=0, microsecond=0) - datetime.timedelta(minutes=2)).isoformat())")
at=$(py "print(datetime.datetime.fromisoformat('$scheduled').astimezone(chicago).strftime('%H:%M'))")
deadline=$(py "print((datetime.datetime.fromisoformat('$scheduled') + datetime.timedelta(minutes=1)).astimezone(chicago).strftime('%H:%M'))")
yesterday=$(py "print((datetime.datetime.fromisoformat('$scheduled') - datetime.timedelta(days=1)).strftime('%Y-%m-%dT%H:%M:%SZ'))")
run=$(py "print(datetime.datetime.fromisoformat('$scheduled').strftime('%Y%m%d-%H%M'))")
cat >"$work/nightly.yaml" <<EOF
apiVersion: ops.hms.gov/v1alpha1
kind: Directive
metadata: {name: nightly, namespace: power, labels: {program: power}}
spec:
  schedule: "$at"
  timeZone: America/Chicago
  template: {image: registry.gov/power-worker:2.1, command: [dispatch], resources: {cpu: 250m, memory: 128Mi}}
  jobs:
  - {id: power-tx, payload: {region: TX, megawatts: 400}}
  - {id: power-ok, payload: {region: OK, megawatts: 350}}
  - {id: power-ar, payload: {region: AR, megawatts: 250}}
  maxRuntimeSeconds: 600
  slo: {finishBefore: "$deadline"}
  catchUp: latest
EOF
output=$("$hmsctl" apply -f "$work/nightly.yaml")
expect_match "a new Directive does not run a time before it existed" "$output" "No changes. The cluster matches the manifests."
k patch directive nightly -n power --subresource=status --type=merge -p "{\"status\":{\"lastScheduleTime\":\"$yesterday\"}}" >/dev/null

set +o errexit
output=$("$hmsctl" plan -f "$work/nightly.yaml"); status=$?
set -o errexit
expect "plan of the missed run exits 2" "$status" "2"
expect_match "plan shows what catch-up will do" "$output" "reason: +scheduled run [0-9-]+ $at C[SD]T, missed while the controller was down: catchUp latest starts it"
expect_match "three jobs to start" "$output" "Plan: 0 to deploy, 0 to scale, 0 to restart, 0 to delete, 3 jobs to start."
# The same Directive under catchUp none and all, last run three days before: three runs missed.
# days_before N FORMAT: the nightly run N days before the missed one, at the same Chicago clock time, in UTC.
days_before() { py "local = datetime.datetime.fromisoformat('$scheduled').astimezone(chicago).replace(tzinfo=None) - datetime.timedelta(days=$1); print(local.replace(tzinfo=chicago).astimezone(utc).strftime('$2'))"; }
three_days=$(days_before 3 '%Y-%m-%dT%H:%M:%SZ')
for mode in none all; do
    sed -e "s/name: nightly,/name: nightly-$mode,/" -e "s/catchUp: latest/catchUp: $mode/" "$work/nightly.yaml"
    echo "---"
done >"$work/catch-up.yaml"
"$hmsctl" apply -f "$work/catch-up.yaml" >/dev/null
for mode in none all; do
    k patch directive "nightly-$mode" -n power --subresource=status --type=merge -p "{\"status\":{\"lastScheduleTime\":\"$three_days\"}}" >/dev/null
done
set +o errexit
output=$("$hmsctl" plan -f "$work/catch-up.yaml")
json=$("$hmsctl" plan -f "$work/catch-up.yaml" -o json)
set -o errexit
expect "catchUp none skips the missed runs and says so" "$(printf '%s\n' "$output" | grep '^# ')" \
    "# Directive power/nightly-none: catchUp none: 3 missed runs skipped"
expect "in the JSON plan too" "$(printf '%s' "$json" | python3 -c 'import json, sys; print([n["message"] for n in json.load(sys.stdin)["notes"]])')" \
    "['catchUp none: 3 missed runs skipped']"
expect "catchUp all starts all three, oldest first" \
    "$(printf '%s\n' "$output" | sed -n 's/^▶ start-job Job power\/nightly-all-\([0-9-]*\)-power-tx-1 .*/\1/p' | tr '\n' ' ')" \
    "$(days_before 2 %Y%m%d-%H%M) $(days_before 1 %Y%m%d-%H%M) $run "
expect_match "each as a missed run" "$output" "reason: +scheduled run [0-9-]+ $at C[SD]T, missed while the controller was down: catchUp all starts it$"
expect_match "nine jobs to start, none for catchUp none" "$output" "Plan: 0 to deploy, 0 to scale, 0 to restart, 0 to delete, 9 jobs to start."
k delete directive nightly-none nightly-all -n power >/dev/null

clear_requests
output=$("$hmsctl" apply -f "$work/nightly.yaml")
expect_match "apply starts the run's jobs" "$output" "✓ start-job Job power/nightly-$run-power-tx-1 power-tx → attempt 1 of 1"
expect "three Jobs created" "$(k get jobs -n power -l ops.hms.gov/run="$run" -o name | wc -l | tr -d ' ')" "3"
expect "each with its payload as JSON in HMS_PAYLOAD" \
    "$(k get job "nightly-$run-power-tx-1" -n power -o jsonpath='{.spec.template.spec.containers[0].env[?(@.name=="HMS_PAYLOAD")].value}')" \
    '{"megawatts":400,"region":"TX"}'
expect "backoffLimit 0, activeDeadlineSeconds = maxRuntimeSeconds" \
    "$(k get job "nightly-$run-power-tx-1" -n power -o jsonpath='{.spec.backoffLimit} {.spec.activeDeadlineSeconds}')" "0 600"
expect "the status records the run" "$(k get directive nightly -n power -o jsonpath='{.status.lastScheduleTime}')" "${scheduled%+00:00}Z"
expect "past its deadline, the run's SLO is missed" "$(k get directive nightly -n power -o jsonpath='{.status.runs[0].sloOk}')" "false"
expect_match "an SLOBreached Warning Event on the Directive" \
    "$(k get events -n power --field-selector reason=SLOBreached -o jsonpath='{.items[*].type} {.items[*].involvedObject.kind}/{.items[*].involvedObject.name}: {.items[*].message}')" \
    "^Warning Directive/nightly: run [0-9-]+ $at C[SD]T was not complete at its SLO deadline"
expect "and a journal entry" "$(grep -c '"incident":"SLOBreached"' "$HMS_JOURNAL")" "1"
expect_match "one Event for the run's starts, not one per job" \
    "$(k get events -n power --field-selector reason=JobStarted -o jsonpath='{.items[*].message}')" "^started 3 jobs of run $run"

clear_requests
"$hmsctl" apply -f "$work/nightly.yaml" >/dev/null
"$hmsctl" apply -f "$work/nightly.yaml" >/dev/null
expect "apply twice more: no Job created again" "$(jobs_posted)" "0"
# As if the pass that started the run had died before writing the status.
k patch directive nightly -n power --subresource=status --type=merge -p "{\"status\":{\"lastScheduleTime\":\"$yesterday\",\"runs\":null}}" >/dev/null
"$hmsctl" apply -f "$work/nightly.yaml" >/dev/null
expect "a status never written: still no Job created twice" "$(jobs_posted)" "0"
expect "still three Jobs" "$(k get jobs -n power -l ops.hms.gov/directive=nightly -o name | wc -l | tr -d ' ')" "3"
expect "the run is back in the status" "$(k get directive nightly -n power -o jsonpath='{.status.runs[0].jobs[*].id}')" "power-tx power-ok power-ar"
expect "the breach is raised once" "$(k get events -n power --field-selector reason=SLOBreached -o jsonpath='{.items[*].count}')" "1"

# 2. A job that fails once, then succeeds on its second attempt.
cat >"$work/retrying.yaml" <<EOF
apiVersion: ops.hms.gov/v1alpha1
kind: Directive
metadata: {name: retrying, namespace: power}
spec:
  schedule: "0 0 1 1 *"
  timeZone: America/Chicago
  template: {image: registry.gov/power-worker:2.1}
  jobs:
  - {id: flaky, payload: {region: TX}}
  - {id: steady, payload: {region: OK}}
  retry: {maxAttempts: 3, backoffSeconds: 1, backoffMultiplier: 2}
  maxRuntimeSeconds: 60
EOF
"$hmsctl" apply -f "$work/retrying.yaml" >/dev/null
output=$("$hmsctl" directive run retrying -n power --request-only)
expect_match "directive run --request-only writes the request" "$output" "^directive.ops.hms.gov/retrying: run requested for .* \(ops.hms.gov/run-requested-at="
requested=$(k get directive retrying -n power -o jsonpath='{.metadata.annotations.ops\.hms\.gov/run-requested-at}')
manual=$(run_id "$requested")
control "jobs/power/retrying-$manual-flaky-1" '{"outcome": "fail", "afterSeconds": 0.5}'
output=$("$hmsctl" apply -f "$work/retrying.yaml")
expect_match "the next apply starts the requested run" "$output" "✓ start-job Job power/retrying-$manual-flaky-1 flaky → attempt 1 of 3"
settle "$work/retrying.yaml" '{.status.runs[0].jobs[0].state}/{.status.runs[0].jobs[0].attempts}' "SUCCEEDED/2"
expect "the failed attempt was retried and succeeded" \
    "$(k get directive retrying -n power -o jsonpath='{.status.runs[0].jobs[0].state}/{.status.runs[0].jobs[0].attempts}')" "SUCCEEDED/2"
expect "attempt 1 failed in the cluster" "$(k get job "retrying-$manual-flaky-1" -n power -o jsonpath='{.status.conditions[?(@.type=="Failed")].status}')" "True"
expect "as its own Job, attempt 2" "$(k get job "retrying-$manual-flaky-2" -n power -o jsonpath='{.metadata.labels.ops\.hms\.gov/attempt}')" "2"
expect "the request is handled once" "$(k get directive retrying -n power -o jsonpath='{.status.lastHandledRunRequest}')" "$requested"
output=$("$hmsctl" get directive retrying -n power)
expect_match "get directive shows the runs and job states" "$output" "retrying +[0-9-]+ +[0-9:]+ C[SD]T +manual +flaky +SUCCEEDED +2 +<none>"
expect_match "one row per job" "$output" "retrying +[0-9-]+ +[0-9:]+ C[SD]T +manual +steady +SUCCEEDED +1 +<none>"
expect "get directive -o json has the status" \
    "$("$hmsctl" get directive retrying -n power -o json | python3 -c 'import json, sys; run = json.load(sys.stdin)["status"]["runs"][0]; print(run["trigger"], [job["state"] for job in run["jobs"]])')" \
    "manual ['SUCCEEDED', 'SUCCEEDED']"

# 3. A job that runs longer than maxRuntimeSeconds: the cluster stops it, it is TIMED_OUT.
cat >"$work/stuck.yaml" <<EOF
apiVersion: ops.hms.gov/v1alpha1
kind: Directive
metadata: {name: stuck, namespace: power}
spec:
  schedule: "0 0 1 1 *"
  template: {image: registry.gov/power-worker:2.1}
  jobs:
  - {id: slow}
  maxRuntimeSeconds: 2
EOF
"$hmsctl" apply -f "$work/stuck.yaml" >/dev/null
"$hmsctl" directive run stuck -n power --request-only >/dev/null
manual=$(run_id "$(k get directive stuck -n power -o jsonpath='{.metadata.annotations.ops\.hms\.gov/run-requested-at}')")
control "jobs/power/stuck-$manual-slow-1" '{"outcome": "hang"}'
settle "$work/stuck.yaml" '{.status.runs[0].jobs[0].state}' "TIMED_OUT"
expect "a hanging job is TIMED_OUT" "$(k get directive stuck -n power -o jsonpath='{.status.runs[0].jobs[0].state}')" "TIMED_OUT"
expect "stopped by the cluster at its deadline" \
    "$(k get job "stuck-$manual-slow-1" -n power -o jsonpath='{.status.conditions[?(@.type=="Failed")].reason}')" "DeadlineExceeded"
expect "with a message" "$(k get directive stuck -n power -o jsonpath='{.status.runs[0].jobs[0].message}')" "attempt 1 of 1 timed out after 2s"

# 4. hmsctl directive run: the request and the run, in one command.
output=$("$hmsctl" directive run nightly -n power)
expect_match "directive run starts the jobs now" "$output" "✓ start-job Job power/nightly-[0-9]{8}-[0-9]{6}-power-ar-1 power-ar → attempt 1 of 1"
expect_match "and says so" "$output" "Applied: 3 done, 0 not carried out, 0 failed."
expect "six nightly Jobs now" "$(k get jobs -n power -l ops.hms.gov/directive=nightly -o name | wc -l | tr -d ' ')" "6"

finish e2e-directives
