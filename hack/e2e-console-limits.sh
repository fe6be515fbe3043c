#!/usr/bin/env bash
# End to end: the console's transport, against the mock cluster.
#  1. Limits. One slowloris (a byte every 2 s, never a whole head) is cut at the 10 s header
#     timeout. Then 20,000 slow clients (Tests/e2e/console/flood.py, in 4 processes) flood the
#     console, reconnecting for 20 s: the controller holds 512 connections at most (the cap, read
#     from its /metrics) and closes the others at once, cuts the held ones at the header timeout,
#     keeps its open descriptors bounded, answers /healthz all along, still reconciles (a
#     ServiceSpec applied during the flood gets its Deployment), and has closed every console
#     connection once the flood is over. What the clients saw is printed, not checked: a
#     connection the kernel completed waits in the listen queue, which the clients count as held.
#  2. TLS. A self-signed certificate made with openssl serves /ops over HTTPS (401 without a token,
#     which is the console's answer); TLS 1.1 and plain HTTP get nothing. A connection that never
#     starts the handshake is closed at the header timeout, a kept-alive one at the idle timeout
#     (both short here). The files are replaced by a new certificate, which the next handshakes
#     present without a restart; a mismatched pair then keeps the one served. One TLS flag without
#     the other is refused.
#   hack/e2e-console-limits.sh            (run by hack/test.sh)
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

source hack/lib/e2e.sh
require_tool kubectl e2e-console-limits
require_tool openssl e2e-console-limits
swift build --product hms-controller >/dev/null
bin="$(swift build --show-bin-path)"
export HMS_JOURNAL="$work/journal.jsonl"
start_mock --pod-startup-seconds 0.3


k apply -f manifests/crds/ >/dev/null
printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"flood"}}' | k apply -f - >/dev/null
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s alice approver\n' "$token" >"$work/tokens"
chmod 600 "$work/tokens"

# listening_port LOG MESSAGE: the port of the last "MESSAGE" line's addr in the JSON log.
listening_port() { grep "\"$2\"" "$1" 2>/dev/null | tail -1 | sed -n 's/.*"addr":"[^"]*:\([0-9][0-9]*\)".*/\1/p' || true; }
# start_controller LOG FLAGS...: sets $console_port and $health_port.
start_controller() {
    local log=$1
    shift
    "$bin/hms-controller" --sync-seconds 0.5 --metrics-addr 127.0.0.1:0 --health-addr 127.0.0.1:0 \
        --console-addr 127.0.0.1:0 --console-token-file "$work/tokens" -v 2 "$@" >"$log" 2>&1 &
    controller_pid=$!
    console_port="" health_port=""
    for _ in $(seq 300); do
        console_port=$(listening_port "$log" "ops console listening")
        health_port=$(listening_port "$log" "health endpoints listening")
        [ -n "$console_port" ] && [ -n "$health_port" ] && break
        sleep 0.1
    done
    if [ -z "$console_port" ] || [ -z "$health_port" ]; then
        cat "$log"
        echo "e2e-console-limits: the controller did not start" >&2
        exit 1
    fi
}
flood() { python3 Tests/e2e/console/flood.py --port "$console_port" "$@"; }
field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
fds() { ls "/proc/$controller_pid/fd" 2>/dev/null | wc -l; }

# 1. Limits, with the defaults: 512 connections, 10 s header timeout, 60 s idle timeout.
start_controller "$work/controller.log"
echo "== 1. limits: console on 127.0.0.1:$console_port, health on 127.0.0.1:$health_port"
expect "a plain request is answered (401 without a token)" \
    "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$console_port/ops")" "401"

one=$(flood --connections 1 --processes 1 --seconds 0 --byte-every 2)
expect "a slowloris is disconnected by the server" "$(field "$one" held) $(field "$one" still_open)" "1 0"
expect_match "... after the 10 s header timeout (seconds)" "$(field "$one" held_min_seconds)" '^(9\.[5-9]|1[0-5])'

metrics_port=$(listening_port "$work/controller.log" "metrics endpoint listening")
# metric NAME: its value on /metrics (the console's own counters and gauge), 0 before it exists.
metric() { curl -s -m 5 "http://127.0.0.1:$metrics_port/metrics" | awk -v name="$1" '$1 == name { printf "%d", $2; found = 1 } END { if (!found) print 0 }'; }
baseline_fds=$(fds)
flood --connections 20000 --processes 4 --seconds 20 >"$work/flood.json" 2>"$work/flood.err" &
flood_pid=$!
# While the flood runs: health answers every time, the console holds no more than the cap and its
# descriptors stay bounded, and the controller reconciles.
printf 'apiVersion: ops.hms.gov/v1alpha1\nkind: ServiceSpec\nmetadata: {name: web, namespace: flood}\nspec: {image: registry.gov/web:1.0, replicas: 2, port: 8080, resources: {cpu: 100m, memory: 64Mi}}\n' \
    | k apply -f - >/dev/null
health_failures=0 health_checks=0 peak_fds=0 peak_open=0
deployed=""
while kill -0 "$flood_pid" 2>/dev/null; do
    code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$health_port/healthz" || true)
    health_checks=$((health_checks + 1))
    [ "$code" = "200" ] || health_failures=$((health_failures + 1))
    now_fds=$(fds)
    [ "$now_fds" -gt "$peak_fds" ] && peak_fds=$now_fds
    now_open=$(metric hms_console_connections)
    [ "$now_open" -gt "$peak_open" ] && peak_open=$now_open
    [ -n "$deployed" ] || deployed=$(k get deploy web -n flood -o jsonpath='{.spec.replicas}' 2>/dev/null || true)
    sleep 0.5
done
wait "$flood_pid" || true
report=$(cat "$work/flood.json")
echo "   flood (as the clients saw it): $report"
echo "   controller: $baseline_fds descriptors before, $peak_fds at most during the flood; $peak_open console connections at most; /healthz checked $health_checks times"
expect "the controller is alive after the flood" "$(kill -0 "$controller_pid" 2>/dev/null && echo yes || echo no)" "yes"
expect "/healthz answered 200 every time during the flood" "$health_failures failures" "0 failures"
step "/healthz was checked during the flood"; [ "$health_checks" -ge 5 ] && pass || fail "only $health_checks checks"
expect "a ServiceSpec applied during the flood got its Deployment" "$deployed" "2"
step "20,000 slow clients connected"; [ "$(field "$report" connections)" -ge 20000 ] && pass || fail "$report"
expect "the console held the cap, 512, and no more" "$peak_open" "512"
step "descriptors stayed bounded (< cap + 200)"; [ "$peak_fds" -lt $((512 + 200)) ] && pass || fail "peak $peak_fds"
shed=$(metric hms_console_connections_shed_total)
step "over the cap, connections were shed ($shed by /metrics)"; [ "$shed" -ge 15000 ] && pass || fail "$shed"
step "held connections were cut by the header timeout"; [ "$(metric hms_console_header_timeouts_total)" -ge 512 ] && pass || fail "$(metric hms_console_header_timeouts_total)"
expect "no slow client got an answer" "$(field "$report" answered)" "0"
# Connections the kernel completed but the console had not accepted yet wait in its queue; the
# console drains it after the flood (each shed, or held until the header timeout).
all_closed() { [ "$(metric hms_console_connections)" = "0" ] && [ "$(fds)" -le $((baseline_fds + 10)) ]; }
wait_until 60 all_closed || true
step "after the flood every console connection is closed"; all_closed && pass || fail "$(metric hms_console_connections) open, $(fds) descriptors ($baseline_fds before)"
expect_match "the cap is logged, not once per connection" "$(grep -c 'connection cap reached' "$work/controller.log")" '^[1-3]$'
expect "after the flood the console answers again" \
    "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$console_port/ops")" "401"
stop_controller

# 2. TLS: a self-signed certificate for 127.0.0.1, served, then replaced in place.
echo "== 2. TLS"
make_cert() { # NAME: $work/NAME.crt and $work/NAME.key
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=127.0.0.1" \
        -addext "subjectAltName=IP:127.0.0.1" -keyout "$work/$1.key" -out "$work/$1.crt" 2>/dev/null
}
fingerprint() { openssl x509 -noout -fingerprint -sha256 -in "$1" | cut -d= -f2; }
served_fingerprint() {
    openssl s_client -connect "127.0.0.1:$console_port" -servername localhost </dev/null 2>/dev/null \
        | openssl x509 -noout -fingerprint -sha256 2>/dev/null | cut -d= -f2
}
serves() { [ "$(served_fingerprint)" = "$1" ]; }
make_cert first
make_cert second
mkdir -p "$work/tls"
cp "$work/first.crt" "$work/tls/tls.crt"
cp "$work/first.key" "$work/tls/tls.key"

status=0
"$bin/hms-controller" --console-tls-cert "$work/tls/tls.crt" --console-addr 127.0.0.1:0 >"$work/one-flag.log" 2>&1 || status=$?
expect "--console-tls-cert without --console-tls-key is refused" \
    "$status $(grep -c 'console-tls-cert and --console-tls-key go together' "$work/one-flag.log")" "64 1"

# Short timeouts here, to see them over TLS without waiting long.
start_controller "$work/tls.log" --console-tls-cert "$work/tls/tls.crt" --console-tls-key "$work/tls/tls.key" \
    --console-header-timeout-seconds 2 --console-idle-timeout-seconds 3
https="https://127.0.0.1:$console_port"
# closed_after MODE: seconds until the server closed a connection that (handshake) never starts TLS,
# or (idle) sends one whole request over TLS, reads the answer and then waits.
closed_after() {
    python3 - "$1" "$console_port" "$work/first.crt" <<'PY'
import socket, ssl, sys, time
mode, port, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3]
raw = socket.create_connection(("127.0.0.1", port), timeout=30)
conn = raw
if mode == "idle":
    conn = ssl.create_default_context(cafile=ca).wrap_socket(raw, server_hostname="127.0.0.1")
    conn.sendall(b"GET /ops HTTP/1.1\r\nHost: console\r\n\r\n")
    answer = b""
    while b"\r\n\r\n" not in answer or not answer.split(b"\r\n\r\n", 1)[1].endswith(b"\n"):
        answer += conn.recv(4096)
    assert answer.startswith(b"HTTP/1.1 401"), answer[:40]
start = time.monotonic()
try:
    while conn.recv(4096):
        pass
except (ConnectionError, ssl.SSLError):
    pass
print(f"{time.monotonic() - start:.1f}")
PY
}
expect "the log says the console is served over TLS" "$(grep '"ops console listening"' "$work/tls.log" | grep -c '"tls":"true"')" "1"
expect "HTTPS /ops with the certificate as CA: 401 without a token" \
    "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$work/first.crt" "$https/ops")" "401"
expect "... and the page with a token" \
    "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$work/first.crt" -H "Authorization: Bearer $token" "$https/ops")" "200"
# The console knows it is served over TLS (ControllerCommand.consoleTLS): its session cookie is __Host- and Secure.
curl -s -o /dev/null -D "$work/signin" --cacert "$work/first.crt" -H "Origin: $https" --data-urlencode "token=$token" "$https/ops/login"
expect_match "signing in over HTTPS sets a __Host- cookie, Secure" "$(grep -i '^set-cookie:' "$work/signin" || true)" '__Host-[^=]*=.*; Secure'
expect "plain HTTP on the TLS port gets no answer" "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$console_port/ops" || true)" "000"
expect "TLS 1.1 is refused" "$(curl -s -o /dev/null -w '%{http_code}' --tls-max 1.1 --cacert "$work/first.crt" "$https/ops" || true)" "000"
expect "the first certificate is served" "$(served_fingerprint)" "$(fingerprint "$work/first.crt")"
expect_match "no TLS handshake: closed at the 2 s header timeout (s)" "$(closed_after handshake)" '^(1\.9|2\.|3\.|4\.)'
expect_match "kept alive and idle: closed at the 3 s idle timeout (s)" "$(closed_after idle)" '^(2\.9|3\.|4\.|5\.)'

# Replaced as kubelet updates a Secret volume: new files renamed into place.
cp "$work/second.crt" "$work/tls/tls.crt.new" && cp "$work/second.key" "$work/tls/tls.key.new"
mv "$work/tls/tls.key.new" "$work/tls/tls.key" && mv "$work/tls/tls.crt.new" "$work/tls/tls.crt"
wait_until 30 serves "$(fingerprint "$work/second.crt")" || true
expect "the new certificate is served without a restart" "$(served_fingerprint)" "$(fingerprint "$work/second.crt")"
expect "HTTPS with the new certificate as CA: 401" \
    "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$work/second.crt" "$https/ops")" "401"
expect_match "the reload is logged with the new serial" "$(grep -c 'TLS certificate reloaded' "$work/tls.log")" '^[1-9]'

# A mismatched pair (the first key with the second certificate): the second stays, an error says why.
cp "$work/first.key" "$work/tls/tls.key"
kept_logged() { grep -q 'keeping the TLS certificate served so far' "$work/tls.log"; }
# The files are looked at on a handshake, at most every 2 s: shake hands until it has looked.
handshake_then_kept() { served_fingerprint >/dev/null; kept_logged; }
wait_until 30 handshake_then_kept || true
step "a mismatched pair is logged as an error"; kept_logged && pass || fail "no error in the log"
expect "... and the second certificate is still served" "$(served_fingerprint)" "$(fingerprint "$work/second.crt")"
expect "the controller is alive" "$(kill -0 "$controller_pid" 2>/dev/null && echo yes || echo no)" "yes"
expect "no key material and no token in the logs" "$(cat "$work/tls.log" "$work/controller.log" | grep -c -e 'PRIVATE KEY' -e "$token" || true)" "0"

if [ "$failures" -gt 0 ]; then tail -20 "$work/controller.log"; tail -20 "$work/tls.log"; cat "$work/flood.err" 2>/dev/null || true; fi
finish e2e-console-limits
