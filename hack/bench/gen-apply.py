"""Writes N ServiceSpecs and the N equivalent Deployments, for hack/bench-apply.sh.
   gen-apply.py N SERVICESPECS.yaml DEPLOYMENTS.yaml NAMESPACE"""
import sys

count, specs_path, deployments_path, namespace = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
with open(specs_path, "w") as specs, open(deployments_path, "w") as deployments:
    for index in range(count):
        name = f"svc-{index:05d}"
        specs.write(f"""---
apiVersion: ops.hms.gov/v1alpha1
kind: ServiceSpec
metadata: {{name: {name}, namespace: {namespace}, labels: {{program: bench}}}}
spec:
  image: registry.gov/bench/{name}:1.0
  replicas: 1
  resources: {{cpu: 100m, memory: 128Mi}}
""")
        deployments.write(f"""---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {namespace}, labels: {{app: {name}, program: bench}}}}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
      - name: {name}
        image: registry.gov/bench/{name}:1.0
        resources: {{requests: {{cpu: 100m, memory: 128Mi}}}}
""")
