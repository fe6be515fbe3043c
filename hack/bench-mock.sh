#!/usr/bin/env bash
# Mock cluster benchmark: wrk against a release hms-mock-cluster.
#   1. 1,000 Deployments (replicas 0: realistic objects of about 3.4 KB of JSON, defaults and
#      managedFields included, and no pods) in one namespace; wrk GETs one of them, then the
#      1,000-item list, with 1 connection (-t 1) and with 8 connections (-t 2); BENCH_RUNS runs
#      of BENCH_SECONDS each, medians reported.
#   2. A fresh mock stores 10,000 Deployments; its resident memory is read from /proc.
# Prints figures and targets with PASS/MISS; exits 0 on a MISS, non-zero when a step fails.
# usage: BENCH_SECONDS=10 BENCH_RUNS=3 hack/bench-mock.sh
#   BENCH_MOCK=PATH measures that hms-mock-cluster binary instead of building one (to compare commits).
set -o errexit -o nounset -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds="${BENCH_SECONDS:-10}"
runs="${BENCH_RUNS:-3}"

hack/install-deps.sh wrk

if [ -n "${BENCH_MOCK:-}" ]; then
  mock="$BENCH_MOCK"
else
  echo "== building hms-mock-cluster (release)"
  swift build -c release --product hms-mock-cluster
  mock="$(swift build -c release --show-bin-path)/hms-mock-cluster"
fi

work="$(mktemp -d)"
mock_pid=""
stop_mock() {
  if [ -n "$mock_pid" ] && kill -0 "$mock_pid" 2>/dev/null; then
    kill "$mock_pid"
    wait "$mock_pid" 2>/dev/null || true
  fi
  mock_pid=""
}
trap 'stop_mock; rm -rf "$work"' EXIT

# Starts a mock on a free port; sets mock_pid and url.
start_mock() {
  local log="$work/mock-$1.log"
  "$mock" --port 0 --kubeconfig-out "$work/kubeconfig" >"$log" 2>&1 &
  mock_pid=$!
  for _ in $(seq 1 100); do
    grep -q "^hms-mock-cluster listening on " "$log" && break
    kill -0 "$mock_pid" 2>/dev/null || { cat "$log" >&2; echo "bench-mock: the mock exited" >&2; exit 1; }
    sleep 0.1
  done
  url="$(sed -n 's/^hms-mock-cluster listening on //p' "$log")"
  [ -n "$url" ] || { cat "$log" >&2; echo "bench-mock: the mock did not start" >&2; exit 1; }
}

kib() {  # kib PID FIELD: a /proc/PID/status memory field, in KiB
  awk -v field="$2:" '$1 == field { print $2 }' "/proc/$1/status"
}

count_items() {  # count_items URL: the number of items in a list
  curl -sf "$1" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["items"]))'
}

echo "== throughput: 1,000 Deployments"
start_mock throughput
python3 hack/bench/mock-seed.py "$url" bench deployments 1000
one="$url/apis/apps/v1/namespaces/bench/deployments/deployment-00500"
list="$url/apis/apps/v1/namespaces/bench/deployments"
one_bytes="$(curl -sf "$one" | wc -c)"
list_bytes="$(curl -sf "$list" | wc -c)"
items="$(count_items "$list")"
[ "$items" -eq 1000 ] || { echo "bench-mock: the list holds $items items, not 1000" >&2; exit 1; }
echo "one Deployment: $one_bytes bytes; the list: $items items, $list_bytes bytes"

results="$work/results.txt"
: >"$results"
for target in one list; do
  [ "$target" = one ] && address="$one" || address="$list"
  for shape in "1 1" "8 2"; do
    read -r connections threads <<<"$shape"
    wrk -t "$threads" -c "$connections" -d 2s -s hack/bench/wrk-report.lua "$address" >/dev/null  # warm-up
    for run in $(seq 1 "$runs"); do
      line="$(wrk -t "$threads" -c "$connections" -d "${seconds}s" -s hack/bench/wrk-report.lua "$address" | grep '^RESULT ')"
      echo "GET $target c=$connections t=$threads run $run: ${line#RESULT }"
      echo "target=$target connections=$connections ${line#RESULT }" >>"$results"
    done
  done
done
throughput_hwm="$(kib "$mock_pid" VmHWM)"
stop_mock

echo "== memory: 10,000 Deployments"
start_mock memory
idle_rss="$(kib "$mock_pid" VmRSS)"
for part in 0 1 2 3 4; do
  python3 hack/bench/mock-seed.py "$url" "memory-$part" deployments 2000 "$((part * 2000))"
done
sleep 1  # a simulation tick settles the new Deployments' status
objects="$(curl -sf "$url/mock/v1/state" | python3 -c 'import json, sys; print(json.load(sys.stdin)["objects"])')"
stored_rss="$(kib "$mock_pid" VmRSS)"
stored_peak="$(kib "$mock_pid" VmHWM)"
all_items="$(count_items "$url/apis/apps/v1/deployments")"
[ "$all_items" -eq 10000 ] || { echo "bench-mock: listed $all_items Deployments, not 10000" >&2; exit 1; }
after_list_rss="$(kib "$mock_pid" VmRSS)"
peak_rss="$(kib "$mock_pid" VmHWM)"
stop_mock

python3 - "$results" "$idle_rss" "$stored_rss" "$after_list_rss" "$peak_rss" "$objects" "$throughput_hwm" "$stored_peak" <<'EOF'
import statistics, sys

rows = []
for line in open(sys.argv[1]):
    fields = dict(item.split("=", 1) for item in line.split())
    rows.append(fields)
idle, stored, after_list, peak, objects, throughput_hwm, stored_peak = (int(v) for v in sys.argv[2:9])

def median(target, connections, key):
    return statistics.median(float(r[key]) for r in rows if r["target"] == target and r["connections"] == connections)

failures = sum(int(r["errors"]) + int(r["non2xx"]) for r in rows)
print(f"\n{'GET (median of runs)':28} {'req/s':>9} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'MB/s':>8}")
for target, label in (("one", "one Deployment"), ("list", "1,000-item list")):
    for connections in ("1", "8"):
        rps = median(target, connections, "rps")
        mbps = statistics.median(float(r["bytes"]) / float(r["requests"]) * float(r["rps"]) / 1e6
                                 for r in rows if r["target"] == target and r["connections"] == connections)
        print(f"{label + ', ' + connections + ' conn':28} {rps:9.0f} {median(target, connections, 'p50_us') / 1000:8.2f}"
              f" {median(target, connections, 'p90_us') / 1000:8.2f} {median(target, connections, 'p99_us') / 1000:8.2f} {mbps:8.1f}")
print(f"socket errors and non-2xx answers over all runs: {failures}")

print(f"\nmemory: idle {idle / 1024:.1f} MiB; {objects} objects stored {stored / 1024:.1f} MiB"
      f" (peak while storing {stored_peak / 1024:.1f} MiB);"
      f" after listing all 10,000 {after_list / 1024:.1f} MiB; peak (VmHWM) {peak / 1024:.1f} MiB")
print(f"peak RSS during the wrk runs (1,000 Deployments, request log full): {throughput_hwm / 1024:.1f} MiB")

checks = [
    ("GET one, 1 conn: req/s", f"{median('one', '1', 'rps'):.0f}", ">= 5000", median("one", "1", "rps") >= 5000),
    ("GET one, 1 conn: p99", f"{median('one', '1', 'p99_us') / 1000:.2f} ms", "< 5 ms", median("one", "1", "p99_us") < 5000),
    ("10,000 objects: peak RSS", f"{peak / 1024:.1f} MiB", "< 200 MB", peak * 1024 < 200e6),
    ("no errors", str(failures), "0", failures == 0),
]
print(f"\n{'target':28} {'measured':>12} {'target':>10}")
for what, value, target, ok in checks:
    print(f"{what:28} {value:>12} {target:>10}  {'PASS' if ok else 'MISS'}")
EOF
