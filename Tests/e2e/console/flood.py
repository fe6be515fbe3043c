"""Slow clients against the ops console, for hack/e2e-console-limits.sh and hack/bench-console-limits.sh.

Each of CONNECTIONS slots opens a connection, sends a partial request head and then one more byte
every BYTE_EVERY seconds, never finishing the head (slowloris). When the server closes it, the slot
waits RECONNECT_AFTER seconds and connects again, until SECONDS have passed; then no slot connects
again, and each waits up to GRACE seconds more for the server to close what it still holds. The
slots are spread over PROCESSES processes (a process may hold 20,000 descriptors here) and over the
source addresses 127.0.0.2, 127.0.0.3, ... (one per process, so that ephemeral ports last).

Prints one JSON object: connections made and failed, how many the server closed at once (shed:
within SHED_SECONDS of the connect), how many it held longer and for how long (min, max), the most
it held at once, and how many were still open when the grace ran out.

    python3 flood.py --port 4400 --connections 20000 --processes 4 --seconds 20
    python3 flood.py --port 4400 --connections 1 --byte-every 2 --seconds 0   # one slowloris
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import sys
import time

SHED_SECONDS = 2.0
HEAD = b"GET /ops HTTP/1.1\r\nHost: console\r\nX-Slow: "


async def slot(args, source: str, deadline: float, results: dict) -> None:
    give_up = deadline + args.grace
    first = True
    while first or time.monotonic() < deadline:
        first = False
        started = time.monotonic()
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(args.host, args.port, local_addr=(source, 0)), timeout=30)
        except (OSError, asyncio.TimeoutError):
            results["connect_failures"] += 1
            await asyncio.sleep(args.reconnect_after)
            continue
        results["connections"] += 1
        closed = False
        try:
            writer.write(HEAD)
            while time.monotonic() < give_up:
                try:
                    data = await asyncio.wait_for(reader.read(4096), timeout=args.byte_every)
                except asyncio.TimeoutError:
                    writer.write(b"x")
                    continue
                if data:
                    results["answered"] += 1  # a response to a head never finished: should not happen
                closed = True
                break
        except (ConnectionError, OSError):
            closed = True
        ended = time.monotonic()
        writer.close()
        if not closed:
            results["still_open"] += 1
        elif ended - started < SHED_SECONDS:
            results["shed"] += 1
        else:
            results["held"].append((round(started, 3), round(ended, 3)))
        if time.monotonic() < deadline:
            await asyncio.sleep(args.reconnect_after)


async def run_slots(args, count: int, source: str, deadline: float) -> dict:
    results = {"connections": 0, "connect_failures": 0, "shed": 0, "answered": 0, "still_open": 0, "held": []}
    await asyncio.gather(*(slot(args, source, deadline, results) for _ in range(count)))
    return results


def worker(job) -> dict:
    args, count, source, deadline = job
    return asyncio.run(run_slots(args, count, source, deadline))


def most_at_once(intervals: list[tuple[float, float]]) -> int:
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    now = best = 0
    for _, step in events:
        now += step
        best = max(best, now)
    return best


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--connections", type=int, default=20000)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20, help="reconnect until then; each slot connects once at least")
    parser.add_argument("--byte-every", type=float, default=2.0)
    parser.add_argument("--reconnect-after", type=float, default=2.0)
    parser.add_argument("--grace", type=float, default=25.0)
    args = parser.parse_args()

    processes = max(1, min(args.processes, args.connections))
    deadline = time.monotonic() + args.seconds
    jobs = [(args, args.connections // processes + (1 if i < args.connections % processes else 0), f"127.0.0.{2 + i}", deadline)
            for i in range(processes)]
    with multiprocessing.Pool(processes) as pool:
        parts = pool.map(worker, jobs)
    held = [interval for part in parts for interval in part["held"]]
    lifetimes = [end - start for start, end in held]
    report = {key: sum(part[key] for part in parts) for key in ["connections", "connect_failures", "shed", "answered", "still_open"]}
    report.update({
        "held": len(held),
        "held_min_seconds": round(min(lifetimes), 2) if lifetimes else None,
        "held_max_seconds": round(max(lifetimes), 2) if lifetimes else None,
        "held_at_once": most_at_once(held),
    })
    json.dump(report, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
