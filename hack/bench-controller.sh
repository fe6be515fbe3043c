#!/usr/bin/env bash
# Controller benchmark (issue 8): hms-controller with 1,000 ServiceSpecs in steady state on the
# mock cluster: CPU per minute, resident memory, API requests per minute (target: no writes at
# all), then the time to converge after 100 specs change at once.
#   hack/bench-controller.sh [COUNT] [SECONDS]     (defaults 1000 and 60)
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."
count="${1:-1000}"
seconds="${2:-60}"

hack/install-deps.sh curl
source hack/lib/e2e.sh
release_build hms-controller hmsctl
start_mock --pod-startup-seconds 0.2
export HMS_JOURNAL="$work/journal.jsonl"
k apply -f manifests/crds/ >/dev/null
printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"bench"}}' | k apply -f - >/dev/null

specs() {  # specs IMAGE_TAG FIRST LAST
    for index in $(seq "$2" "$3"); do
        printf -- '---\napiVersion: ops.hms.gov/v1alpha1\nkind: ServiceSpec\nmetadata: {name: svc-%05d, namespace: bench}\nspec: {image: "registry.gov/svc:%s", replicas: 1, resources: {cpu: 100m, memory: 64Mi}}\n' "$index" "$1"
    done
}
specs 1.0 1 "$count" >"$work/specs.yaml"
echo "== $count ServiceSpecs, deployed"
"$bin/hmsctl" apply -f "$work/specs.yaml" | tail -n 1

"$bin/hms-controller" --metrics-addr 127.0.0.1:0 --health-addr 127.0.0.1:0 --console-addr 127.0.0.1:0 >"$work/controller.log" 2>&1 &
controller=$!
pids+=("$controller")
echo "== settling (two passes, every pod ready)"
sleep 15

cpu_ticks() { awk '{print $14 + $15}' "/proc/$controller/stat"; }
curl -fsS -X DELETE "$server/mock/v1/requests" >/dev/null
before=$(cpu_ticks)
echo "== steady state for $seconds s"
sleep "$seconds"
after=$(cpu_ticks)
rss_kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$controller/status")
curl -fsS "$server/mock/v1/requests" >"$work/requests.json"

echo "== 100 specs change at once"
specs 2.0 1 100 >"$work/changed.yaml"
started=$(python3 -c 'import time; print(time.monotonic())')
k apply --server-side --force-conflicts -f "$work/changed.yaml" >/dev/null
converged=""
for _ in $(seq 600); do
    updated=$(k get deploy -n bench -o jsonpath='{range .items[*]}{.spec.template.spec.containers[0].image}{"\n"}{end}' | grep -c ':2.0$' || true)
    if [ "$updated" -ge 100 ]; then converged=$(python3 -c "import time; print(f'{time.monotonic() - $started:.2f}')"); break; fi
    sleep 0.2
done

python3 - "$work/requests.json" "$before" "$after" "$rss_kib" "$seconds" "${converged:-never}" "$count" <<'PY'
import json, os, sys
items = json.load(open(sys.argv[1]))["items"]
before, after, rss_kib, seconds = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
converged, count = sys.argv[6], int(sys.argv[7])
ticks = os.sysconf("SC_CLK_TCK")
mine = [e for e in items if e["userAgent"].startswith("hms-controller")]
writes = [e for e in mine if e["method"] != "GET"]
cpu_per_minute = (after - before) / ticks * 60 / seconds
print()
print(f"| {count:,} ServiceSpecs, steady state | |")
print("| --- | --- |")
print(f"| CPU per minute | {cpu_per_minute:.2f} s |")
print(f"| resident memory | {rss_kib / 1024:.1f} MiB |")
print(f"| API requests per minute | {len(mine) * 60 / seconds:.0f} ({len(writes) * 60 / seconds:.0f} writes) |")
print(f"| 100 specs changed at once: all 100 Deployments updated after | {converged} s |")
print()
print(f"no writes in steady state: {'PASS' if not writes else 'MISS'}")
PY
