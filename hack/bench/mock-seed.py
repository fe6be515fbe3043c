#!/usr/bin/env python3
"""Creates objects in a running hms-mock-cluster over one keep-alive connection (stdlib only).

usage: mock-seed.py URL NAMESPACE KIND COUNT [FIRST]
  KIND: deployments (replicas 0: a realistic Deployment, but no pods) or configmaps.
Creates the namespace if it is missing; names are KIND-00000, KIND-00001, ... from FIRST.
"""

import http.client
import json
import sys
import urllib.parse


def deployment(name, index):
    labels = {"app": name, "team": f"team-{index % 17}", "tier": ["web", "api", "worker"][index % 3]}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "labels": labels,
                     "annotations": {"ops.hms.gov/owner": f"owner-{index % 31}@agency.gov"}},
        "spec": {
            "replicas": 0,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{
                    "name": "main", "image": f"registry.gov/hms/{name}:1.{index % 10}.0",
                    "ports": [{"containerPort": 8080, "name": "http"}],
                    "env": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "REGION", "value": "us-east-1"}],
                    "resources": {"requests": {"cpu": "250m", "memory": "256Mi"},
                                  "limits": {"cpu": "1", "memory": "512Mi"}},
                    "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}, "periodSeconds": 10},
                }]},
            },
        },
    }


def config_map(name, index):
    return {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": name, "labels": {"app": f"app-{index % 50}", "bench": "true"}},
        "data": {"settings.yaml": f"replicas: {index % 7}\nregion: us-east-1\nfeature: {index % 2 == 0}\n",
                 "owner": f"owner-{index % 31}@agency.gov"},
    }


def main():
    url, namespace, kind, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    first = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    parsed = urllib.parse.urlparse(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)

    def post(path, body):
        connection.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        answer = response.read()
        return response.status, answer

    status, answer = post("/api/v1/namespaces", {"metadata": {"name": namespace}})
    if status not in (201, 409):
        sys.exit(f"creating namespace {namespace}: {status} {answer[:300]!r}")
    if kind == "deployments":
        path, make = f"/apis/apps/v1/namespaces/{namespace}/deployments", deployment
    elif kind == "configmaps":
        path, make = f"/api/v1/namespaces/{namespace}/configmaps", config_map
    else:
        sys.exit(f"unknown kind {kind}: deployments or configmaps")
    for index in range(first, first + count):
        status, answer = post(path, make(f"{kind[:-1]}-{index:05d}", index))
        if status != 201:
            sys.exit(f"creating {kind} #{index}: {status} {answer[:300]!r}")


if __name__ == "__main__":
    main()
