#!/usr/bin/env bash
# Bounded diagnostics: what `hmsctl validate` prints, how long it takes and how much memory it
# holds on hostile input.
#   (1) a 100 KB manifest whose one long line holds thousands of errors: under 100 KB printed
#       (each diagnostic shows at most 120 columns of the line; past 100 errors the rest are
#       counted), in under a second;
#   (2) a valid Directive whose job payload is one 100 MB flow sequence: peak RSS
#       under 10x the file.
# Prints figures and targets with PASS/MISS; exits 0 on a MISS, non-zero when a step fails.
# usage: hack/bench-errors.sh [MB]     (default 100, the size of the flow sequence)
set -o errexit -o nounset -o pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
megabytes="${1:-100}"
out=.build/bench-errors
mkdir -p "$out"

hack/install-deps.sh time

echo "== building hmsctl (release)"
swift build -c release --product hmsctl 2>&1 | tail -n 1
hmsctl="$(swift build -c release --show-bin-path)/hmsctl"

echo "== generating inputs"
python3 - "$out/long-line.yaml" "$out/flow.yaml" "$megabytes" <<'PY'
import sys
long_line, flow, megabytes = sys.argv[1], sys.argv[2], int(sys.argv[3])
# One line of about 100 KB: every env entry after the first repeats the name, an error each.
entries = ", ".join(["{name: A, value: x}"] * 5000)
with open(long_line, "w") as f:
    f.write("apiVersion: ops.hms.gov/v1alpha1\nkind: ServiceSpec\nmetadata: {name: web, namespace: aid}\n")
    f.write("spec: {image: registry.gov/web:1, env: [" + entries + "]}\n")
# A valid Directive whose one job's payload is one flow sequence of megabytes (a payload is free
# JSON; `command` is bounded to 256 items).
with open(flow, "w") as f:
    f.write("apiVersion: ops.hms.gov/v1alpha1\nkind: Directive\nmetadata: {name: big, namespace: aid}\n")
    f.write("spec:\n  schedule: \"05:00\"\n  template:\n    image: registry.gov/worker:1\n  jobs:\n  - id: one\n    payload: [")
    target, written, i = megabytes * 1_000_000, 0, 0
    while written < target:
        chunk = ", ".join(f"arg{n:08d}" for n in range(i, i + 10000)) + ", "
        f.write(chunk)
        written += len(chunk)
        i += 10000
    f.write("end]\n")
PY

# run NAME FILE: bytes printed, seconds and peak RSS of `hmsctl validate -f FILE`.
run() {
    local start end
    start=$(date +%s.%N)
    /usr/bin/time -f %M -o "$out/$1.rss" "$hmsctl" validate -f "$2" >"$out/$1.out" 2>&1 || true
    end=$(date +%s.%N)
    echo "$1 $(stat -c %s "$2") $(stat -c %s "$out/$1.out") $(python3 -c "print($end - $start)") $(tail -n 1 "$out/$1.rss")"
}
echo "== running"
results=$( (run long-line "$out/long-line.yaml"; run flow "$out/flow.yaml") )
tail -n 2 "$out/long-line.out"
tail -n 2 "$out/flow.out"

python3 - "$results" <<'PY'
import sys
rows = {}
for line in sys.argv[1].splitlines():
    name, size, printed, seconds, rss_kib = line.split()
    rows[name] = (int(size), int(printed), float(seconds), int(rss_kib) * 1024)
print(f"\n{'input':10} {'file bytes':>12} {'printed bytes':>14} {'seconds':>8} {'peak RSS MB':>12} {'RSS/file':>9}")
for name, (size, printed, seconds, rss) in rows.items():
    print(f"{name:10} {size:12} {printed:14} {seconds:8.2f} {rss / 1e6:12.1f} {rss / size:8.2f}x")
size, printed, seconds, _ = rows["long-line"]
flow_size, _, _, flow_rss = rows["flow"]
checks = [
    ("long line: bytes printed", printed, "< 100000", printed < 100_000),
    ("long line: seconds", seconds, "< 1", seconds < 1),
    ("flow: peak RSS / file", flow_rss / flow_size, "< 10x", flow_rss / flow_size < 10),
]
print(f"\n{'target':28} {'measured':>12} {'target':>10}")
for what, value, target, ok in checks:
    print(f"{what:28} {value:12.2f} {target:>10}  {'PASS' if ok else 'MISS'}")
PY
