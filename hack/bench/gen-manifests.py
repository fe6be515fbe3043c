#!/usr/bin/env python3
"""Write a multi-document YAML stream of valid hms resources, for the decode benchmark.

usage: gen-manifests.py [COUNT] [OUTPUT] [SEED]     (defaults: 10000, stdout, 2027)

ServiceSpecs, AutoscaleRules, Budgets and Directives, mixed 4:3:1:2, shaped like
manifests/examples/: block style with some flow mappings, comments, quoted and plain scalars.
Every AutoscaleRule targets a ServiceSpec in its namespace, names are unique per kind and
namespace, and every document passes `hmsctl validate`. Standard library only.
"""
import random
import sys

PROGRAMS = [  # namespace, agency, program
    ("student-aid", "ed-fsa", "student-aid"), ("hud-relief", "hud", "relief-payments"),
    ("power", "swpa", "power-dispatch"), ("passports", "state", "passports"),
    ("medicare-claims", "cms", "medicare"), ("va-benefits", "va", "disability-benefits"),
    ("irs-refunds", "irs", "refunds"), ("snap", "usda-fns", "snap"),
    ("fema-grants", "fema", "individual-assistance"), ("ssa-payments", "ssa", "retirement"),
    ("noaa-alerts", "noaa", "weather-alerts"), ("uscis-cases", "uscis", "case-status"),
]
SERVICES = ["eligibility-api", "claims-intake", "payment-router", "case-status", "notify",
            "fraud-screen", "doc-scanner", "identity-proof", "ledger-sync", "appeals",
            "address-verify", "photo-validator", "rate-quote", "forms-render", "search"]
WORKERS = ["power-worker:2.1", "batch-runner:1.7", "report-builder:0.9", "ach-file:3.2"]
TZS = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "UTC"]
COMMENTS = ["# baseline when no AutoscaleRule targets it", "# requests per replica",
            "# owner: program office", "# reviewed for FY2027", "# see runbook RB-12"]
CPU = ["100m", "250m", "500m", "750m", "1500m", '"1"', '"2"']
MEM = ["128Mi", "256Mi", "512Mi", "1Gi", "2Gi", "3Gi"]
PATTERN = "SASDSABSAD"  # ServiceSpec, AutoscaleRule, Budget, Directive


def meta(r, kind, name, prog, extra=""):
    ns, agency, program = prog
    note = f"{r.choice(COMMENTS)}\n" if r.random() < 0.3 else ""
    return (f"---\n{note}apiVersion: ops.hms.gov/v1alpha1\nkind: {kind}\nmetadata:\n"
            f"  name: {name}\n  namespace: {ns}\n  labels:\n    agency: {agency}\n"
            f"    program: {program}\n    fiscalYear: \"{r.choice([2026, 2027, 2028])}\"\n{extra}")


def resources(r, indent):
    cpu, mem = r.choice(CPU), r.choice(MEM)
    if r.random() < 0.5:
        return f"{indent}resources: {{cpu: {cpu}, memory: {mem}}}\n"
    return f"{indent}resources:\n{indent}  cpu: {cpu}\n{indent}  memory: {mem}\n"


def service(r, name, prog, group):
    extra = f"    group: {group}\n"
    if r.random() < 0.2:
        extra += (f"  annotations:\n    ops.hms.gov/owner: \"{prog[1]} {name} team\"\n"
                  "    ops.hms.gov/description: |\n"
                  f"      {name} serves the {prog[2]} program of {prog[1]}.\n"
                  "      Changes go through the program's change board.\n")
    s = meta(r, "ServiceSpec", name, prog, extra)
    s += f"spec:\n  image: registry.gov/{prog[1]}/{name.rsplit('-', 1)[0]}:{r.randint(0, 9)}.{r.randint(0, 30)}\n"
    s += f"  replicas: {r.randint(1, 12)}   {r.choice(COMMENTS)}\n  port: {r.choice([8080, 8443, 9000, 3000])}\n"
    s += resources(r, "  ")
    s += "  env:\n"
    for k in r.sample(["MODE", "LOG_LEVEL", "REGION", "TIMEOUT_MS", "FEATURE_FLAGS"], r.randint(1, 4)):
        v = {"MODE": "strict", "LOG_LEVEL": "info", "REGION": "us-east",
             "TIMEOUT_MS": f'"{r.randint(100, 5000)}"', "FEATURE_FLAGS": '"a,b,c"'}[k]
        s += (f"  - {{name: {k}, value: {v}}}\n" if r.random() < 0.5
              else f"  - name: {k}\n    value: {v}\n")
    s += (f"  healthCheck: {{path: /health, periodSeconds: {r.randint(3, 30)}, "
          f"failureThreshold: {r.randint(1, 5)}}}\n")
    if r.random() < 0.1:
        s += "  paused: true        # observe and plan, never act\n"
    return s


def autoscale(r, name, prog, target):
    metrics = [f"  - type: cpu\n    targetUtilization: {r.randint(40, 90)}\n",
               f"  - type: pods\n    name: http_rps\n    targetAverageValue: {r.randint(50, 1000)}\n",
               f"  - {{type: external, name: queue_depth, "
               f"{r.choice(['targetAverageValue', 'targetValue'])}: {r.randint(10, 500)}}}\n"]
    metrics = r.sample(metrics, r.randint(1, 3))
    lo = r.randint(0 if any("external" in m for m in metrics) else 1, 4)  # scale to zero needs one
    s = meta(r, "AutoscaleRule", name, prog)
    s += f"spec:\n  target: {target}\n  minReplicas: {lo}\n  maxReplicas: {lo + r.randint(1, 30)}\n  metrics:\n"
    s += "".join(metrics)
    if r.random() < 0.5:
        s += f"  tolerance: {r.choice(['0.05', '0.1', '0.2'])}\n"
    if r.random() < 0.5:
        s += ("  behavior:\n"
              f"    scaleUp:   {{stabilizationWindowSeconds: 0, selectPolicy: Max, policies: "
              f"[{{type: Percent, value: {r.choice([50, 100, 200])}, periodSeconds: 15}}]}}\n"
              "    scaleDown:\n      stabilizationWindowSeconds: 300\n      selectPolicy: Min\n"
              f"      policies:\n      - {{type: Pods, value: {r.randint(1, 6)}, periodSeconds: 60}}\n")
    return s + f"  mode: {r.choice(['enforce', 'enforce', 'recommend'])}\n"


def budget(r, name, prog, group):
    s = meta(r, "Budget", name, prog)
    alerts = sorted(r.sample([25, 50, 75, 80, 90, 100], 3))
    return s + (f"spec:\n  selector:\n    matchLabels: {{program: {prog[2]}, group: {group}}}\n"
                f"  monthlyLimitUSD: {r.randrange(1000, 50000, 500)}\n"
                f"  pricing: {{cpuCoreHourUSD: 0.0316, memoryGiBHourUSD: 0.0042}}\n"
                f"  softLimitPercent: {r.choice([80, 85, 90, 95])}\n"
                f"  alertPercents: [{', '.join(map(str, alerts))}]\n"
                f"  enforcement: {r.choice(['enforce', 'warn'])}\n")


def directive(r, name, prog):
    h = r.randint(0, 22)
    sched = r.choice([f'"{h:02d}:{r.choice([0, 15, 30]):02d}"', f'"0 {h} * * *"', f'"30 {h} * * 1-5"'])
    s = meta(r, "Directive", name, prog)
    s += (f"spec:\n  schedule: {sched}\n  timeZone: {r.choice(TZS)}\n  template:\n"
          f"    image: registry.gov/{r.choice(WORKERS)}\n    command: [dispatch, --batch]\n")
    s += resources(r, "    ")
    s += "  jobs:\n"
    for region in r.sample(["TX", "OK", "AR", "LA", "MO", "KS", "NM", "CO"], r.randint(1, 5)):
        s += f"  - id: job-{region.lower()}\n    payload: {{region: {region}, megawatts: {r.randint(50, 900)}}}\n"
    s += (f"  retry: {{maxAttempts: {r.randint(1, 5)}, backoffSeconds: {r.choice([10, 30, 60])}, backoffMultiplier: 2}}\n"
          f"  maxRuntimeSeconds: {r.randrange(600, 7200, 300)}\n")
    if r.random() < 0.7:
        s += f"  slo: {{finishBefore: \"{(h + 1) % 24:02d}:{r.choice([0, 30]):02d}\"}}\n"
    return s + f"  catchUp: {r.choice(['none', 'latest', 'all'])}   # runs missed while down\n"


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    path = sys.argv[2] if len(sys.argv) > 2 else "-"
    r = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 2027)
    docs = ["# hms decode benchmark stream: generated by hack/bench/gen-manifests.py\n"]
    last_service = None
    for i in range(count):
        group = f"g{i // len(PATTERN)}"
        if i % len(PATTERN) == 0:
            prog = r.choice(PROGRAMS)
        kind, name = PATTERN[i % len(PATTERN)], f"{r.choice(SERVICES)}-{i}"
        if kind == "S":
            docs.append(service(r, name, prog, group))
            last_service = name
        elif kind == "A":
            docs.append(autoscale(r, f"{last_service}-scaler", prog, last_service))
        elif kind == "B":
            docs.append(budget(r, f"budget-{group}", prog, group))
        else:
            docs.append(directive(r, f"dispatch-{i}", prog))
    text = "".join(docs)
    if path == "-":
        sys.stdout.write(text)
    else:
        with open(path, "w") as f:
            f.write(text)
    print(f"{count} resources, {len(text.encode()):,} bytes ({len(text.encode()) / 1e6:.2f} MB)"
          f" -> {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
