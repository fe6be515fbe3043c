#!/usr/bin/env bash
# Console benchmark (the ops console hardened): GET /ops with a 1 GB decision journal, against
# the targets, under 100 ms and under 64 MB of extra memory; a 0.1 MB journal is the reference.
# For each journal, a release hms-controller on the mock cluster, then: the first GET /ops, 50 in
# a row, 80 from 8 clients at once, and 20 with a line appended to the journal before each (no
# request finds the journal as the one before it did). Memory: the controller's VmRSS before the
# first GET, and its peak (VmHWM, reset then) and VmRSS after the last.
#   hack/bench-console.sh [MEGABYTES]     (default 1000)
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."
megabytes="${1:-1000}"

hack/install-deps.sh curl
source hack/lib/e2e.sh
release_build hms-controller
start_mock
k apply -f manifests/crds/ >/dev/null
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s bench viewer\n' "$token" >"$work/tokens"
chmod 600 "$work/tokens"

echo "== generating the journals"
mkdir -p "$work/small" "$work/big"
python3 hack/bench/gen-journal.py "$work/small/journal.jsonl" 0.1
python3 hack/bench/gen-journal.py "$work/big/journal.jsonl" "$megabytes"

kib() { awk -v key="$1:" '$1 == key {print $2}' "/proc/$controller/status"; }

# measure NAME: the controller on $work/NAME/journal.jsonl; its figures go to $work/NAME.json.
measure() {
    local journal="$work/$1/journal.jsonl" log="$work/$1/controller.log" port=""
    HMS_JOURNAL="$journal" "$bin/hms-controller" --metrics-addr 127.0.0.1:0 --health-addr 127.0.0.1:0 \
        --console-addr 127.0.0.1:0 --console-token-file "$work/tokens" >"$log" 2>&1 &
    controller=$!
    pids+=("$controller")
    for _ in $(seq 100); do
        port=$(grep '"ops console listening"' "$log" | tail -1 | sed -n 's/.*"addr":"[^"]*:\([0-9][0-9]*\)".*/\1/p' || true)
        [ -n "$port" ] && break
        sleep 0.1
    done
    if [ -z "$port" ]; then cat "$log"; echo "bench-console: the console did not start" >&2; exit 1; fi
    local url="http://127.0.0.1:$port/ops"
    sleep 2  # the first passes, so that "before" is the controller at rest
    local rss_before
    rss_before=$(kib VmRSS)
    echo 5 >"/proc/$controller/clear_refs" 2>/dev/null || true  # resets VmHWM to the current RSS
    echo "== $1 journal: $(du -h "$journal" | cut -f1), console at $url"
    python3 hack/bench/console-load.py "$url" "$token" 1 1 >"$work/$1.first.json"
    python3 hack/bench/console-load.py "$url" "$token" 50 1 >"$work/$1.sequential.json"
    python3 hack/bench/console-load.py "$url" "$token" 80 8 >"$work/$1.concurrent.json"
    curl -fsS -H "Authorization: Bearer $token" "$url" >"$work/$1.page.html"
    python3 hack/bench/console-load.py "$url" "$token" 20 1 "$journal" >"$work/$1.appended.json"
    printf '{"rssBefore": %s, "peak": %s, "rssAfter": %s, "journalBytes": %s}\n' \
        "$rss_before" "$(kib VmHWM)" "$(kib VmRSS)" "$(stat -c %s "$journal")" >"$work/$1.memory.json"
    kill "$controller"
    wait "$controller" 2>/dev/null || true
}

measure small
measure big

python3 - "$work" "$megabytes" <<'PY'
import html, json, re, statistics, sys
work, megabytes = sys.argv[1], float(sys.argv[2])

def load(name, part):
    return json.load(open(f"{work}/{name}.{part}.json"))

def quantiles(times):
    times = sorted(times)
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.9))]

rows, figures = [], {}
for name in ["small", "big"]:
    memory = load(name, "memory")
    figures[name] = {part: quantiles(load(name, part)["times"]) for part in ["first", "sequential", "concurrent", "appended"]}
    figures[name]["extra"] = (memory["peak"] - memory["rssBefore"]) / 1024
    figures[name]["memory"] = memory
    errors = sum(len(load(name, part)["errors"]) for part in ["first", "sequential", "concurrent", "appended"])
    if errors:
        print(f"{name}: {errors} requests failed")
    page = open(f"{work}/{name}.page.html", encoding="utf-8").read()
    status = re.search(r'<section id="journal".*?<p role="status">(.*?)</p>', page, re.S)
    searched = re.search(r'<section id="journal".*?<p>(Searched .*?)</p>', page, re.S)
    figures[name]["status"] = " ".join(html.unescape(re.sub("<[^>]+>", "", found.group(1))) for found in [searched, status] if found)
    figures[name]["pageBytes"] = len(page.encode())

small, big = figures["small"], figures["big"]
ms = lambda pair: f"{pair[0] * 1000:.1f} ms ({pair[1] * 1000:.1f} ms)"
ratio = lambda part: f"{big[part][0] / small[part][0]:.1f}x"
mb = lambda kib: f"{kib / 1024:.1f} MiB"
print()
print(f"| GET /ops, median (p90) | {small['memory']['journalBytes'] / 1e6:.1f} MB journal | {big['memory']['journalBytes'] / 1e6:,.0f} MB journal | ratio |")
print("| --- | --- | --- | --- |")
print(f"| first request | {small['first'][0] * 1000:.1f} ms | {big['first'][0] * 1000:.1f} ms | {ratio('first')} |")
print(f"| 50 in a row | {ms(small['sequential'])} | {ms(big['sequential'])} | {ratio('sequential')} |")
print(f"| 80 from 8 clients at once | {ms(small['concurrent'])} | {ms(big['concurrent'])} | {ratio('concurrent')} |")
print(f"| 20 in a row, a line appended before each | {ms(small['appended'])} | {ms(big['appended'])} | {ratio('appended')} |")
print(f"| RSS before the first request | {mb(small['memory']['rssBefore'])} | {mb(big['memory']['rssBefore'])} | |")
print(f"| extra memory: peak (VmHWM) - RSS before | {small['extra']:.1f} MiB | {big['extra']:.1f} MiB | |")
print(f"| RSS after the last request | {mb(small['memory']['rssAfter'])} | {mb(big['memory']['rssAfter'])} | |")
print(f"| page size | {small['pageBytes'] / 1000:.0f} kB | {big['pageBytes'] / 1000:.0f} kB | |")
print()
print(f"load average (1, 5, 15 min) at the end: {open('/proc/loadavg').read().split()[:3]}")
print(f"small journal's page says: {small['status']}")
print(f"big journal's page says:   {big['status']}")
print()
verdict = lambda ok: "PASS" if ok else "MISSED"
for label, seconds in [("50 in a row, p90", big["sequential"][1]), ("8 clients at once, p90", big["concurrent"][1]),
                       ("a line appended before each, p90", big["appended"][1])]:
    print(f"{megabytes:,.0f} MB journal, {label}: {seconds * 1000:.1f} ms, target under 100 ms: {verdict(seconds < 0.1)}")
print(f"{megabytes:,.0f} MB journal, extra memory: {big['extra']:.1f} MiB, target under 64 MiB: {verdict(big['extra'] < 64)}")
PY
