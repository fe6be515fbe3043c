"""Steps a service's load on the mock cluster and measures how long until the controller's scale
request reaches the mock (its request log). Prints one line per step and the median.
   autoscale-reaction.py SERVER NAMESPACE DEPLOYMENT STEPS"""
import json
import statistics
import sys
import time
import urllib.request

server, namespace, deployment, steps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])


def call(method, path, body=None):
    request = urllib.request.Request(server + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read() or b"{}")


def scale_writes():
    """Times (seconds since the epoch) of the controller's writes to the Deployment."""
    entries = call("GET", "/mock/v1/requests")["items"]
    path = f"/apis/apps/v1/namespaces/{namespace}/deployments/{deployment}"
    return [e for e in entries if e["method"] == "PATCH" and e["path"].startswith(path) and e["userAgent"].startswith("hms-controller")]


reactions = []
for step in range(steps):
    rps = 4000 if step % 2 == 0 else 2000  # 8 replicas, then 4
    call("DELETE", "/mock/v1/requests")
    started = time.monotonic()
    call("PUT", f"/mock/v1/load/{namespace}/{deployment}", {"http_rps": rps, "cpuMillisPerRequest": 0.2})
    while not scale_writes():
        if time.monotonic() - started > 30:
            print(f"step {step + 1}: no scale request within 30 s", file=sys.stderr)
            sys.exit(1)
        time.sleep(0.02)
    reaction = time.monotonic() - started
    reactions.append(reaction)
    print(f"step {step + 1:2d}: {rps} requests/s -> scale request after {reaction:.2f} s")
    # Let the new pods become ready before the next step, so every step starts settled.
    time.sleep(1.5)
print(f"median={statistics.median(reactions):.3f} p90={sorted(reactions)[int(len(reactions) * 0.9) - 1]:.3f}")
