#!/usr/bin/env bash
# The planner of two commits side by side: hms-bench-plan in release, built from BASE (default
# main) and from this tree, run in turns at each COUNT, RUNS times (default 3). Prints every
# run, then per count the medians of both and their ratio (this tree / BASE).
# Both sides run this tree's bench (the same scenario: Deployments as a server stores them, with
# managedFields); BASE is built in a worktree under .build/bench-plan/base, kept for the next run
# (`git worktree remove --force .build/bench-plan/base` drops it).
#   hack/bench-plan.sh [BASE [COUNT...]]        (default: main 1000 10000)
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."
base_ref="${1:-main}"
shift || true
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(1000 10000)
runs="${RUNS:-3}"
base=.build/bench-plan/base
results=.build/bench-plan/results.txt

echo "== building $base_ref in $base (release)"
base_commit=$(git rev-parse --verify "$base_ref^{commit}")
if [ -d "$base" ]; then
    git -C "$base" checkout --quiet --force --detach "$base_commit"
    git -C "$base" clean --quiet -fd Sources/hms-bench-plan
else
    mkdir -p "$(dirname "$base")"
    git worktree add --quiet --detach "$base" "$base_commit"
fi
cp Sources/hms-bench-plan/*.swift "$base/Sources/hms-bench-plan/"
# A base that predates RenderedDeployment plans every pass without renderings to reuse.
if ! grep -rqs "struct RenderedDeployment" "$base/Sources/Planner"; then
    cat >"$base/Sources/hms-bench-plan/CarryRenderings.swift" <<'SWIFT'
import Planner

/// The base commit predates `RenderedDeployment`: nothing to carry from one plan to the next.
func carryRenderings(of plan: Plan, into options: inout Planner.Options) {}
SWIFT
fi
(cd "$base" && swift build -c release --product hms-bench-plan 2>&1 | tail -n 1)
base_bin="$(cd "$base" && swift build -c release --show-bin-path)/hms-bench-plan"
echo "== building this tree (release)"
# Its own scratch path: a debug build of this tree holding .build's lock does not hold it up.
swift build -c release --product hms-bench-plan --scratch-path .build/bench-plan/ours 2>&1 | tail -n 1
ours_bin="$(swift build -c release --scratch-path .build/bench-plan/ours --show-bin-path)/hms-bench-plan"

: >"$results"
for run in $(seq "$runs"); do
    for side in base ours; do
        binary=$base_bin
        [ "$side" = ours ] && binary=$ours_bin
        "$binary" "${counts[@]}" | sed "s/^/side=$side run=$run /" | tee -a "$results"
    done
done

python3 - "$results" "$base_ref" <<'PY'
import statistics, sys
rows = [dict(field.split("=", 1) for field in line.split()) for line in open(sys.argv[1]) if line.strip()]
print(f"\n== medians of {len({r['run'] for r in rows})} runs (each run: the median of the passes after the first)")
print(f"{'services':>9} {'base ms':>9} {'this ms':>9} {'ratio':>6} {'base us/svc':>12} {'this us/svc':>12} {'base first':>11} {'this first':>11}")
for count in sorted({int(r["services"]) for r in rows}):
    def median(side, key):
        return statistics.median(float(r[key]) for r in rows if r["side"] == side and int(r["services"]) == count)
    base, ours = median("base", "median_ms"), median("ours", "median_ms")
    print(f"{count:>9} {base:>9.1f} {ours:>9.1f} {ours / base:>6.2f} {base * 1000 / count:>12.1f} {ours * 1000 / count:>12.1f}"
          f" {median('base', 'first_ms'):>11.1f} {median('ours', 'first_ms'):>11.1f}")
print(f"(base: {sys.argv[2]}; ratio below 1: this tree plans faster)")
PY
