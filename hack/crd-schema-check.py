"""The API server refuses what `hmsctl validate` refuses: every document of the golden invalid
manifests (Tests/ManifestsTests/golden/) and of the examples (manifests/examples/) gets the same
verdict, valid or invalid, from `hmsctl validate` and from the generated CRDs (manifests/crds/).

The CRD side is checked as the API server checks a create with kubectl's default
`--validate=strict`:
- the structural OpenAPI subset the CRDs use, implemented here (type, properties, required,
  additionalProperties, items, x-kubernetes-list-type map keys, enum, x-kubernetes-int-or-string,
  x-kubernetes-preserve-unknown-fields, minimum/maximum and their exclusive forms, pattern,
  maxLength, minItems/maxItems), with unknown fields refused (strict field validation);
- x-kubernetes-validations evaluated with cel-python (`celpy`), a CEL implementation that is not
  ours;
- the object metadata rules every resource gets (name a DNS-1123 subdomain, namespace a DNS-1123
  label, label keys and values).
Documents are read as kubectl reads them: YAML 1.1 (PyYAML), timestamps kept as strings.

Usage: crd-schema-check.py HMSCTL
"""

import glob
import json
import os
import re
import subprocess
import sys
import tempfile

import celpy
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# YAML-level errors are not schema matters: hmsctl refuses these files before any schema applies.
SKIPPED = {
    "bad-indentation.yaml": "a YAML syntax error",
    "billion-laughs.yaml": "an alias expansion bomb, refused by the YAML reader",
    "duplicate-yaml-key.yaml": "a duplicate key, which PyYAML (and go-yaml v2) silently keep the last of",
    "tab-indentation.yaml": "a YAML syntax error",
    "unclosed-quote.yaml": "a YAML syntax error",
    "crlf-line-endings.yaml": "about line endings in messages, not about a field",
    "unclosed-flow-mapping.yaml": "a YAML syntax error",
    "undefined-alias.yaml": "an undefined YAML alias",
}

# Where hmsctl is stricter than any schema can be, and the golden case is kept for its message.
# Each is a rule of ours the API server has no way to state.
STRICTER_THAN_SCHEMA = {
    "time-zone-typo.yaml": "a misspelt location in a real area (America/Chicgo): the pattern knows the areas, only tzdata knows every location",
}


class Loader(yaml.SafeLoader):
    """YAML 1.1 as kubectl reads it, but timestamps stay strings (JSON has no timestamps)."""


Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
CEL = celpy.Environment()
PROGRAMS = {}


def schemas():
    by_kind = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "manifests/crds/*.yaml"))):
        with open(path) as file:
            crd = yaml.safe_load(file)
        spec = crd["spec"]
        by_kind[spec["names"]["kind"]] = (spec["group"], spec["versions"][0])
    return by_kind


METADATA_FIELDS = {
    "name", "generateName", "namespace", "labels", "annotations", "uid", "resourceVersion", "generation",
    "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "finalizers", "ownerReferences",
    "managedFields", "selfLink",
}


def metadata_errors(metadata):
    """ObjectMeta as the API server decodes and validates it, with strict field validation."""
    errors = []
    if not isinstance(metadata, dict):
        return ["metadata: must be an object"]
    errors += [f"metadata: unknown field {name!r}" for name in metadata if name not in METADATA_FIELDS]
    annotations = metadata.get("annotations") or {}
    if not isinstance(annotations, dict) or not all(isinstance(v, str) for v in annotations.values()):
        errors.append("metadata.annotations: values must be strings")
    name = metadata.get("name")
    if not isinstance(name, str) or len(name) > 253 or not DNS1123_SUBDOMAIN.match(name):
        errors.append(f"metadata.name: {name!r} is not a DNS-1123 subdomain")
    namespace = metadata.get("namespace")
    if namespace is not None and (not isinstance(namespace, str) or len(namespace) > 63 or not DNS1123_LABEL.match(namespace)):
        errors.append(f"metadata.namespace: {namespace!r} is not a DNS-1123 label")
    labels = metadata.get("labels") or {}
    if not isinstance(labels, dict):
        return errors + ["metadata.labels: must be an object"]
    for key, value in labels.items():
        prefix, _, name = str(key).rpartition("/")
        if (prefix and (len(prefix) > 253 or not DNS1123_SUBDOMAIN.match(prefix))) or len(name) > 63 or not LABEL_NAME.match(name):
            errors.append(f"metadata.labels: bad key {key!r}")
        if not isinstance(value, str) or len(value) > 63 or (value and not LABEL_NAME.match(value)):
            errors.append(f"metadata.labels[{key}]: bad value {value!r}")
    return errors


def type_ok(schema, value):
    if schema.get("x-kubernetes-int-or-string"):
        return (isinstance(value, int) and not isinstance(value, bool)) or isinstance(value, str)
    kind = schema.get("type")
    if kind is None:
        return True
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value and abs(value) != float("inf")
    raise ValueError(f"schema type {kind} not handled")


def check(schema, value, path, errors):
    """Appends every problem with `value` against `schema`, as the API server lists them."""
    before = len(errors)
    if value is None:
        errors.append(f"{path}: must not be null")
        return
    if not type_ok(schema, value):
        errors.append(f"{path}: wrong type {type(value).__name__} for {schema.get('type', 'int-or-string')}")
        return
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not in {schema['enum']}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and (value <= schema["minimum"] if schema.get("exclusiveMinimum") else value < schema["minimum"]):
            errors.append(f"{path}: {value} below the minimum {schema['minimum']}")
        if "maximum" in schema and (value >= schema["maximum"] if schema.get("exclusiveMaximum") else value > schema["maximum"]):
            errors.append(f"{path}: {value} above the maximum {schema['maximum']}")
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            errors.append(f"{path}: shorter than {schema['minLength']}")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errors.append(f"{path}: longer than {schema['maxLength']}")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{path}: {value!r} does not match {schema['pattern']}")
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            errors.append(f"{path}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errors.append(f"{path}: more than {schema['maxItems']} items")
        if "items" in schema:
            for index, item in enumerate(value):
                check(schema["items"], item, f"{path}[{index}]", errors)
        if schema.get("x-kubernetes-list-type") == "map":
            keys = schema.get("x-kubernetes-list-map-keys", [])
            seen = set()
            for index, item in enumerate(value):
                key = json.dumps([item.get(name) if isinstance(item, dict) else None for name in keys])
                if key in seen:
                    errors.append(f"{path}[{index}]: duplicate entry for the keys {keys}")
                seen.add(key)
    if isinstance(value, dict) and not schema.get("x-kubernetes-preserve-unknown-fields"):
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                errors.append(f"{path}.{name}: required")
        for name, member in value.items():
            if name in properties:
                check(properties[name], member, f"{path}.{name}", errors)
            elif "additionalProperties" in schema:
                check(schema["additionalProperties"], member, f"{path}[{name}]", errors)
            else:
                errors.append(f"{path}: unknown field {name!r}")
    # The API server evaluates rules only on values that are well-typed below them.
    if len(errors) > before:
        return
    for validation in schema.get("x-kubernetes-validations", []):
        rule = validation["rule"]
        if rule not in PROGRAMS:
            PROGRAMS[rule] = CEL.program(CEL.compile(rule))
        try:
            result = bool(PROGRAMS[rule].evaluate({"self": celpy.json_to_cel(value)}))
        except celpy.CELEvalError as error:
            errors.append(f"{path}: {rule}: {error.args[0]}")
            continue
        if not result:
            errors.append(f"{path}: {validation['message']} ({rule})")


def schema_errors(document, by_kind):
    if not isinstance(document, dict):
        return ["not an object"]
    kind = document.get("kind")
    if kind not in by_kind:
        return [f"no CRD for kind {kind!r}"]
    group, version = by_kind[kind]
    if document.get("apiVersion") != f"{group}/{version['name']}":
        return [f"apiVersion {document.get('apiVersion')!r} is not served"]
    errors = metadata_errors(document.get("metadata"))
    root = dict(version["schema"]["openAPIV3Schema"])
    # Metadata was judged above, as the API server judges it; root rules still read its name.
    root["properties"] = dict(root["properties"], metadata={"type": "object", "x-kubernetes-preserve-unknown-fields": True})
    check(root, document, "", errors)
    return errors


def documents(text):
    """The documents of a stream as separate texts, cut at `---` lines."""
    parts, current = [], []
    for line in text.splitlines(keepends=True):
        if re.match(r"^---(\s|$)", line):
            parts.append("".join(current))
            current = [line[3:].lstrip() if line[3:].strip() else ""]
        else:
            current.append(line)
    parts.append("".join(current))
    return [part for part in parts if part.strip() and any(not l.strip().startswith("#") and l.strip() for l in part.splitlines())]


def hmsctl_verdict(hmsctl, text):
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as file:
        file.write(text)
        path = file.name
    try:
        run = subprocess.run([hmsctl, "validate", "-f", path], capture_output=True, text=True)
    finally:
        os.unlink(path)
    return run.returncode == 0, (run.stdout + run.stderr).strip()


def main():
    hmsctl = sys.argv[1]
    by_kind = schemas()
    files = sorted(glob.glob(os.path.join(ROOT, "Tests/ManifestsTests/golden/*.yaml")))
    files += sorted(glob.glob(os.path.join(ROOT, "manifests/examples/*.yaml")))
    passed = failed = skipped = 0
    for path in files:
        name = os.path.basename(path)
        if name in SKIPPED or name in STRICTER_THAN_SCHEMA:
            print(f"skip {name}: {SKIPPED.get(name) or STRICTER_THAN_SCHEMA[name]}")
            skipped += 1
            continue
        with open(path, encoding="utf-8") as file:
            text = file.read()
        for number, part in enumerate(documents(text), start=1):
            ours_valid, ours = hmsctl_verdict(hmsctl, part)
            try:
                document = yaml.load(part, Loader=Loader)
            except yaml.YAMLError as error:
                print(f"FAIL {name} document {number}: PyYAML cannot read it ({error}); list the file in SKIPPED")
                failed += 1
                continue
            errors = schema_errors(document, by_kind)
            if ours_valid == (not errors):
                passed += 1
                continue
            failed += 1
            print(f"FAIL {name} document {number}: hmsctl says {'valid' if ours_valid else 'invalid'}, the CRD says {'valid' if not errors else 'invalid'}")
            print("  hmsctl: " + (ours.replace("\n", "\n  ") or "(nothing)"))
            print("  CRD:    " + ("\n  ".join(errors) or "(nothing)"))
    print(f"crd-schemas: {passed} documents agree, {failed} disagree, {skipped} files skipped")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
