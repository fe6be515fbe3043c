#!/usr/bin/env bash
# Decode benchmark: how fast `hmsctl validate` reads a large manifest stream, next to
#   (a) the floor: libyaml's event parser alone (hack/bench/yaml-events.c), and
#   (c) what people use today: PyYAML's CSafeLoader (hack/bench/pyyaml-load.py).
# Prints figures and targets with PASS/MISS; exits 0 on a MISS, non-zero when a step fails.
# usage: hack/bench-decode.sh [COUNT]     (default 10000 resources, about 6 MB)
set -o errexit -o nounset -o pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
count="${1:-10000}"
out=.build/bench
stream="$out/stream.yaml"
mkdir -p "$out"

hack/install-deps.sh hyperfine time pip:pyyaml

# The binary as it ships: release, with the Swift runtime linked in (--static-swift-stdlib, as the
# Dockerfile builds), which starts faster and maps less than one loading a dozen shared libraries.
# Its own scratch path, so that the usual release build is left alone.
echo "== building hmsctl (release, static Swift runtime)"
swift build -c release --product hmsctl --static-swift-stdlib --scratch-path .build/static
hmsctl=.build/static/release/hmsctl

echo "== generating $stream"
python3 hack/bench/gen-manifests.py "$count" "$stream" 2027
gcc -O2 -o "$out/yaml-events" hack/bench/yaml-events.c $(pkg-config --cflags --libs yaml-0.1)

probe="$out/yaml-events $stream"
validate="$hmsctl validate -f $stream"
pyload=".venv/bin/python hack/bench/pyyaml-load.py $stream"

echo "== checking each command once"
$probe
$pyload
if ! result=$($validate 2>&1); then
    echo "hmsctl validate rejected the stream:" >&2
    printf '%s\n' "$result" | head -n 40 >&2
    exit 1
fi
printf '%s\n' "$result" | tail -n 3

echo "== timing"
hyperfine --warmup 1 --min-runs 10 --export-json "$out/hyperfine.json" \
    -n "(a) libyaml events" "$probe" \
    -n "(b) hmsctl validate" "$validate" \
    -n "(c) PyYAML CSafeLoader" "$pyload"

echo "== peak memory (median of 3)"
peak_rss_kib() {  # the median of three runs' max RSS, in KiB
    for _ in 1 2 3; do
        /usr/bin/time -f %M -o "$out/rss" "$@" >/dev/null 2>&1
        cat "$out/rss"
    done | sort -n | sed -n 2p
}
rss_a=$(peak_rss_kib $probe)
rss_b=$(peak_rss_kib $validate)
rss_c=$(peak_rss_kib $pyload)

python3 - "$out/hyperfine.json" "$(stat -c %s "$stream")" "$rss_a" "$rss_b" "$rss_c" <<'EOF'
import json, sys

results = json.load(open(sys.argv[1]))["results"]
size = int(sys.argv[2])
rss = [int(k) * 1024 for k in sys.argv[3:6]]
med = [r["median"] for r in results]

print(f"\nstream: {size / 1e6:.2f} MB (MB = 10^6 bytes)\n")
print(f"{'':24} {'median s':>9} {'MB/s':>8} {'peak RSS MB':>12}")
for r, m, mem in zip(results, med, rss):
    print(f"{r['command']:24} {m:9.3f} {size / 1e6 / m:8.1f} {mem / 1e6:12.1f}")

checks = [  # what, measured, target text, met
    ("(b)/(a) time", med[1] / med[0], "<= 2x", med[1] / med[0] <= 2),
    ("(c)/(b) time", med[2] / med[1], ">= 5x", med[2] / med[1] >= 5),
    ("(b) peak RSS / file size", rss[1] / size, "< 10x", rss[1] / size < 10),
]
print(f"\n{'target':26} {'measured':>9} {'target':>8}")
for what, value, target, ok in checks:
    print(f"{what:26} {value:8.2f}x {target:>8}  {'PASS' if ok else 'MISS'}")
EOF
