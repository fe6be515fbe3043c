#!/usr/bin/env bash
# Fuzzes the manifest decoder with libFuzzer for a given time.
#   hack/fuzz.sh [SECONDS]   (default 60)
# Crash inputs land in .build/fuzz/artifacts/; copy each into Tests/ManifestsTests/fuzz-regressions/
# so that the test suite replays it from then on.
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
hack/install-deps.sh
# SwiftPM's --sanitize=fuzzer links libFuzzer but does not always have the compiler instrument the
# Swift modules for coverage (a clean build here had none, and the fuzzer mutated blindly):
# -sanitize=fuzzer goes to the compiler as well, and a binary without coverage counters is refused.
swift build -c release --sanitize=fuzzer --sanitize=address --product hms-fuzz-decode \
  --scratch-path .build/fuzz-build -Xswiftc -DFUZZING -Xswiftc -sanitize=fuzzer 2>&1 | tail -n 1
fuzzer=.build/fuzz-build/release/hms-fuzz-decode
if ! nm "$fuzzer" | grep __start___sancov_cntrs >/dev/null; then
  echo "fuzz.sh: $fuzzer has no coverage instrumentation; not fuzzing blind" >&2
  exit 1
fi

corpus=.build/fuzz/corpus
mkdir -p "$corpus" .build/fuzz/artifacts
# Seed with the examples and the golden cases: valid and invalid shapes the decoder must handle.
cp manifests/examples/*.yaml Tests/ManifestsTests/golden/*.yaml "$corpus"/ 2>/dev/null || true
cp Tests/ManifestsTests/fuzz-regressions/* "$corpus"/ 2>/dev/null || true

export SWIFT_BACKTRACE=enable=no
"$fuzzer" "$corpus" \
  -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix=.build/fuzz/artifacts/ -print_final_stats=1 2>&1 | tail -n 25
