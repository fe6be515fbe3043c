#!/usr/bin/env bash
# End to end: the ops console in a real browser, against the mock cluster, in its two setups.
#  1. The mock setup: tokens and roles from `--console-token-file`; curl checks the access rules
#     (401 without a token, 403 for a viewer's approval, no Approve button for a viewer), the
#     security headers, sessions (sign-in form, cookie, sign-out) and the CSRF defences.
#  2. The cluster setup: no token file, so the console asks the cluster: a TokenReview for who the
#     token is, a SubjectAccessReview for the `approve` verb on approvals.ops.hms.gov. The mock
#     answers both from the tables `PUT /mock/v1/auth` sets. curl checks the same rules and that
#     guessing tokens is rate-limited, then headless Chromium driven by Selenium signs in with the
#     form, opens a reflected-XSS link (no script runs), checks the services' and the Directives'
#     numbers, sees a forged form from another origin refused, approves a held scale-up, sees the
#     Deployment scale, and signs out.
#   hack/e2e-console.sh            (run by hack/test.sh)
# Screenshot: .build/console.png
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

if ! hack/install-deps.sh chromium chromium-driver pip:selenium >/dev/null 2>&1 \
    || ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
    if [ "${CI:-}" = "true" ]; then echo "e2e-console: FAILED: chromium and chromium-driver could not be installed" >&2; exit 1; fi
    echo "e2e-console: SKIPPED: chromium and chromium-driver could not be installed"
    exit 0
fi

source hack/lib/e2e.sh
require_tool kubectl e2e-console
swift build --product hms-controller >/dev/null
bin="$(swift build --show-bin-path)"
export HMS_JOURNAL="$work/journal.jsonl"
start_mock --pod-startup-seconds 0.3 --job-seconds 1

k apply -f manifests/crds/ >/dev/null
printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"student-aid"}}' | k apply -f - >/dev/null
sed '/freezeWindows:/,+1d' manifests/examples/governance.yaml | k apply -f - >/dev/null 2>&1 || true
k apply -f manifests/examples/student-aid-surge.yaml >/dev/null
k patch autoscalerule eligibility-api -n student-aid --type merge -p '{"spec":{"syncPeriodSeconds":1}}' >/dev/null

# Two Directives of three jobs each, scheduled two minutes ago and missed "while the controller was
# down" (their status says they last ran the day before): the first pass catches both runs up. The
# late one's SLO deadline was a minute after the run (breached); the other's is 30 minutes after (met).
printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"power"}}' | k apply -f - >/dev/null
py() { python3 -c "import datetime, zoneinfo; utc = datetime.timezone.utc; chicago = zoneinfo.ZoneInfo('America/Chicago'); $1"; }
scheduled=$(py "print((datetime.datetime.now(utc).replace(second=0, microsecond=0) - datetime.timedelta(minutes=2)).isoformat())")
local_time() { py "print((datetime.datetime.fromisoformat('$scheduled') + datetime.timedelta(minutes=$1)).astimezone(chicago).strftime('%H:%M'))"; }
yesterday=$(py "print((datetime.datetime.fromisoformat('$scheduled') - datetime.timedelta(days=1)).strftime('%Y-%m-%dT%H:%M:%SZ'))")
run_id=$(py "print(datetime.datetime.fromisoformat('$scheduled').strftime('%Y%m%d-%H%M'))")
for directive in dispatch-late:1 dispatch-ontime:30; do
    name=${directive%%:*}
    cat <<EOF | k apply -f - >/dev/null
apiVersion: ops.hms.gov/v1alpha1
kind: Directive
metadata: {name: $name, namespace: power}
spec:
  schedule: "$(local_time 0)"
  timeZone: America/Chicago
  template: {image: registry.gov/power-worker:2.1, command: [dispatch], resources: {cpu: 250m, memory: 128Mi}}
  jobs:
  - {id: power-tx, payload: {region: TX, megawatts: 400}}
  - {id: power-ok, payload: {region: OK, megawatts: 350}}
  - {id: power-ar, payload: {region: AR, megawatts: 250}}
  maxRuntimeSeconds: 600
  slo: {finishBefore: "$(local_time "${directive#*:}")"}
  catchUp: latest
EOF
    k patch directive "$name" -n power --subresource=status --type=merge -p "{\"status\":{\"lastScheduleTime\":\"$yesterday\"}}" >/dev/null
done

# Random tokens: nothing guessable, and nothing printed.
token() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
approver_token=$(token)
viewer_token=$(token)
creator_token=$(token)
lead_token=$(token)
printf '%s alice approver\n%s victor viewer\n' "$approver_token" "$viewer_token" >"$work/tokens"
chmod 600 "$work/tokens"

# start_controller FLAGS...: the controller with its console on a free port; sets $console.
start_controller() {
    "$bin/hms-controller" --sync-seconds 0.5 --metrics-addr 127.0.0.1:0 --health-addr 127.0.0.1:0 \
        --console-addr 127.0.0.1:0 -v 2 "$@" >>"$work/controller.log" 2>&1 &
    controller_pid=$!
    local port=""
    for _ in $(seq 100); do
        port=$(grep '"ops console listening"' "$work/controller.log" 2>/dev/null | tail -1 | sed -n 's/.*"addr":"[^"]*:\([0-9][0-9]*\)".*/\1/p' || true)
        [ -n "$port" ] && [ "$port" != "${previous_port:-}" ] && break
        sleep 0.1
    done
    if [ -z "$port" ] || [ "$port" = "${previous_port:-}" ]; then
        cat "$work/controller.log"
        echo "e2e-console: the console did not start" >&2
        exit 1
    fi
    previous_port=$port
    console="http://127.0.0.1:$port"
}

status() { curl -s -o "$work/body" -w '%{http_code}' "$@"; }
# headers URL...: the response headers of a GET, lower-cased names.
headers() { curl -s -D - -o /dev/null "$@" | tr -d '\r' | awk -F': ' '{ printf "%s: %s\n", tolower($1), $2 }'; }
# sign_in TOKEN: a session cookie from the sign-in form, as a browser on the console's page posts it.
sign_in() {
    curl -s -o /dev/null -D "$work/signin" -H "Origin: $console" --data-urlencode "token=$1" "$console/ops/login"
    tr -d '\r' <"$work/signin" | sed -n 's/^[Ss]et-[Cc]ookie: \(hms_console_session=[0-9a-f]*\);.*/\1/p'
}
# wrong_csrf TOKEN: the token with its last digit changed (never the token itself).
wrong_csrf() { if [ "${1: -1}" = 0 ]; then echo "${1%?}1"; else echo "${1%?}0"; fi; }
csrf_of_page() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$work/body" | head -1; }
# access_rules SETUP: what every setup must refuse and allow.
access_rules() {
    expect "$1: no token: 401" "$(status "$console/ops")" "401"
    expect_match "$1: no token: no data in the answer" "$(cat "$work/body")" "^sign in at /ops/login, or send a bearer token$"
    expect "$1: a browser without a token gets the sign-in form" \
        "$(status -H 'Accept: text/html' "$console/ops") $(grep -c '<form method="post" action="/ops/login"' "$work/body")" "401 1"
    expect "$1: a wrong token: 401" "$(status -H "Authorization: Bearer wrong" "$console/ops")" "401"
    expect "$1: a valid token in ?token= signs nobody in: 401" "$(status "$console/ops?token=$viewer_token")" "401"
    expect "$1: ... and sets no cookie" "$(headers "$console/ops?token=$viewer_token" | grep -c '^set-cookie' || true)" "0"
    expect "$1: no token: the event stream is 401 too" "$(status "$console/ops/events")" "401"
    expect "$1: a viewer reads the page" "$(status -H "Authorization: Bearer $viewer_token" "$console/ops")" "200"
    expect "$1: signed in as victor, a viewer" "$(grep -c 'Signed in as <strong>victor</strong> (viewer)' "$work/body" || true)" "1"
    expect "$1: a viewer sees no Approve button" "$(grep -c 'action="/ops/approve"' "$work/body" || true)" "0"
    expect "$1: a viewer's approval: 403" \
        "$(status -H "Authorization: Bearer $viewer_token" -d id=act-0000000000000000 "$console/ops/approve")" "403"
    expect "$1: no token's approval: 401" "$(status -d id=act-0000000000000000 "$console/ops/approve")" "401"
    expect "$1: the page never shows a token" "$(grep -c -e "$viewer_token" -e "$approver_token" "$work/body" || true)" "0"
    expect "$1: alice reads the page as an approver" "$(status -H "Authorization: Bearer $approver_token" "$console/ops")" "200"
    expect "$1: signed in as alice, an approver" "$(grep -c 'Signed in as <strong>alice</strong> (approver)' "$work/body" || true)" "1"

    # What every answer says to the browser: no inline script or style, no framing, no sniffing.
    headers -H "Authorization: Bearer $viewer_token" "$console/ops" >"$work/headers"
    expect_match "$1: CSP: scripts and styles from the console only" "$(grep '^content-security-policy' "$work/headers")" \
        "default-src 'none'; script-src 'self'; style-src 'self';.*frame-ancestors 'none'"
    expect "$1: CSP: no 'unsafe-inline'" "$(grep -c 'unsafe-inline' "$work/headers" || true)" "0"
    expect "$1: nosniff, no referrer, no store" \
        "$(grep -c -e '^x-content-type-options: nosniff$' -e '^referrer-policy: no-referrer$' -e '^cache-control: no-store$' "$work/headers")" "3"
    expect "$1: a 401 carries them too" "$(headers "$console/ops" | grep -c -e '^content-security-policy' -e '^x-content-type-options')" "2"

    # Sessions: the token goes in a POST body once; the cookie holds a random id, not the token.
    expect "$1: signing in from another origin: 403" \
        "$(status -H 'Origin: http://evil.example' --data-urlencode "token=$approver_token" "$console/ops/login")" "403"
    expect "$1: signing in without an Origin: 403" "$(status --data-urlencode "token=$approver_token" "$console/ops/login")" "403"
    expect "$1: signing in with a wrong token: 401" "$(status -H "Origin: $console" -d token=wrong "$console/ops/login")" "401"
    session=$(sign_in "$approver_token")
    expect_match "$1: signing in sets a session cookie" "$session" "^hms_console_session=[0-9a-f]{64}$"
    expect "$1: ... HttpOnly and SameSite=Strict, not the token" \
        "$(grep -ci 'set-cookie: hms_console_session=[0-9a-f]*; Path=/ops; HttpOnly; SameSite=Strict' "$work/signin") $(grep -c -e "$approver_token" "$work/signin" || true)" "1 0"
    expect "$1: the session reads the page" "$(status -b "$session" "$console/ops")" "200"
    csrf=$(csrf_of_page)
    expect_match "$1: the page's forms carry a CSRF token" "$csrf" "^[0-9a-f]{64}$"
    # The attack of the issue: a cross-site text/plain POST with the cookie.
    expect "$1: CSRF: cross-site text/plain POST with the cookie: refused" \
        "$(status -b "$session" -H 'Origin: http://evil.example' -H 'Sec-Fetch-Site: cross-site' -H 'Content-Type: text/plain' \
            --data-binary "id=act-0000000000000000&csrf=$csrf" "$console/ops/reject")" "403"
    expect "$1: a text/plain body from the console's own origin: 415" \
        "$(status -b "$session" -H "Origin: $console" -H 'Content-Type: text/plain' --data-binary "id=act-0000000000000000&csrf=$csrf" "$console/ops/reject")" "415"
    expect "$1: CSRF: another origin, CSRF token and all: 403" \
        "$(status -b "$session" -H 'Origin: http://evil.example' -d "id=act-0000000000000000&csrf=$csrf" "$console/ops/reject")" "403"
    expect "$1: CSRF: Sec-Fetch-Site same-site (another port): 403" \
        "$(status -b "$session" -H "Origin: $console" -H 'Sec-Fetch-Site: same-site' -d "id=act-0000000000000000&csrf=$csrf" "$console/ops/reject")" "403"
    expect "$1: CSRF: no CSRF token: 403" "$(status -b "$session" -H "Origin: $console" -d "id=act-0000000000000000" "$console/ops/reject")" "403"
    expect "$1: CSRF: a wrong CSRF token: 403" \
        "$(status -b "$session" -H "Origin: $console" -d "id=act-0000000000000000&csrf=$(wrong_csrf "$csrf")" "$console/ops/reject")" "403"
    expect "$1: same origin, the right CSRF token: past the checks (no such held action: 404)" \
        "$(status -b "$session" -H "Origin: $console" -d "id=act-0000000000000000&csrf=$csrf" "$console/ops/reject")" "404"
    expect "$1: no Approval was written by any of them" "$(k get approvals -A -o name 2>/dev/null | wc -l)" "0"
    expect_match "$1: refusals are logged with the user and the reason" \
        "$(grep '"console: refused"' "$work/controller.log" | grep '"cross-origin request"' | grep -c '"user":"alice"' || true)" "^[1-9]"
    # Live views: four streams per session, the fifth refused.
    stream_pids=()
    for _ in 1 2 3 4; do
        curl -sN -b "$session" "$console/ops/events" >/dev/null 2>&1 &
        stream_pids+=($!)
    done
    streams_open() { [ "$(status -b "$session" --max-time 1 "$console/ops/events")" = "429" ]; }
    wait_until 10 streams_open || true
    expect "$1: a fifth event stream of one session: 429" "$(status -b "$session" --max-time 1 "$console/ops/events")" "429"
    kill "${stream_pids[@]}" 2>/dev/null || true
    wait "${stream_pids[@]}" 2>/dev/null || true
    # Signing out ends the session on the server: the old cookie is worth nothing.
    expect "$1: signing out" "$(status -b "$session" -H "Origin: $console" -d "csrf=$csrf" "$console/ops/logout")" "303"
    expect "$1: the signed-out session: 401" "$(status -b "$session" "$console/ops")" "401"
}

replicas() { k get deploy eligibility-api -n student-aid -o jsonpath='{.spec.replicas}' 2>/dev/null; }
deployed() { [ "$(replicas)" = "4" ]; }

# 1. The mock setup: a static token file.
start_controller --console-token-file "$work/tokens"
echo "== 1. static token file: ops console at $console/ops against $server"
wait_until 30 deployed || true
expect "the controller deploys the service" "$(replicas)" "4"
access_rules "token file"
# An open page keeps its event stream open: SIGTERM must still stop the controller.
curl -sN -H "Authorization: Bearer $viewer_token" "$console/ops/events" >/dev/null 2>&1 &
stream_pid=$!
sleep 0.5
stop_controller
expect "SIGTERM stops the controller with an event stream open" "$stopped" "yes"
kill "$stream_pid" 2>/dev/null || true
wait "$stream_pid" 2>/dev/null || true

# 2. The cluster setup: TokenReview and SubjectAccessReview, answered by the mock's tables. Alice
#    may approve; victor may only read; carol may create Approvals but lacks the approve verb;
#    paula may approve in student-aid only (a RoleBinding, in RBAC terms).
curl -fsS -X PUT -H 'Content-Type: application/json' "$server/mock/v1/auth" -d @- >/dev/null <<EOF
{"tokens": [{"token": "$approver_token", "user": "alice", "groups": ["ops"]},
            {"token": "$viewer_token", "user": "victor"},
            {"token": "$creator_token", "user": "carol"},
            {"token": "$lead_token", "user": "paula", "groups": ["student-aid-leads"]}],
 "roles": [{"group": "ops", "verbs": ["approve"], "apiGroups": ["ops.hms.gov"], "resources": ["approvals"]},
           {"user": "victor", "verbs": ["get", "list", "watch"], "apiGroups": ["ops.hms.gov"], "resources": ["*"]},
           {"user": "carol", "verbs": ["create", "get", "list"], "apiGroups": ["ops.hms.gov"], "resources": ["approvals"]},
           {"group": "student-aid-leads", "verbs": ["approve"], "apiGroups": ["ops.hms.gov"], "resources": ["approvals"], "namespaces": ["student-aid"]}]}
EOF
expect "the mock shows its users, not their tokens" \
    "$(curl -fsS "$server/mock/v1/auth" | python3 -c 'import json,sys; print(" ".join(t["user"] for t in json.load(sys.stdin)["tokens"]))')" "alice carol paula victor"
clear_requests
start_controller
echo "== 2. TokenReview and SubjectAccessReview: ops console at $console/ops against $server"
access_rules "cluster reviews"
expect "a user who may create Approvals but not approve sees no button" \
    "$(status -H "Authorization: Bearer $creator_token" "$console/ops") $(grep -c 'Signed in as <strong>carol</strong> (viewer)' "$work/body" || true)" "200 1"
expect "... and gets a 403 from the endpoint" \
    "$(status -H "Authorization: Bearer $creator_token" -d id=act-0000000000000000 "$console/ops/approve")" "403"
reviews=$(curl -fsS "$server/mock/v1/requests" | python3 -c '
import json, sys
paths = [e["path"] for e in json.load(sys.stdin)["items"] if e["method"] == "POST"]
print(sum(p == "/apis/authentication.k8s.io/v1/tokenreviews" for p in paths) > 0, sum(p == "/apis/authorization.k8s.io/v1/subjectaccessreviews" for p in paths) > 0)')
expect "the console asked TokenReviews and SubjectAccessReviews" "$reviews" "True True"

# Guessing tokens costs the cluster little: one review per unknown token at most, and a bounded
# rate of reviews of tokens never seen (a burst of 20, then 5 a second).
token_reviews() {
    curl -fsS "$server/mock/v1/requests" | python3 -c '
import json, sys
print(sum(e["method"] == "POST" and e["path"] == "/apis/authentication.k8s.io/v1/tokenreviews" for e in json.load(sys.stdin)["items"]))'
}
clear_requests
for _ in $(seq 50); do curl -s -o /dev/null -H "Authorization: Bearer the-same-wrong-token" "$console/ops"; done
expect "one wrong token sent 50 times: one TokenReview" "$(token_reviews)" "1"
clear_requests
started=$(date +%s)
for i in $(seq 300); do curl -s -o /dev/null -H "Authorization: Bearer wrong-$i" "$console/ops"; done
seconds=$(( $(date +%s) - started + 1 ))
reviews=$(token_reviews)
echo "    300 different wrong tokens in ${seconds}s: $reviews TokenReviews"
expect "300 different wrong tokens: at most 20 + 5 a second reviewed" "$(( reviews <= 20 + 5 * seconds && reviews < 300 ))" "1"
expect "... and alice still signs in" "$(status -H "Authorization: Bearer $approver_token" "$console/ops")" "200"

hack/install-deps.sh pip:selenium >/dev/null
mkdir -p .build
status=0
CONSOLE="$console" MOCK="$server" APPROVER_TOKEN="$approver_token" NAMESPACE_APPROVER_TOKEN="$lead_token" KUBECONFIG="$work/kubeconfig" SCREENSHOT=.build/console.png \
    RUN_ID="$run_id" PYTHONDONTWRITEBYTECODE=1 .venv/bin/python Tests/e2e/console/browser.py || status=$?
[ "$status" -eq 0 ] || failures=$((failures + 1))
expect "the controller log never holds a token" "$(grep -c -e "$viewer_token" -e "$approver_token" -e "$creator_token" -e "$lead_token" "$work/controller.log" || true)" "0"
expect "the mock's request log never holds a token" "$(curl -fsS "$server/mock/v1/requests" | grep -c -e "$viewer_token" -e "$approver_token" || true)" "0"
# The controller passed over the held scale-up every 0.5 s while it waited for approval.
held_lines() {
    python3 -c '
import collections, json, sys
held = collections.Counter()
for line in open(sys.argv[1]):
    entry = json.loads(line)
    if entry.get("result", "").startswith("not carried out"):
        held[(entry["id"], entry["result"])] += 1
print(len(held), sum(1 for count in held.values() if count > 1))' "$HMS_JOURNAL"
}
expect "held decisions journaled: some, each once (not once per pass)" "$(held_lines)" "$(held_lines | cut -d" " -f1) 0"
expect_match "and there was a held decision to journal" "$(held_lines)" "^[1-9]"
if [ "$failures" -gt 0 ]; then tail -20 "$work/controller.log"; fi
finish e2e-console
