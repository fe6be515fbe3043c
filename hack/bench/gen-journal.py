#!/usr/bin/env python3
"""Writes a decision journal of realistic lines, as hms-controller writes them (Journal.entry).

usage: gen-journal.py FILE MEGABYTES
Lines one second apart, the last one now: an intent followed by its decision (done), held
scale-ups (HOLD, not carried out), clamped ones, deferred updates, now and then a Directive's
incident; 200 services in 10 namespaces. Every intent is completed, so the controller's recovery
has nothing to do. About 650 bytes a line; 1,000 MB in about 15 s.
"""

import json
import sys
import time

path, megabytes = sys.argv[1], float(sys.argv[2])
limit = int(megabytes * 1_000_000)


def ref(kind, namespace, name):
    return {"kind": kind, "namespace": namespace, "name": name}


def members(verb_key, verb, namespace, name, frm, to, requested, reason, cost, gates, verdict):
    # The members in Journal.decisionMembers' order; time and id are filled in per line.
    return {
        "time": "%(time)s", "actor": "hms-controller-7d9f6c5b8-x2k4q", "id": "%(id)s", verb_key: verb,
        "source": ref("ServiceSpec", namespace, name), "target": ref("Deployment", namespace, name),
        "from": frm, "to": to, "requested": requested, "reason": reason, "costDeltaUSDPerHour": cost,
        "gates": [{"gate": g, "verdict": v, "reason": r} for g, v, r in gates], "finalVerdict": verdict,
    }


def template(entry):
    return json.dumps(entry, separators=(",", ":")).replace("%", "%%").replace("%%(time)s", "%(time)s").replace("%%(id)s", "%(id)s")


budget_ok = ("budget", "ALLOW", "projected $1,840.22 of $2,500.00 this month")
policy_ok = ("governance", "ALLOW", "within policy default/standard")
templates = []  # (lines, new id per group)
for index in range(200):
    namespace, name = f"agency-{index % 10}", f"svc-{index:03d}-api"
    scale = members("verb", "scale", namespace, name, "3", "4", "4",
                    "autoscale: http_rps 212.4/s per pod over target 150/s (AutoscaleRule svc-api)", 0.0416,
                    [budget_ok, policy_ok], "ALLOW")
    intent = members("intent", "scale", namespace, name, "3", "4", "4", scale["reason"], 0.0416, [budget_ok, policy_ok], "ALLOW")
    done = dict(scale, result="done")
    held = members("verb", "scale", namespace, name, "4", "12", "12", "manifest: replicas 12", 0.3328,
                   [budget_ok, ("governance", "HOLD", "[max-replicas] 12 replicas need an Approval (limit 8)")], "HOLD")
    held["result"] = "not carried out (HOLD)"
    clamp = members("verb", "scale", namespace, name, "4", "6", "9", "autoscale: cpu 91% over target 70%", 0.0832,
                    [("budget", "CLAMP", "9 replicas would project $2,712.40 over the $2,500.00 limit; 6 fit"), policy_ok], "CLAMP")
    clamp["result"] = "done"
    deferred = members("verb", "update", namespace, name, "registry.gov/hms/svc:1.4.0", "registry.gov/hms/svc:1.5.0", None,
                       "manifest: image changed", 0.0, [budget_ok, ("governance", "DEFER", "freeze window end-of-quarter until 2026-12-01T00:00:00Z")], "DEFER")
    deferred["result"] = "not carried out (DEFER)"
    templates.append(("%s\n%s\n" % (template(intent), template(done)), 2))
    templates.append((template(held) + "\n", 1))
    templates.append((template(clamp) + "\n", 1))
    templates.append((template(deferred) + "\n", 1))
    if index % 20 == 0:
        incident = {"time": "%(time)s", "actor": "hms-controller-7d9f6c5b8-x2k4q", "incident": "SLOAtRisk",
                    "source": ref("Directive", namespace, "nightly-dispatch"), "run": "20261126-0200",
                    "message": "3 of 1000 jobs left; at the current rate the run finishes 4m after its SLO deadline 02:30"}
        templates.append((template(incident) + "\n", 1))

sample = {"time": "2026-11-26T10:00:00Z", "id": "act-0123456789abcdef"}
average = sum(len(t % sample) for t, _ in templates) / sum(n for _, n in templates)
lines = int(limit / average) + 1
now = int(time.time())
start = now - lines
second = start
days = {}
written = 0
with open(path, "w") as out:
    chunk = []
    number = 0
    while written < limit:
        text, count = templates[number % len(templates)]
        day, within = divmod(second, 86400)
        if day not in days:
            days[day] = time.strftime("%Y-%m-%dT", time.gmtime(day * 86400))
        stamp = "%s%02d:%02d:%02dZ" % (days[day], within // 3600, within // 60 % 60, within % 60)
        line = text % {"time": stamp, "id": "act-%016x" % (number * 2654435761 % (1 << 64))}
        chunk.append(line)
        written += len(line)
        second += count
        number += 1
        if len(chunk) >= 4096:
            out.write("".join(chunk))
            chunk = []
    out.write("".join(chunk))
print(f"{path}: {written / 1e6:.1f} MB, {number:,} groups of lines")
