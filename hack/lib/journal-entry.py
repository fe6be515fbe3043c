"""Prints the last journal entry with a given verdict, as a person reads it.
   journal-entry.py VERDICT JOURNAL      (VERDICT: HOLD, CLAMP, DENY, ... or "id" to print its id)"""
import json
import sys

verdict, path = sys.argv[1], sys.argv[2]
# Decisions only: intent lines ("intent") and incidents ("incident") have no result.
entries = [e for e in (json.loads(line) for line in open(path) if line.strip()) if "result" in e]
if verdict == "id-of-HOLD":
    print([e for e in entries if e["finalVerdict"] == "HOLD"][-1]["id"])
    sys.exit(0)
matching = [e for e in entries if e["finalVerdict"] == verdict or any(g["verdict"] == verdict for g in e["gates"])]
if not matching:
    sys.exit(1)
entry = matching[-1]
asked = f" (asked for {entry['requested']})" if entry.get("requested") else ""
print(f"  {entry['verb']} {entry['target']['name']} {entry['from']} -> {entry['to']}{asked}: "
      f"{entry['finalVerdict']}, {entry['result']} ({entry['id']})")
for gate in entry["gates"]:
    print(f"    {gate['gate']}: {gate['verdict']} {gate['reason']}")
