#!/usr/bin/env bash
# Client benchmark: GETs of one Deployment from the mock cluster (release build), side by side:
#   ours: hms-bench-client, KubeClient over libcurl, 2,000 GETs (the median of three such batches)
#         per run, 1 and 8 in flight, its tasks on the client's own thread, and again on Swift's
#         global executor;
#   wrk:  the same URL and Accept header, -c 1 -t 1 and -c 8 -t 2, for WRK_SECONDS per run.
# Each is measured RUNS times, interleaved; prints the medians, ours/wrk and PASS/MISS against
# the target (at least 0.7x of wrk's rate). Exits 0 on a MISS, non-zero when a step fails.
# usage: hack/bench-client.sh          (RUNS=5 WRK_SECONDS=10 REQUESTS=2000 by default)
set -o errexit -o nounset -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

runs="${RUNS:-5}"
wrk_seconds="${WRK_SECONDS:-10}"
requests="${REQUESTS:-2000}"
target=0.7

hack/install-deps.sh curl wrk

echo "== building hms-mock-cluster and hms-bench-client (release)"
swift build -c release --product hms-mock-cluster
swift build -c release --product hms-bench-client
bin=$(swift build -c release --show-bin-path)

work=$(mktemp -d)
mock_pid=""
cleanup() {
    if [ -n "$mock_pid" ]; then kill "$mock_pid" 2>/dev/null && wait "$mock_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

"$bin/hms-mock-cluster" --port 0 >"$work/mock.log" 2>&1 &
mock_pid=$!
for _ in $(seq 100); do
    grep -q "listening on" "$work/mock.log" && break
    sleep 0.1
done
server=$(sed -n 's/^hms-mock-cluster listening on //p' "$work/mock.log")
[ -n "$server" ] || { cat "$work/mock.log"; echo "bench-client: the mock did not start" >&2; exit 1; }

path=/apis/apps/v1/namespaces/default/deployments/web
curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' "$server/apis/apps/v1/namespaces/default/deployments" -d '{
  "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}},
  "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
    "template": {"metadata": {"labels": {"app": "web"}},
      "spec": {"containers": [{"name": "web", "image": "registry.gov/web:1.0", "ports": [{"containerPort": 8080}]}]}}}}'
size=$(curl -fsS -H 'Accept: application/json' "$server$path" | wc -c)
echo "== GET $server$path ($size bytes), $runs runs"

# ours CONCURRENCY [--global-executor]: one run's requests/s, the median of three batches of
# $requests GETs back to back: a batch lasts a fraction of a second, and one burst of the
# machine's other load should not decide it against wrk's ten seconds
ours() {
    "$bin/hms-bench-client" --server "$server" --path "$path" --requests "$requests" --runs 3 --concurrency "$@" \
        | sed -n 's/^run [0-9]*: .*: \([0-9.]*\) requests\/s$/\1/p' | sort -n | sed -n 2p
}
# theirs CONNECTIONS THREADS: one run's requests/s; a run with any error or non-2xx answer fails
theirs() {
    wrk -c "$1" -t "$2" -d "${wrk_seconds}s" -H 'Accept: application/json' "$server$path" >"$work/wrk.out"
    if grep -Eq 'Non-2xx|Socket errors' "$work/wrk.out"; then cat "$work/wrk.out" >&2; exit 1; fi
    sed -n 's/^Requests\/sec: *\([0-9.]*\)$/\1/p' "$work/wrk.out"
}

# Per run, interleaved so that the machine's other load falls on all alike. "ours" runs its
# requesting tasks on the client's own thread (HTTPClient.executor); "global" on Swift's global
# executor, where each answer costs a hop between threads.
echo "run    ours c1  global c1   wrk c1 |  ours c8  global c8   wrk c8   (requests/s)"
: >"$work/results"
for run in $(seq "$runs"); do
    row=("$(ours 1)" "$(ours 1 --global-executor)" "$(theirs 1 1)" "$(ours 8)" "$(ours 8 --global-executor)" "$(theirs 8 2)")
    if ! kill -0 "$mock_pid" 2>/dev/null; then
        wait "$mock_pid" && status=0 || status=$?
        mock_pid=""
        echo "bench-client: the mock cluster exited during run $run (status $status; 143 is SIGTERM, 137 SIGKILL)" >&2
        tail -n 20 "$work/mock.log" >&2
        exit 1
    fi
    for figure in "${row[@]}"; do
        [ -n "$figure" ] || { echo "bench-client: a measurement printed no rate" >&2; exit 1; }
    done
    printf '%3d %10.0f %10.0f %8.0f | %8.0f %10.0f %8.0f\n' "$run" "${row[@]}"
    echo "${row[*]}" >>"$work/results"
done

python3 - "$work/results" "$target" "$requests" "$wrk_seconds" <<'EOF'
import statistics, sys

rows = [list(map(float, line.split())) for line in open(sys.argv[1]) if line.strip()]
target, requests, seconds = float(sys.argv[2]), sys.argv[3], sys.argv[4]
o1, g1, w1, o8, g8, w8 = (statistics.median(column) for column in zip(*rows))
print(f"== medians of {len(rows)} runs (ours: 3 batches of {requests} GETs per run; wrk: {seconds} s per run)")
print(f"{'':38}{'ours':>9}{'wrk':>9}{'ours/wrk':>10}")
for label, ours, theirs in (
    ("1 connection, client's thread", o1, w1),
    ("8 in flight, client's thread", o8, w8),
    ("1 connection, global executor", g1, w1),
    ("8 in flight, global executor", g8, w8),
):
    ratio = ours / theirs
    verdict = "PASS" if ratio >= target else "MISS"
    print(f"{label:38}{ours:9.0f}{theirs:9.0f}{ratio:9.2f}x  {verdict} (target >= {target}x)")
EOF
