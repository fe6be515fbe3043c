#!/usr/bin/env python3
"""Times GET /ops on a running console: one keep-alive connection per client (stdlib only).

usage: console-load.py URL TOKEN REQUESTS CLIENTS [APPEND-TO]
Prints one line of JSON: each request's seconds (from sending until the body is read whole),
the wall time, and the page's size. With APPEND-TO (a journal), a copy of its last line is
appended before each request, so that no request finds the journal as the previous one did.
"""

import http.client
import json
import sys
import threading
import time
import urllib.parse

url, token, requests, clients = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
append_to = sys.argv[5] if len(sys.argv) > 5 else None
parts = urllib.parse.urlsplit(url)
last_line = b""
if append_to:
    with open(append_to, "rb") as journal:
        journal.seek(-4096, 2)
        last_line = journal.read().rstrip(b"\n").rsplit(b"\n", 1)[-1] + b"\n"

times, sizes, errors = [], [], []
lock = threading.Lock()


def client(count):
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    for _ in range(count):
        if append_to:
            with open(append_to, "ab") as journal:
                journal.write(last_line)
        started = time.perf_counter()
        connection.request("GET", parts.path or "/ops", headers={"Authorization": f"Bearer {token}"})
        response = connection.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - started
        with lock:
            if response.status != 200:
                errors.append(response.status)
            times.append(elapsed)
            sizes.append(len(body))
    connection.close()


threads = [threading.Thread(target=client, args=(requests // clients,)) for _ in range(clients)]
started = time.perf_counter()
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({"times": times, "wall": time.perf_counter() - started, "bytes": max(sizes or [0]), "errors": errors}))
