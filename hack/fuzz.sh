#!/usr/bin/env bash
# Fuzzes the manifest decoder with libFuzzer for a given time.
#   hack/fuzz.sh [SECONDS]   (default 60)
# Crash inputs land in .build/fuzz/artifacts/; copy each into Tests/ManifestsTests/fuzz-regressions/
# so that the test suite replays it from then on.
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
hack/install-deps.sh
swift build -c release --sanitize=fuzzer --sanitize=address --product hms-fuzz-decode \
  --scratch-path .build/fuzz-build -Xswiftc -DFUZZING 2>&1 | tail -n 1

corpus=.build/fuzz/corpus
mkdir -p "$corpus" .build/fuzz/artifacts
# Seed with the examples and the golden cases: valid and invalid shapes the decoder must handle.
cp manifests/examples/*.yaml Tests/ManifestsTests/golden/*.yaml "$corpus"/ 2>/dev/null || true
cp Tests/ManifestsTests/fuzz-regressions/* "$corpus"/ 2>/dev/null || true

export SWIFT_BACKTRACE=enable=no
.build/fuzz-build/release/hms-fuzz-decode "$corpus" \
  -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix=.build/fuzz/artifacts/ -print_final_stats=1 2>&1 | tail -n 25
