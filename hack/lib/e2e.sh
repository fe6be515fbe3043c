# require_tool TOOL NAME: NAME needs TOOL. In CI (CI=true) a missing tool is an error, so that a
# green run cannot hide a skipped script; on a developer machine the script says so and skips.
require_tool() {
    command -v "$1" >/dev/null 2>&1 && return 0
    if [ "${CI:-}" = "true" ]; then
        echo "$2: FAILED: $1 is not installed (CI=true: a missing tool is an error)" >&2
        exit 1
    fi
    echo "$2: SKIPPED: $1 is not installed"
    exit 0
}

# Shared by the end-to-end scripts: a live mock cluster in a temporary directory, kubectl pointed at
# it, and checks that compare what a command printed with what it should have printed.
# Source it after `cd` to the repository root; it sets $work, $server, $KUBECONFIG.

work=$(mktemp -d)
mock_pid=""
mock_runs=0
failures=0
# Other processes a script starts (controllers, say): stopped on exit, before the mock.
pids=()

# The controller a script started, in $controller_pid: stop_controller sends SIGTERM and waits
# up to 10 s for a graceful stop, else SIGKILL; $stopped says which (yes or no).
controller_pid=""
stop_controller() {
    stopped=yes
    if [ -n "$controller_pid" ]; then
        kill "$controller_pid" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$controller_pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$controller_pid" 2>/dev/null; then
            stopped=no
            kill -9 "$controller_pid" 2>/dev/null || true
        fi
        wait "$controller_pid" 2>/dev/null || true
        controller_pid=""
    fi
}

cleanup() {
    stop_controller
    for pid in ${pids[@]+"${pids[@]}"}; do kill "$pid" 2>/dev/null || true; done
    if [ -n "$mock_pid" ]; then
        kill "$mock_pid" 2>/dev/null || true
        wait "$mock_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# start_mock [FLAGS...]: starts hms-mock-cluster on a free port: the binary $mock_bin when set
# (the benchmarks set their release build), else a debug build made here.
start_mock() {
    local binary=${mock_bin:-}
    if [ -z "$binary" ]; then
        swift build --product hms-mock-cluster >/dev/null
        binary="$(swift build --show-bin-path)/hms-mock-cluster"
    fi
    # Under hack/test.sh, each run's stored objects are kept (the mock saves them on exit) for
    # hack/check-stored-objects.py, which checks them against real Kubernetes schemas.
    local keep=()
    if [ -n "${HMS_E2E_STORED:-}" ]; then
        mock_runs=$((mock_runs + 1))
        keep=(--state "$HMS_E2E_STORED/$(basename "$0" .sh)-$$-$mock_runs.json")
    fi
    "$binary" --port 0 --kubeconfig-out "$work/kubeconfig" --clock-offset-seconds="$clock_offset" ${keep[@]+"${keep[@]}"} "$@" >"$work/mock.log" 2>&1 &
    mock_pid=$!
    for _ in $(seq 100); do
        grep -q "^hms-mock-cluster listening on" "$work/mock.log" 2>/dev/null && break
        sleep 0.1
    done
    server=$(sed -n 's/^hms-mock-cluster listening on //p' "$work/mock.log")
    if [ -z "$server" ]; then
        cat "$work/mock.log"
        echo "the mock cluster did not start" >&2
        exit 1
    fi
    export KUBECONFIG="$work/kubeconfig"
}

# release_build PRODUCT...: release builds of the products and of the mock cluster, for the
# benchmarks; sets $bin, and $mock_bin so that start_mock starts the release mock.
release_build() {
    echo "== building (release)"
    local product
    for product in hms-mock-cluster "$@"; do swift build -c release --product "$product" 2>&1 | tail -n 1; done
    bin=$(swift build -c release --show-bin-path)
    mock_bin="$bin/hms-mock-cluster"
}

# pin_clock TIME: the mock cluster and the controllers run their clocks as if it were TIME now
# (RFC 3339), so that checks of months, budgets and windows do not depend on the day the tests
# run. Sets $clock_offset (seconds) for start_mock and --clock-offset-seconds.
clock_offset=0
pin_clock() {
    clock_offset=$(python3 -c 'import datetime, sys, time; print(round(datetime.datetime.fromisoformat(sys.argv[1].replace("Z", "+00:00")).timestamp() - time.time(), 3))' "$1")
}
# pinned_date [FORMAT] [SECONDS-AGO]: the pinned clock's time now, in UTC, as `date` formats it.
pinned_date() {
    date -u -d "@$(python3 -c 'import sys, time; print(int(time.time() + float(sys.argv[1]) - float(sys.argv[2])))' "$clock_offset" "${2:-0}")" "+${1:-%Y-%m-%dT%H:%M:%SZ}"
}
# hours_left_in_month: by the pinned clock.
hours_left_in_month() {
    python3 -c '
import datetime, sys, time
now = datetime.datetime.fromtimestamp(time.time() + float(sys.argv[1]), datetime.timezone.utc)
first = (now.replace(day=1, hour=0, minute=0, second=0, microsecond=0) + datetime.timedelta(days=32)).replace(day=1)
print((first - now).total_seconds() / 3600)' "$clock_offset"
}

k() { kubectl --kubeconfig "$work/kubeconfig" --cache-dir "$work/cache" "$@"; }

# control PATH JSON: a PUT to the mock's control API.
control() { curl -fsS -X PUT -H 'Content-Type: application/json' "$server/mock/v1/$1" -d "$2" >/dev/null; }

# The write requests (POST, PUT, PATCH, DELETE) the mock served since the log was last cleared.
clear_requests() { curl -fsS -X DELETE "$server/mock/v1/requests" >/dev/null; }
writes() {
    curl -fsS "$server/mock/v1/requests" | python3 -c '
import json, sys
for entry in json.load(sys.stdin)["items"]:
    if entry["method"] != "GET":
        print(entry["method"], entry["path"])'
}

# wait_until SECONDS COMMAND...: until the command succeeds; false when time runs out.
wait_until() {
    local limit=$1
    shift
    for _ in $(seq $((limit * 10))); do
        if "$@"; then return 0; fi
        sleep 0.1
    done
    return 1
}

step() { printf "%-64s" "$1"; }
pass() { echo "ok"; }
fail() {
    echo "FAILED"
    printf '    %s\n' "$@"
    failures=$((failures + 1))
}
# expect DESCRIPTION ACTUAL EXPECTED
expect() {
    step "$1"
    if [ "$2" = "$3" ]; then pass; else fail "expected: $3" "actual:   $2"; fi
}
# expect_match DESCRIPTION ACTUAL REGEX
expect_match() {
    step "$1"
    # grep reads all of it (no -q): a grep that stops at the first match can leave printf writing
    # into a closed pipe, and under pipefail that SIGPIPE fails a check whose text did match.
    if printf '%s' "$2" | grep -E -- "$3" >/dev/null; then pass; else fail "expected to match: $3" "actual: $2"; fi
}

# finish NAME: the verdict, and the mock's last words when something failed.
finish() {
    echo
    if [ "$failures" -gt 0 ]; then
        echo "$1: $failures checks FAILED (mock log: tail follows)"
        tail -20 "$work/mock.log"
        exit 1
    fi
    echo "$1: every check passed"
}
