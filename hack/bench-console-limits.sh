#!/usr/bin/env bash
# Console flood benchmark: hms-controller (release build, default limits) against the mock cluster,
# its resident memory and open descriptors before, during and after 20,000 slow clients
# (Tests/e2e/console/flood.py, reconnecting for SECONDS), and the /healthz latency (curl's
# time_total, median of COUNT requests) idle and during the flood, with their ratio.
#   hack/bench-console-limits.sh [SECONDS] [COUNT]     (defaults 30 and 60)
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
count="${2:-60}"

source hack/lib/e2e.sh
require_tool curl bench-console-limits
release_build hms-controller
start_mock --pod-startup-seconds 0.3
export HMS_JOURNAL="$work/journal.jsonl"
k apply -f manifests/crds/ >/dev/null
printf '%s alice approver\n' "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$work/tokens"

"$bin/hms-controller" --sync-seconds 0.5 --metrics-addr 127.0.0.1:0 --health-addr 127.0.0.1:0 --console-addr 127.0.0.1:0 \
    --console-token-file "$work/tokens" >"$work/controller.log" 2>&1 &
controller=$!
pids+=("$controller")
port_of() { grep "\"$1\"" "$work/controller.log" 2>/dev/null | tail -1 | sed -n 's/.*"addr":"[^"]*:\([0-9][0-9]*\)".*/\1/p'; }
listening() { [ -n "$(port_of "ops console listening")" ] && [ -n "$(port_of "health endpoints listening")" ] && [ -n "$(port_of "metrics endpoint listening")" ]; }
wait_until 30 listening || { cat "$work/controller.log"; exit 1; }
console_port=$(port_of "ops console listening")
health="http://127.0.0.1:$(port_of "health endpoints listening")/healthz"
metrics="http://127.0.0.1:$(port_of "metrics endpoint listening")/metrics"

rss_mib() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$controller/status"; }
fds() { ls "/proc/$controller/fd" | wc -l; }
open_connections() { curl -s "$metrics" | awk '$1 == "hms_console_connections" { printf "%d", $2; found = 1 } END { if (!found) print 0 }'; }
# latencies FILE: COUNT /healthz requests, 0.1 s apart, one time_total (seconds) a line.
latencies() {
    : >"$1"
    for _ in $(seq "$count"); do
        curl -s -o /dev/null -m 10 -w '%{time_total} %{http_code}\n' "$health" >>"$1" || echo "10 000" >>"$1"
        sleep 0.1
    done
}
# sample FILE: RSS and descriptors every 0.5 s while the flood runs.
sample() { while kill -0 "$flood_pid" 2>/dev/null; do echo "$(rss_mib) $(fds)" >>"$1"; sleep 0.5; done; }

echo "== idle"
wait_until 30 sh -c "curl -fs '$health' >/dev/null"
sleep 2
before="$(rss_mib) $(fds)"
latencies "$work/idle.txt"

echo "== flood: 20,000 slow clients, reconnecting for $seconds s"
python3 Tests/e2e/console/flood.py --port "$console_port" --connections 20000 --processes 4 --seconds "$seconds" >"$work/flood.json" &
flood_pid=$!
sample "$work/during.txt" &
sleep 5
latencies "$work/flood.txt"
wait "$flood_pid" || true
wait_until 60 sh -c "[ \"\$(curl -s '$metrics' | awk '\$1 == \"hms_console_connections\" {print \$2}')\" = 0 ]" || true
sleep 2
after="$(rss_mib) $(fds)"
echo "   clients saw: $(cat "$work/flood.json"); console connections open after: $(open_connections)"

python3 - "$before" "$after" "$work/during.txt" "$work/idle.txt" "$work/flood.txt" <<'PY'
import statistics, sys
before, after = [float(x) for x in sys.argv[1].split()], [float(x) for x in sys.argv[2].split()]
during = [[float(x) for x in line.split()] for line in open(sys.argv[3]) if line.strip()]
def load(path):
    rows = [line.split() for line in open(path) if line.strip()]
    return [float(t) for t, _ in rows], sum(code != "200" for _, code in rows)
idle, idle_failed = load(sys.argv[4])
flood, flood_failed = load(sys.argv[5])
print()
print("| controller | before | during (peak) | after |")
print("| --- | --- | --- | --- |")
print(f"| resident memory | {before[0]:.1f} MiB | {max(r for r, _ in during):.1f} MiB | {after[0]:.1f} MiB |")
print(f"| open descriptors | {before[1]:.0f} | {max(f for _, f in during):.0f} | {after[1]:.0f} |")
print()
mi, mf = statistics.median(idle), statistics.median(flood)
q = lambda xs: statistics.quantiles(xs, n=10)[-1]
print("| /healthz | median | p90 | max | not 200 |")
print("| --- | --- | --- | --- | --- |")
print(f"| idle ({len(idle)}) | {mi * 1000:.1f} ms | {q(idle) * 1000:.1f} ms | {max(idle) * 1000:.1f} ms | {idle_failed} |")
print(f"| during the flood ({len(flood)}) | {mf * 1000:.1f} ms | {q(flood) * 1000:.1f} ms | {max(flood) * 1000:.1f} ms | {flood_failed} |")
print(f"\nmedian during / idle: {mf / mi:.1f}x")
PY
