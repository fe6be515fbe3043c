#!/usr/bin/env bash
# End to end: a Directive of 1,000 jobs run five times (5,000 jobs in all) by the real
# hms-controller against the strict mock, which refuses objects over 1.5 MiB as etcd does. Checked
# with real kubectl: every run's status written, the status under 256 KiB (each run's counts by
# state and a few of its jobs, not every job), the Jobs of the three newest runs kept
# (successfulRunsHistoryLimit's default) and every older run's Jobs deleted, on their uid and in
# the background, and no Job carrying a ttlSecondsAfterFinished (the controller applies the
# Directive's once a run is complete: hack/e2e-directives-forbid.sh). Runs are asked for by the
# run-request annotation (`hmsctl directive run`), so nothing waits for the cron minute.
#   hack/e2e-directives-history.sh [JOBS] [RUNS]      (run by hack/test.sh; 1,000 jobs, 5 runs)
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."
jobs="${1:-1000}"
runs="${2:-5}"

source hack/lib/e2e.sh
require_tool kubectl e2e-directives-history
swift build --product hms-controller >/dev/null
bin="$(swift build --show-bin-path)"
start_mock --pod-startup-seconds 0.1 --job-seconds 0.3
start_controller() {
    "$bin/hms-controller" --identity history --sync-seconds 0.5 \
        --metrics-addr 127.0.0.1:0 --health-addr 127.0.0.1:0 --console-addr 127.0.0.1:0 -v 1 >"$work/controller.log" 2>&1 &
    controller_pid=$!
}

echo "== $runs runs of a Directive of $jobs jobs, against $server"
k apply -f manifests/crds/ >/dev/null
printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"power"}}' | k apply -f - >/dev/null
python3 - "$jobs" >"$work/big.yaml" <<'PY'
import sys
print("""apiVersion: ops.hms.gov/v1alpha1
kind: Directive
metadata: {name: big, namespace: power}
spec:
  schedule: "0 0 1 1 *"
  timeZone: UTC
  template: {image: registry.gov/power-worker:2.1, command: [dispatch], resources: {cpu: 10m, memory: 16Mi}}
  ttlSecondsAfterFinished: 86400
  jobs:""")
for i in range(int(sys.argv[1])):
    print(f"  - {{id: feeder-{i:04d}-{'x' * 40}, payload: {{feeder: {i}}}}}")
PY
k apply -f "$work/big.yaml" >/dev/null
start_controller

newest() { k get directive big -n power -o jsonpath='{.status.runs[0].scheduledTime}/{.status.runs[0].completionTime}' 2>/dev/null; }
done_at() { case "$(newest)" in "$1"/?*) return 0 ;; *) return 1 ;; esac; }
ids=()
for i in $(seq "$runs"); do
    at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    ids+=("$(date -u -d "$at" +%Y%m%d-%H%M%S)")
    k annotate directive big -n power "ops.hms.gov/run-requested-at=$at" --overwrite >/dev/null
    step "run $i of $runs ($at) complete"
    if wait_until 240 done_at "$at"; then pass; else fail "newest run: $(newest)"; fi
    # The next run's id needs another second.
    wait_until 2 test "$(date -u +%Y-%m-%dT%H:%M:%SZ)" != "$at" || true
done

kept=("${ids[@]: -3}")
job_runs() { k get jobs -n power -l ops.hms.gov/directive=big -o jsonpath='{range .items[*]}{.metadata.labels.ops\.hms\.gov/run}{"\n"}{end}' | sort | uniq -c | tr -s ' ' | sed 's/^ //'; }
expected_runs=$(for id in "${kept[@]}"; do echo "$jobs $id"; done | sort)
only_kept() { [ "$(job_runs)" = "$expected_runs" ]; }
wait_until 120 only_kept || true
stop_controller

status_bytes=$(k get directive big -n power -o json | python3 -c 'import json, sys; print(len(json.dumps(json.load(sys.stdin)["status"], separators=(",", ":"))))')
object_bytes=$(k get directive big -n power -o json | python3 -c 'import json, sys; print(len(json.dumps(json.load(sys.stdin), separators=(",", ":"))))')
step "the status is under 256 KiB"
if [ "$status_bytes" -lt 262144 ]; then pass; echo "    (status $status_bytes bytes, the whole Directive $object_bytes)"; else fail "status $status_bytes bytes"; fi
expect "the status shows the three kept runs, newest first" \
    "$(k get directive big -n power -o jsonpath='{range .status.runs[*]}{.scheduledTime}{"\n"}{end}' | sed 's/[-:TZ]//g')" \
    "$(printf '%s\n' "${kept[@]}" | sort -r | sed 's/-//')"
expect "each run counts its jobs by state" \
    "$(k get directive big -n power -o jsonpath='{range .status.runs[*]}{.jobCount} {.counts.succeeded}/{.counts.failed}/{.counts.running}{"\n"}{end}' | sort -u)" \
    "$jobs $jobs/0/0"
expect "and lists at most 15 of them" \
    "$(k get directive big -n power -o jsonpath='{range .status.runs[*]}{range .jobs[*]}{.id}{"\n"}{end}{end}' | wc -l | tr -d ' ')" "15"
expect "the Jobs of the three newest runs are kept, every older one deleted" "$(job_runs)" "$expected_runs"
deletes=$(curl -fsS "$server/mock/v1/requests" | python3 -c '
import json, sys
print(sum(1 for e in json.load(sys.stdin)["items"] if e["method"] == "DELETE" and e["status"] in (200, 202)
          and e["path"].startswith("/apis/batch/v1/namespaces/power/jobs/big-")))')
expect "one DELETE per Job of the older runs" "$deletes" "$(( (runs - 3) * jobs ))"
expect "the older runs' pods went with them (Background)" \
    "$(k get pods -n power -o jsonpath='{range .items[*]}{.metadata.labels.ops\.hms\.gov/run}{"\n"}{end}' | grep -c -E "^($(IFS='|'; echo "${ids[*]:0:$((runs - 3))}"))$" || true)" "0"
expect "no Job carries a ttlSecondsAfterFinished (the controller applies it)" \
    "$(k get jobs -n power -l ops.hms.gov/directive=big -o jsonpath='{range .items[*]}{.spec.ttlSecondsAfterFinished}{end}')" ""
expect_match "one Event per run and pass for its deleted Jobs (100 a pass)" \
    "$(k get events -n power --field-selector reason=Deleted -o jsonpath='{range .items[*]}{.message}{"\n"}{end}' | sort -u | head -1)" \
    "^deleted [0-9]+ Jobs? of run [0-9-]+ "
expect "the controller never failed to write the status" "$(grep -c -i 'status.*\(failed\|too large\|RequestEntityTooLarge\)' "$work/controller.log" || true)" "0"

finish e2e-directives-history
