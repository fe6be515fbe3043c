"""Every object the mock cluster stored during the end-to-end suite is one a real cluster could store.

The e2e scripts, run by `hack/test.sh` with HMS_E2E_STORED set, leave the mock's `--state`
snapshot of each run in that directory. This script reads them all and checks each stored object:
- built-in kinds against the Kubernetes 1.32 JSON schemas that PyPI `kubernetes-validate` ships,
  strictly (unknown fields are errors), so that nothing the mock accepted or defaulted is a shape
  kube-apiserver would never return;
- custom resources against the CustomResourceDefinition stored beside them in the same snapshot,
  with the structural checks and cel-python rules of hack/crd-schema-check.py.
Objects of kinds neither knows (none, today) are listed as errors rather than skipped.

Usage: check-stored-objects.py DIRECTORY
"""

import functools
import glob
import importlib.util
import json
import os
import sys

import kubernetes_validate
import kubernetes_validate.utils

# The library opens and parses its schema files (the definitions file alone is megabytes) on every
# call; they cannot change during a run, so each is read once.
kubernetes_validate.utils.schema_contents = functools.lru_cache(maxsize=None)(kubernetes_validate.utils.schema_contents)

HERE = os.path.dirname(os.path.abspath(__file__))
KUBERNETES_VERSION = "1.32.0"


def crd_checker():
    spec = importlib.util.spec_from_file_location("crd_schema_check", os.path.join(HERE, "crd-schema-check.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stored_schemas(objects):
    """Kind -> (group, served version) of the CustomResourceDefinitions in one snapshot."""
    by_kind = {}
    for entry in objects:
        crd = entry["object"]
        if crd.get("kind") != "CustomResourceDefinition":
            continue
        spec = crd["spec"]
        for version in spec["versions"]:
            if version.get("storage"):
                by_kind[spec["names"]["kind"]] = (spec["group"], version)
    return by_kind


def builtin_errors(document):
    try:
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        where = ".".join(str(part) for part in error.path)
        return [f"{where}: {error.message}"]
    except kubernetes_validate.SchemaNotFoundError as error:
        return [error.message]
    return []


def main():
    directory = sys.argv[1]
    checker = crd_checker()
    snapshots = sorted(glob.glob(os.path.join(directory, "*.json")))
    if not snapshots:
        print(f"check-stored-objects: no snapshots in {directory}: the e2e scripts saved nothing")
        return 1
    checked, failures = 0, 0
    for path in snapshots:
        with open(path) as file:
            objects = json.load(file)["objects"]
        custom = stored_schemas(objects)
        for entry in objects:
            document = entry["object"]
            kind = document.get("kind")
            if kind in custom:
                errors = checker.schema_errors(document, custom)
            else:
                errors = builtin_errors(document)
            checked += 1
            if errors:
                failures += 1
                metadata = document.get("metadata", {})
                name = "/".join(part for part in (metadata.get("namespace"), metadata.get("name")) if part)
                print(f"{os.path.basename(path)}: {document.get('apiVersion')} {kind} {name}:")
                for error in errors[:5]:
                    print(f"    {error}")
    print(f"check-stored-objects: {checked} stored objects from {len(snapshots)} mock runs, {failures} a real cluster would not store")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
