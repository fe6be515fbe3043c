#!/usr/bin/env python3
"""What most people use to read manifests: PyYAML's CSafeLoader (libyaml underneath), building
every document into Python objects. usage: pyyaml-load.py FILE"""
import sys

import yaml

if not yaml.__with_libyaml__:
    sys.exit("pyyaml-load.py: this PyYAML has no libyaml (CSafeLoader): the comparison would be unfair")

with open(sys.argv[1], "rb") as f:
    docs = list(yaml.load_all(f, Loader=yaml.CSafeLoader))
print(f"{len(docs)} documents")
