"""Our CEL interpreter (Sources/CEL, through hms-cel-eval) against cel-python (`celpy`), a CEL
implementation not ours: every expression of Tests/CELTests/corpus.json, and every
`x-kubernetes-validations` rule of the CRDs (manifests/crds/) applied to each value it governs in
the examples (manifests/examples/) and the golden manifests (Tests/ManifestsTests/golden/), get
the same verdict from both: the same value of the same type, or an error from both.

cel-python lacks Kubernetes' string and list extensions (lowerAscii, split, join, ...). They are
given to it here, written from cel-go's ext/strings.go and Kubernetes' library/lists.go; cases
that use them are counted apart ("with the script's extensions"), since there the two sides do not
share nothing. Cases where cel-python is known to differ from cel-go (the CEL that Kubernetes runs)
say so in the corpus (`celpy`: why); they are reported, not failed, and a stale note is an error.

Usage: cel-crosscheck.py HMS_CEL_EVAL
"""

import glob
import importlib.util
import json
import os
import re
import subprocess
import sys

import celpy
from celpy import celtypes
import re2
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
spec = importlib.util.spec_from_file_location("crd_schema_check", os.path.join(ROOT, "hack/crd-schema-check.py"))
crd_schema_check = importlib.util.module_from_spec(spec)
spec.loader.exec_module(crd_schema_check)


def code_points(text):
    return list(text)


def ext_index_of(text, part, start=None, last=False):
    if start is None:
        start = len(text) if last else 0
    if start < 0 or start > len(text):
        raise ValueError("index out of range")
    if last:
        return celtypes.IntType(text.rfind(part, 0, start + len(part)))
    return celtypes.IntType(text.find(part, start))


def ext_split(text, separator, limit=-1):
    if limit == 0:
        return celtypes.ListType([])
    if separator == "":
        pieces = list(text) if limit < 0 else list(text[: limit - 1]) + ([text[limit - 1 :]] if len(text) >= limit else [])
    else:
        pieces = text.split(separator, -1 if limit < 0 else limit - 1)
    return celtypes.ListType([celtypes.StringType(p) for p in pieces])


def ext_replace(text, old, new, limit=-1):
    if old == "":
        limit = len(text) + 1 if limit < 0 else limit
        out = []
        for index, char in enumerate(list(text) + [""]):
            out.append((new if index < limit else "") + char)
        return celtypes.StringType("".join(out))
    return celtypes.StringType(text.replace(old, new, limit if limit >= 0 else -1))


def ext_substring(text, start, end=None):
    end = len(text) if end is None else end
    if start < 0 or start > len(text) or end < 0 or end > len(text) or start > end:
        raise ValueError("index out of range")
    return celtypes.StringType(text[start:end])


def ext_char_at(text, index):
    if index < 0 or index > len(text):
        raise ValueError("index out of range")
    return celtypes.StringType(text[index : index + 1])


def regex_find(text, pattern, limit=-1):
    """Kubernetes' find/findAll, with RE2 itself (google-re2, which cel-python runs `matches` with)."""
    found = [match.group(0) for match in re2.finditer(pattern, text)]
    return found if limit < 0 else found[:limit]


def list_or_string(list_function, string_function):
    def call(target, *args):
        return list_function(target, *args) if isinstance(target, list) else string_function(target, *args)
    return call


def ext_join(items, separator=""):
    if not all(isinstance(item, str) for item in items):
        raise TypeError("join: not only strings")
    return celtypes.StringType(separator.join(items))


def ext_sum(items):
    if not items:
        return celtypes.IntType(0)
    total = items[0]
    for item in items[1:]:
        total = total + item
    return total


def ext_min_max(pick):
    def call(items):
        if not items:
            raise ValueError("empty list")
        return pick(items)
    return call


EXTENSIONS = {
    "lowerAscii": lambda s: celtypes.StringType("".join(c.lower() if "A" <= c <= "Z" else c for c in s)),
    "upperAscii": lambda s: celtypes.StringType("".join(c.upper() if "a" <= c <= "z" else c for c in s)),
    "trim": lambda s: celtypes.StringType(s.strip()),
    "charAt": ext_char_at,
    "indexOf": list_or_string(lambda l, x: celtypes.IntType(l.index(x) if x in l else -1), ext_index_of),
    "lastIndexOf": list_or_string(
        lambda l, x: celtypes.IntType(len(l) - 1 - l[::-1].index(x) if x in l else -1),
        lambda s, part, start=None: ext_index_of(s, part, start, last=True)),
    "split": ext_split,
    "replace": ext_replace,
    "substring": ext_substring,
    "join": ext_join,
    "find": lambda text, pattern: celtypes.StringType((regex_find(text, pattern) or [""])[0]),
    "findAll": lambda text, pattern, limit=-1: celtypes.ListType([celtypes.StringType(m) for m in regex_find(text, pattern, limit)]),
    "isSorted": lambda items: celtypes.BoolType(all(a <= b for a, b in zip(items, items[1:]))),
    "sum": ext_sum,
    "min": ext_min_max(min),
    "max": ext_min_max(max),
}
EXTENSION_CALL = re.compile(r"\.(" + "|".join(EXTENSIONS) + r")\(")
CEL = celpy.Environment()


def celpy_verdict(case):
    """cel-python's verdict as hms-cel-eval writes ours: value (with type), error or refused."""
    try:
        program = CEL.program(CEL.compile(case["expression"]), functions=EXTENSIONS)
    except celpy.CELParseError as error:
        return {"verdict": "refused", "message": str(error).splitlines()[0]}
    activation = {name: celpy.json_to_cel(value) for name, value in case.get("variables", {}).items()}
    try:
        result = program.evaluate(activation)
    except Exception as error:  # celpy raises assorted Python errors for CEL errors
        return {"verdict": "error", "message": f"{type(error).__name__}: {str(error)[:200]}"}
    if isinstance(result, celpy.CELEvalError):
        return {"verdict": "error", "message": str(result)[:200]}
    return {"verdict": "value", "type": type_name(result), "value": to_json(result)}


def type_name(value):
    names = [
        (celtypes.BoolType, "bool"), (celtypes.IntType, "int"), (celtypes.UintType, "uint"),
        (celtypes.DoubleType, "double"), (celtypes.StringType, "string"), (celtypes.BytesType, "bytes"),
        (celtypes.ListType, "list"), (celtypes.MapType, "map"), (celtypes.DurationType, "google.protobuf.Duration"),
        (celtypes.TimestampType, "google.protobuf.Timestamp"), (celtypes.TypeType, "type"),
    ]
    if value is None:
        return "null_type"
    for kind, name in names:
        if isinstance(value, kind):
            return name
    # Some operations answer plain Python values.
    plain = [(bool, "bool"), (int, "int"), (float, "double"), (str, "string"), (bytes, "bytes"), (list, "list"), (dict, "map")]
    return next((name for kind, name in plain if isinstance(value, kind)), type(value).__name__)


def to_json(value):
    import base64
    if value is None or isinstance(value, (celtypes.BoolType, bool)):
        return None if value is None else bool(value)
    if isinstance(value, bytes):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, celtypes.DurationType):
        return {"seconds": value.total_seconds()}
    if isinstance(value, celtypes.TimestampType):
        return {"seconds": value.timestamp()}
    if isinstance(value, float):
        return float(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return str(value)


def ours_normalized(verdict):
    """Durations and timestamps as seconds, as to_json writes cel-python's."""
    if verdict.get("verdict") != "value":
        return verdict
    if verdict["type"] == "google.protobuf.Duration":
        text = verdict["value"]
        return dict(verdict, value={"seconds": float(text[:-1])})
    if verdict["type"] == "google.protobuf.Timestamp":
        from datetime import datetime
        stamp = datetime.fromisoformat(verdict["value"].replace("Z", "+00:00"))
        return dict(verdict, value={"seconds": stamp.timestamp()})
    return verdict


def same_json(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b or float(a) == float(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    return a == b


def agree(ours, theirs):
    ours = ours_normalized(ours)
    if ours["verdict"] == "value" or theirs["verdict"] == "value":
        return ours["verdict"] == theirs["verdict"] == "value" and ours["type"] == theirs["type"] and same_json(ours["value"], theirs["value"])
    return True  # both refuse or fail: the messages differ by design


def rule_cases():
    """Each CRD rule with each value it governs in the examples and golden manifests."""
    by_kind = crd_schema_check.schemas()
    files = sorted(glob.glob(os.path.join(ROOT, "Tests/ManifestsTests/golden/*.yaml")))
    files += sorted(glob.glob(os.path.join(ROOT, "manifests/examples/*.yaml")))
    cases, seen = [], set()
    for path in files:
        if os.path.basename(path) in crd_schema_check.SKIPPED:
            continue
        with open(path, encoding="utf-8") as file:
            text = file.read()
        for part in crd_schema_check.documents(text):
            try:
                document = yaml.load(part, Loader=crd_schema_check.Loader)
            except yaml.YAMLError:
                continue
            if not isinstance(document, dict) or document.get("kind") not in by_kind:
                continue
            schema = by_kind[document["kind"]][1]["schema"]["openAPIV3Schema"]
            collect(schema, document, os.path.basename(path), cases, seen)
    return cases


def collect(schema, value, source, cases, seen):
    if value is None:
        return
    for validation in schema.get("x-kubernetes-validations", []):
        key = (validation["rule"], json.dumps(value, sort_keys=True, default=str))
        if key not in seen:
            seen.add(key)
            cases.append({"expression": validation["rule"], "variables": {"self": value}, "source": source})
    if isinstance(value, dict):
        for name, member in value.items():
            if name in schema.get("properties", {}):
                collect(schema["properties"][name], member, source, cases, seen)
            elif isinstance(schema.get("additionalProperties"), dict):
                collect(schema["additionalProperties"], member, source, cases, seen)
    elif isinstance(value, list) and "items" in schema:
        for item in value:
            collect(schema["items"], item, source, cases, seen)


def main():
    with open(os.path.join(ROOT, "Tests/CELTests/corpus.json"), encoding="utf-8") as file:
        corpus = json.load(file)["cases"]
    rules = rule_cases()
    cases = corpus + rules
    run = subprocess.run([sys.argv[1]], input=json.dumps({"cases": cases}), capture_output=True, text=True, check=True)
    ours = json.loads(run.stdout)
    counts = {"agree": 0, "agree-ext": 0, "known": 0, "disagree": 0, "stale": 0}
    for case, our in zip(cases, ours):
        theirs = celpy_verdict(case)
        same = agree(our, theirs)
        label = case["expression"] if "source" not in case else f"{case['source']}: {case['expression']}"
        if "celpy" in case:
            counts["known" if not same else "stale"] += 1
            if same:
                print(f"STALE note (the two agree now): {label}")
            continue
        if same:
            counts["agree-ext" if EXTENSION_CALL.search(case["expression"]) else "agree"] += 1
            continue
        counts["disagree"] += 1
        print(f"DISAGREE {label}\n  ours:   {json.dumps(our)}\n  celpy:  {json.dumps(theirs)}")
    print(f"cel-crosscheck: {len(corpus)} corpus expressions, {len(rules)} CRD rule applications; "
          f"{counts['agree']} agree, {counts['agree-ext']} agree with the script's extensions, "
          f"{counts['known']} known differences of cel-python, {counts['disagree']} disagree, {counts['stale']} stale notes")
    sys.exit(1 if counts["disagree"] or counts["stale"] else 0)


if __name__ == "__main__":
    main()
