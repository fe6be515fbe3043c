#!/usr/bin/env bash
# The demo: a mock cluster, the CRDs, the examples, the controller, and the student-aid surge.
# Load rises, the service scales up, the governance policy holds a step above 10 replicas until
# `hmsctl approve`, and a tight budget clamps the next one. Everything keeps running afterwards,
# with a kubeconfig to explore it; `hack/demo.sh --stop` ends it.
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

demo=.build/demo
if [ "${1:-}" = "--stop" ]; then
    [ -f "$demo/pids" ] && kill $(cat "$demo/pids") 2>/dev/null || true
    rm -f "$demo/pids"
    echo "demo stopped"
    exit 0
fi
[ -f "$demo/pids" ] && kill $(cat "$demo/pids") 2>/dev/null || true
rm -rf "$demo"
mkdir -p "$demo"

hack/install-deps.sh curl
echo "building hmsctl, hms-mock-cluster and hms-controller..."
for product in hmsctl hms-mock-cluster hms-controller; do swift build --product "$product" 2>&1 | tail -n 1; done
bin=$(swift build --show-bin-path)
hmsctl="$bin/hmsctl"
export KUBECONFIG="$PWD/$demo/kubeconfig" HMS_JOURNAL="$PWD/$demo/journal.jsonl"
k() { kubectl --cache-dir "$demo/cache" "$@"; }

bold() { printf '\n\033[1m%s\033[0m\n' "$*"; }
say() { printf '\033[2m# %s\033[0m\n' "$*"; }
run() { printf '\033[1m$ %s\033[0m\n' "$*"; "$@"; }
# wait_for DESCRIPTION COMMAND...: until the command succeeds, at most 60 s.
wait_for() {
    local description=$1
    shift
    for _ in $(seq 120); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.5
    done
    echo "gave up waiting for $description" >&2
    exit 1
}
jobs_at_least() { [ "$(k get jobs -n power -o name | wc -l)" -ge "$1" ]; }
replicas_are() { [ "$(k get deploy eligibility-api -n student-aid -o jsonpath='{.spec.replicas}')" = "$1" ]; }

bold "1. A cluster"
"$bin/hms-mock-cluster" --port 0 --kubeconfig-out "$KUBECONFIG" --pod-startup-seconds 1 >"$demo/mock.log" 2>&1 &
echo $! >"$demo/pids"
wait_for "the mock cluster" grep -q "^hms-mock-cluster listening on" "$demo/mock.log"
server=$(sed -n 's/^hms-mock-cluster listening on //p' "$demo/mock.log")
say "hms-mock-cluster serves the Kubernetes API on $server; kubectl works against it."
# Who may approve (the mock answers SubjectAccessReviews from this table): you (over plain HTTP
# hmsctl sends no token, so the cluster names you system:anonymous) and the console's program-manager.
curl -fsS -X PUT -H 'Content-Type: application/json' "$server/mock/v1/auth" -d '{"tokens": [], "roles": [
    {"user": "system:anonymous", "verbs": ["approve"], "apiGroups": ["ops.hms.gov"], "resources": ["approvals"]},
    {"user": "program-manager", "verbs": ["approve"], "apiGroups": ["ops.hms.gov"], "resources": ["approvals"]}]}' >/dev/null
run k get nodes

bold "2. Our resource kinds, and the examples"
if command -v kubectl >/dev/null 2>&1; then
    "$hmsctl" crds | k apply -f - | sed 's/^/  /'
else
    echo "kubectl is not installed: the demo needs it" >&2
    exit 1
fi
for namespace in student-aid hud-relief passports power; do
    printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"%s"}}' "$namespace" | k apply -f - >/dev/null
done
mkdir "$demo/examples"
cp manifests/examples/*.yaml "$demo/examples/"
# The examples freeze deploys and scale-ups over weekends; the demo must run any day.
sed -i '/freezeWindows:/,+1d' "$demo/examples/governance.yaml"
say "hmsctl validates every document first, stores them, then plans and acts through the gates."
run "$hmsctl" apply -f "$demo/examples" | grep -E '^(Plan|Gates|Applied):|^[✓…✗]'

bold "3. The controller"
# The ops console takes bearer tokens; the demo's approver is "program-manager".
token=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
printf '%s program-manager approver\n' "$token" >"$demo/console-tokens"
chmod 600 "$demo/console-tokens"
"$bin/hms-controller" --sync-seconds 1 --metrics-addr 127.0.0.1:0 --health-addr 127.0.0.1:0 --console-addr 127.0.0.1:0 \
    --console-token-file "$demo/console-tokens" -v 2 >"$demo/controller.log" 2>&1 &
echo $! >>"$demo/pids"
say "hms-controller watches the cluster and reconciles what each change touches; its timers look every second; the AutoscaleRule looks at its metrics every 2 s for the demo."
k patch autoscalerule eligibility-api -n student-aid --type merge -p '{"spec":{"syncPeriodSeconds":2}}' >/dev/null
wait_for "the first pods" k rollout status deploy/eligibility-api -n student-aid --timeout=1s
run k get deploy -n student-aid

bold "4. The student-aid surge: 4,000 requests a second"
say "The AutoscaleRule wants 500 requests a second per pod: 4,000 / 500 = 8 replicas."
run curl -fsS -X PUT "$server/mock/v1/load/student-aid/eligibility-api" -d '{"http_rps": 4000, "cpuMillisPerRequest": 0.2}'
echo
wait_for "8 replicas" replicas_are 8
run k get deploy eligibility-api -n student-aid
run "$hmsctl" get autoscalerules -n student-aid

bold "5. 7,000 requests a second: 14 replicas need an approval"
run curl -fsS -X PUT "$server/mock/v1/load/student-aid/eligibility-api" -d '{"http_rps": 7000, "cpuMillisPerRequest": 0.2}'
echo
wait_for "the held scale-up" grep -q '"finalVerdict":"HOLD"' "$HMS_JOURNAL"
id=$(python3 hack/lib/journal-entry.py id-of-HOLD "$HMS_JOURNAL")
say "The journal says why it did not scale:"
python3 hack/lib/journal-entry.py HOLD "$HMS_JOURNAL"
run k get deploy eligibility-api -n student-aid
run "$hmsctl" approve "$id" -n student-aid
wait_for "14 replicas" replicas_are 14
run k get deploy eligibility-api -n student-aid

bold "6. A tight budget clamps the next step"
hours_left=$(python3 -c '
import datetime
now = datetime.datetime.now(datetime.timezone.utc)
first = (now.replace(day=1, hour=0, minute=0, second=0, microsecond=0) + datetime.timedelta(days=32)).replace(day=1)
print((first - now).total_seconds() / 3600)')
# A replica of eligibility-api costs 0.5 core x $0.0316 + 0.5 GiB x $0.0042 an hour: the limit
# below leaves room for 16 replicas until the month ends.
limit=$(python3 -c "print(round(16.5 * (0.5 * 0.0316 + 0.5 * 0.0042) * $hours_left, 2))")
say "The month's budget drops to \$$limit: room for 16 replicas until the month ends."
run k patch budget student-aid-monthly -n student-aid --type merge -p "{\"spec\":{\"monthlyLimitUSD\":$limit}}"
run curl -fsS -X PUT "$server/mock/v1/load/student-aid/eligibility-api" -d '{"http_rps": 10000, "cpuMillisPerRequest": 0.2}'
echo
wait_for "the clamped scale-up" grep -q '"finalVerdict":"CLAMP"\|"verdict":"CLAMP"' "$HMS_JOURNAL"
python3 hack/lib/journal-entry.py CLAMP "$HMS_JOURNAL"
say "The budget allows 16 of the 20 the metrics ask for; above 10 it still needs an approval."
id=$(python3 hack/lib/journal-entry.py id-of-HOLD "$HMS_JOURNAL")
run "$hmsctl" approve "$id" -n student-aid
wait_for "16 replicas" replicas_are 16
run k get deploy eligibility-api -n student-aid
run "$hmsctl" get servicespecs -n student-aid

console=$(sed -n 's/.*"addr":"\[IPv4\]127.0.0.1\/127.0.0.1:\([0-9]*\)".*"message":"ops console listening".*/\1/p' "$demo/controller.log" | head -1)
bold "7. The power directive: three dispatch jobs, run now"
say "Each job of the run becomes a batch/v1 Job with its payload in HMS_PAYLOAD. The controller is running, so"
say "hmsctl only writes the request (--request-only); the controller starts the Jobs and follows them."
run "$hmsctl" directive run daily-power-dispatch -n power --request-only
wait_for "the dispatch jobs" jobs_at_least 3
sleep 4
run "$hmsctl" get directive daily-power-dispatch -n power
run k get jobs -n power

bold "It keeps running. Explore:"
cat <<EOT
  the ops console: http://127.0.0.1:${console:-?}/ops/login  (token: $token)
  export KUBECONFIG=$KUBECONFIG
  kubectl get servicespecs,autoscalerules,budgets -A
  kubectl get deploy,pods -n student-aid
  $hmsctl get servicespecs -A
  tail -f $demo/controller.log
  hack/demo.sh --stop
EOT
