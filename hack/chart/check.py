"""Tests of the packaging: the Helm chart, the plain manifests generated from it, and the Dockerfile.

Renders and lints the chart offline with helm-python-sdk (Helm's Go SDK, no helm binary), validates
every rendered document with kubernetes-validate in strict mode, and checks what matters for the
controller: security context, replicas, leader election arguments, probes, least-privilege RBAC,
labels, the Service and ServiceMonitor wiring. Each property check is also run on a deliberately
broken rendering, to show that it fails when something is wrong.

    python hack/chart/check.py        # run by hack/test-chart.sh
"""

from __future__ import annotations

import copy
import pathlib
import re
import shutil
import sys
import tempfile
import traceback
from typing import Callable

import dockerfile
import helm_python as helm
import kubernetes_validate
import kubernetes_validate.utils as kv_utils
import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import render  # noqa: E402
from render import CHART, NAMESPACE, REPO, Document  # noqa: E402

CHART_META = yaml.safe_load((CHART / "Chart.yaml").read_text())
APP_VERSION = CHART_META["appVersion"]
# The oldest Kubernetes the chart supports (Chart.yaml kubeVersion) and the newest that
# kubernetes-validate knows.
MIN_KUBE = re.search(r"(\d+\.\d+\.\d+)", CHART_META["kubeVersion"]).group(1)
KUBE_VERSIONS = [MIN_KUBE, kv_utils.latest_version()]

# Kinds kubernetes-validate has no schema for, and why skipping them is acceptable.
NO_SCHEMA = {
    "ServiceMonitor": "a prometheus-operator CRD type, not part of Kubernetes; kubernetes-validate "
                      "ships no schema for it (checked structurally below instead)",
}

# Every permission the controller gets, as (API group, resource, verb, resource name or "").
# Anything rendered beyond this table, or missing from it, fails the test.
CLUSTER_RULES = set()
for resource in ["servicespecs", "autoscalerules", "budgets", "directives", "governancepolicies", "approvals"]:
    CLUSTER_RULES |= {("ops.hms.gov", resource, verb, "") for verb in ["get", "list", "watch"]}
    CLUSTER_RULES |= {("ops.hms.gov", resource + "/status", verb, "") for verb in ["patch", "update"]}
CLUSTER_RULES |= {("apps", "deployments", v, "") for v in ["get", "list", "watch", "create", "patch", "update", "delete"]}
CLUSTER_RULES |= {("apps", "deployments/scale", v, "") for v in ["get", "patch", "update"]}
CLUSTER_RULES |= {("", "services", v, "") for v in ["get", "list", "watch", "create", "patch", "delete"]}
CLUSTER_RULES |= {("", "pods", v, "") for v in ["get", "list", "watch", "delete"]}
CLUSTER_RULES |= {("", "events", v, "") for v in ["list", "watch", "create", "patch"]}
CLUSTER_RULES |= {("batch", "jobs", v, "") for v in ["get", "list", "watch", "create", "patch", "delete"]}
CLUSTER_RULES |= {("metrics.k8s.io", "pods", v, "") for v in ["get", "list"]}
CLUSTER_RULES |= {("custom.metrics.k8s.io", "*", "get", "")}
CLUSTER_RULES |= {("authentication.k8s.io", "tokenreviews", "create", ""), ("authorization.k8s.io", "subjectaccessreviews", "create", "")}
CLUSTER_RULES |= {("authorization.k8s.io", "localsubjectaccessreviews", "create", "")}
CLUSTER_RULES |= {("ops.hms.gov", "approvals", "create", "")}


def lease_rules(name: str) -> set:
    return {("coordination.k8s.io", "leases", "create", "")} | {
        ("coordination.k8s.io", "leases", v, name) for v in ["get", "update"]}


# The one wildcard allowed: per-pod custom metrics are addressed as .../pods/*/METRIC, which RBAC
# reads as the subresource METRIC of pods named "*" (a rule of "pods/*" never matches it), and the
# metric names are the users' (AutoscaleRule spec.metrics[].name). Read only, that group only.
ALLOWED_WILDCARDS = {("custom.metrics.k8s.io", "*", "get")}

# Who may reach the console in the NetworkPolicy scenario: a namespace, and pods of another.
CONSOLE_PEERS = [
    {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}},
    {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ops"}}, "podSelector": {"matchLabels": {"app": "ops-bastion"}}},
]

SCENARIOS: dict[str, dict] = {
    "defaults": {},
    "leader election off": {"leaderElection": {"enabled": False}, "replicaCount": 1},
    "ServiceMonitor on": {"serviceMonitor": {"enabled": True, "labels": {"release": "prometheus"}}},
    "every option": {
        "image": {"repository": "registry.example/platform/hms-controller", "tag": "0.1.1", "pullPolicy": "Always"},
        "imagePullSecrets": [{"name": "registry-credentials"}],
        "fullnameOverride": "hms",
        "leaderElection": {"leaseName": "hms-leader", "leaseNamespace": "kube-system", "leaseDuration": "30s",
                           "renewDeadline": "20s", "retryPeriod": "4s"},
        "logVerbosity": 4,
        "manifestsConfigMap": "hms-desired-state",
        "extraArgs": ["--once"],
        "extraEnv": [{"name": "TZ", "value": "UTC"}],
        "serviceAccount": {"name": "hms-sa", "annotations": {"example.com/role": "hms"}},
        "rbac": {"externalMetrics": ["queue_depth", "consumer_lag_seconds"]},
        "service": {"annotations": {"example.com/scrape": "true"}},
        "serviceMonitor": {"enabled": True, "namespace": "monitoring", "interval": "15s"},
        "podAnnotations": {"example.com/team": "platform"},
        "podLabels": {"team": "platform"},
        "priorityClassName": "system-cluster-critical",
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "ops", "effect": "NoSchedule"}],
        "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{
            "weight": 100, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname",
                                               "labelSelector": {"matchLabels": {"app.kubernetes.io/name": "hms-controller"}}}}]}},
    },
    "own ServiceAccount and RBAC": {"serviceAccount": {"create": False, "name": "platform-controller"}, "rbac": {"create": False}},
    "console approvers": {"console": {"approverRole": {"create": True, "subjects": [
        {"kind": "Group", "name": "program-managers", "apiGroup": "rbac.authorization.k8s.io"}]}}},
    "console TLS": {"console": {"tls": {"secretName": "hms-console-tls"}}},
    "console NetworkPolicy": {"console": {"networkPolicy": {"enabled": True, "from": CONSOLE_PEERS}}},
    "console NetworkPolicy, no peers": {"console": {"networkPolicy": {"enabled": True}}},
    "approval policy off": {"approvalPolicy": {"enabled": False}},
}

APPROVAL_POLICY_KINDS = ["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"]


class CheckFailed(AssertionError):
    pass


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


# ---------------------------------------------------------------------------------------------
# Property checks on a rendering. Each raises CheckFailed with what is wrong.


def one(documents: list[Document], kind: str) -> dict:
    found = [d.value for d in documents if d.kind == kind]
    expect(len(found) == 1, f"expected one {kind}, found {len(found)}")
    return found[0]


def container(deployment: dict) -> dict:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    expect(len(containers) == 1, f"expected one container, found {len(containers)}")
    return containers[0]


def check_labels(documents: list[Document], version: str, managed_by: str = "Helm") -> None:
    for d in documents:
        labels = d.value["metadata"].get("labels") or {}
        for key in ["app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version",
                    "app.kubernetes.io/managed-by"]:
            expect(key in labels, f"{d}: no {key} label")
        expect(labels["app.kubernetes.io/version"] == version,
               f"{d}: app.kubernetes.io/version is {labels['app.kubernetes.io/version']!r}, expected {version!r}")
        expect(labels["app.kubernetes.io/managed-by"] == managed_by,
               f"{d}: app.kubernetes.io/managed-by is {labels['app.kubernetes.io/managed-by']!r}, expected {managed_by!r}")


def check_security(documents: list[Document]) -> None:
    """The Deployment's pod meets the "restricted" Pod Security Standard, read-only root included."""
    pod = one(documents, "Deployment")["spec"]["template"]["spec"]
    c = container(one(documents, "Deployment"))
    pod_sc, sc = pod.get("securityContext") or {}, c.get("securityContext") or {}

    def effective(key):
        return sc.get(key, pod_sc.get(key))

    expect(effective("runAsNonRoot") is True, "runAsNonRoot is not true")
    expect(effective("runAsUser") not in (None, 0), f"runAsUser is {effective('runAsUser')!r}: must be a non-root uid")
    expect((effective("seccompProfile") or {}).get("type") == "RuntimeDefault", "seccompProfile is not RuntimeDefault")
    expect(sc.get("allowPrivilegeEscalation") is False, "allowPrivilegeEscalation is not false")
    expect(sc.get("readOnlyRootFilesystem") is True, "readOnlyRootFilesystem is not true")
    expect(sc.get("privileged") in (None, False), "the container is privileged")
    caps = sc.get("capabilities") or {}
    expect(caps.get("drop") == ["ALL"], f"capabilities.drop is {caps.get('drop')!r}, expected ['ALL']")
    expect(not caps.get("add"), f"capabilities are added: {caps.get('add')}")
    for key in ["hostNetwork", "hostPID", "hostIPC"]:
        expect(not pod.get(key), f"{key} is set")
    expect(not any("hostPath" in v for v in pod.get("volumes", [])), "a hostPath volume is mounted")
    # A read-only root needs writable places for what the controller writes.
    mounts = {m["mountPath"] for m in c.get("volumeMounts", [])}
    expect("/tmp" in mounts, "no writable /tmp")
    journal = next((e.get("value") for e in c.get("env", []) if e["name"] == "HMS_JOURNAL"), None)
    expect(journal is not None and str(pathlib.PurePosixPath(journal).parent) in mounts,
           f"the journal {journal!r} is not on a mounted volume")
    requests = (c.get("resources") or {}).get("requests") or {}
    expect("cpu" in requests and "memory" in requests, f"resource requests are {requests!r}: cpu and memory expected")
    expect("memory" in ((c.get("resources") or {}).get("limits") or {}), "no memory limit")


def check_deployment(documents: list[Document], *, replicas: int, leader_elect: bool, lease_name: str = "hms-controller",
                     lease_namespace: str = NAMESPACE, lease_timing: tuple[str, str, str] = ("15s", "10s", "2s"),
                     verbosity: str = "0") -> None:
    deployment = one(documents, "Deployment")
    spec = deployment["spec"]
    expect(spec["replicas"] == replicas, f"replicas is {spec['replicas']}, expected {replicas}")
    c = container(deployment)
    args = c.get("args", [])
    if leader_elect:
        duration, deadline, retry = lease_timing
        for arg in ["--leader-elect", f"--lease-name={lease_name}", f"--lease-namespace={lease_namespace}",
                    f"--leader-elect-lease-duration={duration}", f"--leader-elect-renew-deadline={deadline}",
                    f"--leader-elect-retry-period={retry}"]:
            expect(arg in args, f"args {args} lack {arg}")
    else:
        expect(not any(a.startswith(("--leader-elect", "--lease-")) for a in args), f"leader election args with it off: {args}")
    for arg in ["--identity=$(POD_NAME)", "--metrics-addr=:8080", "--health-addr=:8081", "--console-addr=:4400"]:
        expect(arg in args, f"args {args} lack {arg}")
    expect("-v" in args and args[args.index("-v") + 1] == verbosity, f"args {args} lack -v {verbosity}")
    env = {e["name"]: e for e in c.get("env", [])}
    for name, path in [("POD_NAME", "metadata.name"), ("POD_NAMESPACE", "metadata.namespace")]:
        field = env.get(name, {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath")
        expect(field == path, f"env {name} is not the downward API's {path} (found {env.get(name)})")
    ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
    expect(ports == {"metrics": 8080, "health": 8081, "console": 4400}, f"container ports are {ports}")
    for probe, path in [("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")]:
        get = (c.get(probe) or {}).get("httpGet") or {}
        expect(get.get("path") == path and get.get("port") in ("health", 8081),
               f"{probe} is {c.get(probe)!r}: expected GET {path} on the health port")
    labels = spec["template"]["metadata"]["labels"]
    selector = spec["selector"]["matchLabels"]
    expect(selector == {"app.kubernetes.io/name": "hms-controller", "app.kubernetes.io/instance": render.RELEASE},
           f"selector is {selector}")
    expect(all(labels.get(k) == v for k, v in selector.items()), "the pod template does not match the selector")
    sa_name = spec["template"]["spec"].get("serviceAccountName")
    accounts = [d.value["metadata"]["name"] for d in documents if d.kind == "ServiceAccount"]
    expect(not accounts or accounts == [sa_name], f"pods run as {sa_name!r}, the chart creates {accounts}")


def rules_of(role: dict) -> set:
    out = set()
    for rule in role.get("rules", []):
        expect("nonResourceURLs" not in rule, f"{role['metadata']['name']}: nonResourceURLs granted")
        for group in rule.get("apiGroups", []):
            for resource in rule.get("resources", []):
                for verb in rule.get("verbs", []):
                    wildcard = "*" in group or "*" in verb or "*" in resource
                    expect(not wildcard or (group, resource, verb) in ALLOWED_WILDCARDS,
                           f"{role['kind']} {role['metadata']['name']}: wildcard in apiGroup {group!r}, resource "
                           f"{resource!r} or verb {verb!r}")
                    for name in rule.get("resourceNames") or [""]:
                        out.add((group, resource, verb, name))
    return out


def check_rbac(documents: list[Document], *, leader_elect: bool = True, lease_name: str = "hms-controller",
               lease_namespace: str = NAMESPACE, external_metrics: tuple = ()) -> None:
    cluster_role = one(documents, "ClusterRole")
    expected = set(CLUSTER_RULES) | {("external.metrics.k8s.io", m, v, "") for m in external_metrics for v in ["get", "list"]}
    granted = rules_of(cluster_role)
    expect(granted == expected, f"ClusterRole grants more than the controller uses: {sorted(granted - expected)}; "
           f"lacks: {sorted(expected - granted)}")
    deployment = one(documents, "Deployment")
    sa = deployment["spec"]["template"]["spec"]["serviceAccountName"]
    subject = {"kind": "ServiceAccount", "name": sa, "namespace": deployment["metadata"]["namespace"]}
    binding = one(documents, "ClusterRoleBinding")
    expect(binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                  "name": cluster_role["metadata"]["name"]}, f"ClusterRoleBinding roleRef {binding['roleRef']}")
    expect(binding["subjects"] == [subject], f"ClusterRoleBinding subjects {binding['subjects']}, expected [{subject}]")
    roles = [d.value for d in documents if d.kind == "Role"]
    bindings = [d.value for d in documents if d.kind == "RoleBinding"]
    if not leader_elect:
        expect(not roles and not bindings, "a Role for leader election with leader election off")
        return
    expect(len(roles) == 1 and len(bindings) == 1, f"expected one Role and one RoleBinding, found {len(roles)}, {len(bindings)}")
    role, role_binding = roles[0], bindings[0]
    expect(role["metadata"]["namespace"] == lease_namespace, f"the Role is in {role['metadata']['namespace']}, the Lease in {lease_namespace}")
    expect(rules_of(role) == lease_rules(lease_name), f"Role grants {sorted(rules_of(role))}")
    expect(role_binding["metadata"]["namespace"] == lease_namespace, "the RoleBinding is not in the lease namespace")
    expect(role_binding["roleRef"]["name"] == role["metadata"]["name"] and role_binding["roleRef"]["kind"] == "Role",
           f"RoleBinding roleRef {role_binding['roleRef']}")
    expect(role_binding["subjects"] == [subject], f"RoleBinding subjects {role_binding['subjects']}")


def check_service(documents: list[Document]) -> None:
    service = one(documents, "Service")
    deployment = one(documents, "Deployment")
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    selector = service["spec"]["selector"]
    expect(selector and all(pod_labels.get(k) == v for k, v in selector.items()),
           f"the Service selects {selector}, which the pods {pod_labels} do not match")
    container_ports = {p["name"] for p in container(deployment)["ports"]}
    ports = {p["name"]: p for p in service["spec"]["ports"]}
    expect(set(ports) == {"metrics", "console"}, f"Service ports are {sorted(ports)}")
    for p in ports.values():
        expect(p["targetPort"] in container_ports, f"Service port {p['name']} targets {p['targetPort']!r}, not a container port")


def check_service_monitor(documents: list[Document], *, namespace: str = NAMESPACE, labels: dict | None = None) -> None:
    monitor = one(documents, "ServiceMonitor")
    service = one(documents, "Service")
    expect(monitor["apiVersion"] == "monitoring.coreos.com/v1", f"apiVersion {monitor['apiVersion']}")
    expect(monitor["metadata"]["namespace"] == namespace, f"ServiceMonitor in {monitor['metadata']['namespace']}, expected {namespace}")
    for key, value in (labels or {}).items():
        expect(monitor["metadata"]["labels"].get(key) == value, f"ServiceMonitor lacks the label {key}: {value}")
    spec = monitor["spec"]
    expect(set(spec) <= {"namespaceSelector", "selector", "endpoints"}, f"unexpected fields {sorted(spec)}")
    match = spec["selector"]["matchLabels"]
    expect(all(service["metadata"]["labels"].get(k) == v for k, v in match.items()),
           f"the ServiceMonitor selects {match}; the Service's labels are {service['metadata']['labels']}")
    expect(service["metadata"]["namespace"] in spec["namespaceSelector"]["matchNames"],
           f"namespaceSelector {spec['namespaceSelector']} misses the Service's namespace")
    port_names = {p["name"] for p in service["spec"]["ports"]}
    expect(len(spec["endpoints"]) == 1, "expected one endpoint")
    endpoint = spec["endpoints"][0]
    expect(endpoint["port"] in port_names and endpoint["path"] == "/metrics",
           f"endpoint {endpoint} is not the Service's metrics port and /metrics")
    expect(set(endpoint) <= {"port", "path", "interval", "scrapeTimeout"}, f"unexpected endpoint fields {sorted(endpoint)}")
    for key in ["interval", "scrapeTimeout"]:
        expect(re.fullmatch(r"(\d+(ms|s|m|h))+", endpoint[key]) is not None, f"{key} {endpoint[key]!r} is not a Prometheus duration")


def check_console_tls(documents: list[Document], *, secret: str | None) -> None:
    """--console-tls-cert and --console-tls-key name the tls.crt and tls.key of the Secret's
    volume, mounted read-only as a directory (kubelet never updates a subPath mount: no reload)."""
    deployment = one(documents, "Deployment")
    c = container(deployment)
    flags = dict(a.split("=", 1) for a in c.get("args", []) if a.startswith("--console-tls-"))
    secret_volumes = [v for v in deployment["spec"]["template"]["spec"].get("volumes", []) if "secret" in v]
    if secret is None:
        expect(not flags and not secret_volumes, f"TLS without a Secret: flags {flags}, volumes {secret_volumes}")
        return
    expect(set(flags) == {"--console-tls-cert", "--console-tls-key"}, f"TLS flags {flags}: both expected")
    expect(len(secret_volumes) == 1 and secret_volumes[0]["secret"]["secretName"] == secret, f"Secret volumes {secret_volumes}")
    volume = secret_volumes[0]
    mounts = [m for m in c.get("volumeMounts", []) if m["name"] == volume["name"]]
    expect(len(mounts) == 1 and mounts[0].get("readOnly") is True, f"the Secret is mounted as {mounts}: once, read-only expected")
    expect("subPath" not in mounts[0], "the Secret is mounted with subPath: kubelet would never update the files")
    items = {i["key"]: i["path"] for i in volume["secret"].get("items") or []} or {"tls.crt": "tls.crt", "tls.key": "tls.key"}
    for flag, key in [("--console-tls-cert", "tls.crt"), ("--console-tls-key", "tls.key")]:
        expected = f"{mounts[0]['mountPath']}/{items.get(key)}"
        expect(flags[flag] == expected, f"{flag}={flags[flag]}, but the Secret's {key} is at {expected}")


def check_network_policy(documents: list[Document], *, peers: list | None) -> None:
    """Off: no policy. On: it selects the controller's pods, for ingress only; the console port admits
    exactly `peers` (none: no rule for it); metrics and health stay open to every peer."""
    policies = [d.value for d in documents if d.kind == "NetworkPolicy"]
    if peers is None:
        expect(not policies, f"a NetworkPolicy with it off: {policies}")
        return
    policy = one(documents, "NetworkPolicy")
    deployment = one(documents, "Deployment")
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    selector = policy["spec"]["podSelector"].get("matchLabels") or {}
    expect(selector and all(pod_labels.get(k) == v for k, v in selector.items()),
           f"the NetworkPolicy selects {selector}, which the controller's pods {pod_labels} do not match")
    expect(policy["spec"].get("policyTypes") == ["Ingress"], f"policyTypes {policy['spec'].get('policyTypes')}: egress must be left alone")
    number_to_name = {p["containerPort"]: p["name"] for p in container(deployment)["ports"]}
    open_to_all: set = set()
    console_peers: list = []
    for rule in policy["spec"].get("ingress") or []:
        ports = {number_to_name.get(p.get("port"), p.get("port")) for p in rule.get("ports") or []}
        expect(ports, f"a rule without ports admits to every port: {rule}")
        if not rule.get("from"):
            open_to_all |= ports
        elif "console" in ports:
            console_peers += rule["from"]
    expect("console" not in open_to_all, "the console port is open to every peer")
    expect({"metrics", "health"} <= open_to_all, f"metrics and health are not open to every peer: {sorted(open_to_all)}")
    expect(console_peers == peers, f"the console admits {console_peers}, expected {peers}")


def check_approval_policy(documents: list[Document]) -> None:
    """The ValidatingAdmissionPolicy on Approvals and its Deny binding: on create, spec.approvedBy
    is the requesting user, spec.approverGroups among theirs, and that user may `approve`
    approvals.ops.hms.gov in the namespace; on update, spec does not change. The one exception is
    the controller's own ServiceAccount (the console writes for users it has checked)."""
    policy = one(documents, "ValidatingAdmissionPolicy")
    binding = one(documents, "ValidatingAdmissionPolicyBinding")
    expect(policy["apiVersion"] == binding["apiVersion"] == "admissionregistration.k8s.io/v1",
           f"apiVersions {policy['apiVersion']}, {binding['apiVersion']}: admissionregistration.k8s.io/v1 expected")
    spec = policy["spec"]
    expect(spec.get("failurePolicy") == "Fail", f"failurePolicy {spec.get('failurePolicy')!r}: an error must refuse, not admit")
    rules = spec["matchConstraints"]["resourceRules"]
    expect(rules == [{"apiGroups": ["ops.hms.gov"], "apiVersions": ["*"], "operations": ["CREATE", "UPDATE"], "resources": ["approvals"]}],
           f"the policy matches {rules}: creates and updates of approvals.ops.hms.gov expected")
    expressions = [v["expression"] for v in spec["validations"]]
    required = {
        "the writer is the approver": "object.spec.approvedBy == request.userInfo.username",
        "groups are the writer's": "object.spec.approverGroups.all(g, g in request.userInfo.groups)",
        "the writer may approve": "authorizer.group('ops.hms.gov').resource('approvals').namespace(request.namespace).check('approve').allowed()",
        "immutable": "request.operation != 'UPDATE' || object.spec == oldObject.spec",
    }
    for what, expression in required.items():
        expect(any(expression in e for e in expressions), f"no validation says {what} ({expression})")
    for e in expressions:
        if "oldObject" not in e:
            expect(e.startswith("request.operation != 'CREATE' || variables.console || "), f"a create rule that applies to updates too, or not to everyone: {e}")
    deployment = one(documents, "Deployment")
    account = f"system:serviceaccount:{deployment['metadata']['namespace']}:{deployment['spec']['template']['spec']['serviceAccountName']}"
    console = [v["expression"] for v in spec.get("variables", []) if v["name"] == "console"]
    expect(console == [f"request.userInfo.username == '{account}'"], f"the console's exception is {console}, expected the controller's account {account}")
    expect(binding["spec"]["policyName"] == policy["metadata"]["name"], f"the binding names {binding['spec']['policyName']}")
    expect(binding["spec"].get("validationActions") == ["Deny"], f"validationActions {binding['spec'].get('validationActions')}: [Deny] expected")
    expect("matchResources" not in binding["spec"], "the binding narrows the policy to some namespaces")


def validate_documents(documents: list[Document], report: Callable[[str], None]) -> None:
    """kubernetes-validate --strict, for each supported Kubernetes version."""
    errors = []
    for d in documents:
        if d.kind in NO_SCHEMA:
            report(f"skip kubernetes-validate of {d}: {NO_SCHEMA[d.kind]}")
            continue
        for version in KUBE_VERSIONS:
            try:
                kubernetes_validate.validate(d.value, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                path = ".".join(str(p) for p in error.path)
                errors.append(f"{d} against {version}: {path}: {error.message}")
            except kv_utils.SchemaNotFoundError as error:
                errors.append(f"{d}: no schema to validate it against ({error.message})")
    expect(not errors, "kubernetes-validate --strict:\n    " + "\n    ".join(errors))


def lint(values: dict, chart_dir: pathlib.Path = CHART) -> list[str]:
    """helm lint --strict: its errors and warnings (strict fails on warnings too)."""
    report = helm.lint(str(chart_dir), values, strict=True, namespace=NAMESPACE)
    return [f"[{'INFO WARNING ERROR'.split()[m['severity'] - 1] if 1 <= m['severity'] <= 3 else 'UNKNOWN'}] "
            f"{m['path']}: {m['error']}" for m in report["messages"] if m["severity"] != 1] + list(report.get("errors") or [])


# ---------------------------------------------------------------------------------------------
# The runner.


class Runner:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def run(self, name: str, body: Callable[[Callable[[str], None]], None]) -> None:
        notes: list[str] = []
        try:
            body(notes.append)
        except Exception as error:  # noqa: BLE001 - every failure is reported the same way
            self.failed += 1
            message = str(error) if isinstance(error, (CheckFailed, helm.HelmError)) else traceback.format_exc()
            print(f"FAIL {name}\n    {message}")
        else:
            self.passed += 1
            print(f"ok   {name}")
        for note in notes:
            print(f"     {note}")

    def expect_failure(self, name: str, check: Callable[[], None], contains: str) -> None:
        """A check run on something broken on purpose must fail, with the message expected."""
        def body(_):
            try:
                check()
            except CheckFailed as error:
                expect(contains in str(error), f"failed, but with {str(error)!r}, not {contains!r}")
            else:
                raise CheckFailed("the check passed on a broken input")
        self.run(f"catches: {name}", body)


def mutated(documents: list[Document], kind: str, change: Callable[[dict], None]) -> list[Document]:
    out = []
    for d in documents:
        d2 = copy.copy(d)
        d2.value = copy.deepcopy(d.value)
        if d.kind == kind:
            change(d2.value)
        out.append(d2)
    return out


def main() -> int:
    print(f"helm-python-sdk {helm.__version__} (Helm SDK {helm.helm_sdk_version()}, libhelm_c {helm.helm_c_version()}); "
          f"kubernetes-validate {kubernetes_validate.__version__} "
          f"against Kubernetes {', '.join(KUBE_VERSIONS)}")
    r = Runner()
    rendered: dict[str, list[Document]] = {}

    # Every scenario: lint, render, validate, then its own properties.
    for scenario, values in SCENARIOS.items():
        def lint_body(_, values=values):
            problems = lint(values)
            expect(not problems, "helm lint --strict:\n    " + "\n    ".join(problems))
        r.run(f"[{scenario}] helm lint --strict", lint_body)

        def render_body(note, scenario=scenario, values=values):
            documents, notes = render.render(values)
            rendered[scenario] = documents
            note("rendered: " + ", ".join(f"{d.kind}/{d.name}" for d in documents))
            expect(f"namespace {NAMESPACE}" in notes, "NOTES.txt does not name the namespace")
            validate_documents(documents, note)
        r.run(f"[{scenario}] render, kubernetes-validate --strict", render_body)

    defaults = rendered.get("defaults", [])

    def kinds(scenario, expected):
        def body(_):
            found = sorted(d.kind for d in rendered[scenario])
            expect(found == sorted(expected), f"rendered {found}, expected {sorted(expected)}")
        return body

    base = ["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Service", "Deployment"] + APPROVAL_POLICY_KINDS
    r.run("[defaults] objects", kinds("defaults", base))
    r.run("[defaults] labels", lambda _: check_labels(defaults, APP_VERSION))
    r.run("[defaults] security context", lambda _: check_security(defaults))
    r.run("[defaults] Deployment: 2 replicas, leader election, probes, downward API",
          lambda _: check_deployment(defaults, replicas=2, leader_elect=True))
    r.run("[defaults] image is the appVersion", lambda _: expect(
        container(one(defaults, "Deployment"))["image"] == f"hms-controller:{APP_VERSION}",
        f"image {container(one(defaults, 'Deployment'))['image']}"))
    r.run("[defaults] RBAC: least privilege, no wildcards", lambda _: check_rbac(defaults))
    r.run("[defaults] Service", lambda _: check_service(defaults))
    r.run("[defaults] Approvals: bound to their writer, who may approve; immutable (admission policy)",
          lambda _: check_approval_policy(defaults))
    r.run("[defaults] kubeVersion is at least 1.30 (ValidatingAdmissionPolicy is GA there)", lambda _: expect(
        tuple(int(x) for x in MIN_KUBE.split(".")[:2]) >= (1, 30), f"kubeVersion {CHART_META['kubeVersion']}"))
    r.run("[every option] the approval policy exempts the renamed account", lambda _: check_approval_policy(rendered.get("every option", [])))
    r.run("[approval policy off] objects", kinds("approval policy off", [k for k in base if k not in APPROVAL_POLICY_KINDS]))

    off = rendered.get("leader election off", [])
    r.run("[leader election off] objects", kinds("leader election off", [k for k in base if k not in ("Role", "RoleBinding")]))
    r.run("[leader election off] Deployment", lambda _: check_deployment(off, replicas=1, leader_elect=False))
    r.run("[leader election off] RBAC", lambda _: check_rbac(off, leader_elect=False))

    def refuses_two_without_election(_):
        try:
            render.render({"leaderElection": {"enabled": False}})
        except helm.HelmRenderError as error:
            expect("replicaCount > 1 needs leaderElection.enabled" in str(error), f"failed with {error}")
        else:
            raise CheckFailed("rendered 2 replicas without leader election")
    r.run("[leader election off] 2 replicas are refused", refuses_two_without_election)

    monitor = rendered.get("ServiceMonitor on", [])
    r.run("[ServiceMonitor on] objects", kinds("ServiceMonitor on", base + ["ServiceMonitor"]))
    r.run("[ServiceMonitor on] ServiceMonitor scrapes the metrics port",
          lambda _: check_service_monitor(monitor, labels={"release": "prometheus"}))

    every = rendered.get("every option", [])
    r.run("[every option] objects", kinds("every option", base + ["ServiceMonitor"]))
    r.run("[every option] labels", lambda _: check_labels(every, "0.1.1"))
    r.run("[every option] security context", lambda _: check_security(every))
    r.run("[every option] Deployment", lambda _: check_deployment(
        every, replicas=2, leader_elect=True, lease_name="hms-leader", lease_namespace="kube-system",
        lease_timing=("30s", "20s", "4s"), verbosity="4"))
    r.run("[every option] RBAC: Lease in its namespace, external metrics by name", lambda _: check_rbac(
        every, lease_name="hms-leader", lease_namespace="kube-system", external_metrics=("queue_depth", "consumer_lag_seconds")))
    r.run("[every option] Service", lambda _: check_service(every))
    r.run("[every option] ServiceMonitor", lambda _: check_service_monitor(every, namespace="monitoring"))

    def every_option_details(_):
        deployment = one(every, "Deployment")
        c = container(deployment)
        pod = deployment["spec"]["template"]["spec"]
        expect(c["image"] == "registry.example/platform/hms-controller:0.1.1" and c["imagePullPolicy"] == "Always", f"image {c['image']}")
        expect(c["args"][-1] == "--once", f"extra args not last: {c['args']}")
        expect("--manifests=/etc/hms-controller/manifests" in c["args"], "no --manifests")
        mount = next((m for m in c["volumeMounts"] if m["mountPath"] == "/etc/hms-controller/manifests"), None)
        volume = next((v for v in pod["volumes"] if mount and v["name"] == mount["name"]), None)
        expect(volume == {"name": "manifests", "configMap": {"name": "hms-desired-state"}}, f"manifests volume {volume}")
        expect({"name": "TZ", "value": "UTC"} in c["env"], "extra env missing")
        expect(pod["serviceAccountName"] == "hms-sa", f"serviceAccountName {pod['serviceAccountName']}")
        expect(one(every, "ServiceAccount")["metadata"]["annotations"] == {"example.com/role": "hms"}, "SA annotations")
        expect(pod["imagePullSecrets"] == [{"name": "registry-credentials"}], "imagePullSecrets")
        expect(pod["priorityClassName"] == "system-cluster-critical", "priorityClassName")
        expect(pod["nodeSelector"] == {"kubernetes.io/os": "linux"} and len(pod["tolerations"]) == 1 and "podAntiAffinity" in pod["affinity"],
               "scheduling options missing")
        expect(deployment["spec"]["template"]["metadata"]["labels"].get("team") == "platform", "pod labels")
        expect(deployment["spec"]["template"]["metadata"]["annotations"] == {"example.com/team": "platform"}, "pod annotations")
        expect(all(d.name.startswith("hms") for d in every), "fullnameOverride not used")
    r.run("[every option] values reach the pod", every_option_details)

    own = rendered.get("own ServiceAccount and RBAC", [])
    r.run("[own ServiceAccount and RBAC] objects", kinds("own ServiceAccount and RBAC", ["Service", "Deployment"] + APPROVAL_POLICY_KINDS))
    r.run("[own ServiceAccount and RBAC] the approval policy exempts the given account", lambda _: check_approval_policy(own))
    r.run("[own ServiceAccount and RBAC] pods run as the given account", lambda _: expect(
        one(own, "Deployment")["spec"]["template"]["spec"]["serviceAccountName"] == "platform-controller", "serviceAccountName"))

    approvers = rendered.get("console approvers", [])
    r.run("[console approvers] objects", kinds("console approvers", base + ["ClusterRole", "ClusterRoleBinding"]))

    def approver_role(_):
        role = next((d.value for d in approvers if d.kind == "ClusterRole" and d.name.endswith("-approver")), None)
        expect(role is not None, "no approver ClusterRole")
        expect(role["rules"] == [{"apiGroups": ["ops.hms.gov"], "resources": ["approvals"], "verbs": ["approve"]}],
               f"approver rules {role['rules']}")
        binding = next((d.value for d in approvers if d.kind == "ClusterRoleBinding" and d.name.endswith("-approver")), None)
        expect(binding is not None and binding["roleRef"]["name"] == role["metadata"]["name"], "approver binding roleRef")
        expect(binding["subjects"] == [{"kind": "Group", "name": "program-managers", "apiGroup": "rbac.authorization.k8s.io"}],
               f"approver subjects {binding['subjects']}")
        # The controller's own role is unchanged by it.
        controller = [d for d in approvers if not d.name.endswith("-approver")]
        check_rbac(controller)
    r.run("[console approvers] a ClusterRole with only the approve verb, bound to the listed subjects", approver_role)

    r.run("[defaults] no console TLS, no NetworkPolicy", lambda _: (
        check_console_tls(defaults, secret=None), check_network_policy(defaults, peers=None)))
    tls = rendered.get("console TLS", [])
    r.run("[console TLS] objects", kinds("console TLS", base))
    r.run("[console TLS] the Secret's files are the flags' files, mounted read-only", lambda _: check_console_tls(tls, secret="hms-console-tls"))
    r.run("[console TLS] Deployment and security context unchanged otherwise", lambda _: (
        check_deployment(tls, replicas=2, leader_elect=True), check_security(tls)))
    policy = rendered.get("console NetworkPolicy", [])
    r.run("[console NetworkPolicy] objects", kinds("console NetworkPolicy", base + ["NetworkPolicy"]))
    r.run("[console NetworkPolicy] the console from the listed peers only; metrics and health open",
          lambda _: check_network_policy(policy, peers=CONSOLE_PEERS))
    r.run("[console NetworkPolicy, no peers] no peer reaches the console",
          lambda _: check_network_policy(rendered.get("console NetworkPolicy, no peers", []), peers=[]))

    # The CRDs: Helm installs the chart's crds/, which must be manifests/crds/ byte for byte.
    def crds_identical(_):
        ours = sorted(p.name for p in (REPO / "manifests" / "crds").glob("*.yaml"))
        chart_files = sorted(p.name for p in (CHART / "crds").iterdir())
        expect(ours and chart_files == ours, f"charts/hms-controller/crds has {chart_files}, manifests/crds has {ours}")
        for name in ours:
            expect((CHART / "crds" / name).read_bytes() == (REPO / "manifests" / "crds" / name).read_bytes(),
                   f"charts/hms-controller/crds/{name} differs from manifests/crds/{name}: run hack/gen-crds.sh")
        loaded = render.chart_crds()
        expect([name for name, _ in loaded] == ours, f"Helm loads the CRDs {[n for n, _ in loaded]}")
    r.run("CRDs: chart crds/ identical to manifests/crds/", crds_identical)

    def crds_valid(note):
        documents = [d for name, text in render.chart_crds() for d in render.split_documents(name, text)]
        expect(len(documents) == 6 and all(d.kind == "CustomResourceDefinition" for d in documents), f"CRDs: {documents}")
        validate_documents(documents, note)
    r.run("CRDs: kubernetes-validate --strict", crds_valid)

    # The plain manifests are the chart rendered with default values.
    def generated_current(_):
        files = render.generated_files()
        stale = [p for p, content in files.items() if not (REPO / p).is_file() or (REPO / p).read_text() != content]
        extra = [f"manifests/rbac/{p.name}" for p in (REPO / "manifests" / "rbac").glob("*")
                 if f"manifests/rbac/{p.name}" not in files]
        expect(not stale and not extra, f"stale: {stale}, not generated: {extra}: run hack/gen-install.sh")
    r.run("manifests/install.yaml and manifests/rbac/ are current", generated_current)

    def install_manifest(note):
        text = (REPO / "manifests" / "install.yaml").read_text()
        documents = render.split_documents("manifests/install.yaml", text)
        order = [d.kind for d in documents]
        expect(order == ["Namespace"] + ["CustomResourceDefinition"] * 6 + base,
               f"install.yaml holds {order}")
        expect(documents[0].value["metadata"]["labels"].get("pod-security.kubernetes.io/enforce") == "restricted",
               "the namespace does not enforce the restricted Pod Security Standard")
        namespaced = [d for d in documents if d.kind not in ("Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", *APPROVAL_POLICY_KINDS)]
        expect(all(d.value["metadata"]["namespace"] == NAMESPACE for d in namespaced), "an object outside hms-system")
        expect("helm.sh/chart" not in text, "Helm labels left in the plain manifests")
        objects = [d for d in documents if d.kind not in ("Namespace", "CustomResourceDefinition")]
        check_labels(objects, APP_VERSION, managed_by="kubectl")
        check_security(objects)
        check_deployment(objects, replicas=2, leader_elect=True)
        check_rbac(objects)
        check_service(objects)
        check_approval_policy(objects)
        validate_documents(documents, note)
    r.run("manifests/install.yaml: what it holds, kubernetes-validate --strict", install_manifest)

    # The checks themselves: each fails on a rendering broken on purpose.
    def with_verbs(rule_index, verbs):
        def change(role):
            role["rules"][rule_index]["verbs"] = verbs
        return change
    r.expect_failure("a wildcard verb", lambda: check_rbac(mutated(defaults, "ClusterRole", with_verbs(0, ["*"]))), "wildcard")
    r.expect_failure("a wildcard resource", lambda: check_rbac(mutated(
        defaults, "ClusterRole", lambda role: role["rules"].append({"apiGroups": [""], "resources": ["*"], "verbs": ["get"]}))), "wildcard")
    r.expect_failure("a wildcard API group", lambda: check_rbac(mutated(
        defaults, "Role", lambda role: role["rules"][0].update(apiGroups=["*"]))), "wildcard")
    r.expect_failure("reading Secrets", lambda: check_rbac(mutated(
        defaults, "ClusterRole", lambda role: role["rules"].append({"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}))),
        "('', 'secrets', 'get', '')")
    r.expect_failure("a missing permission", lambda: check_rbac(mutated(defaults, "ClusterRole", with_verbs(0, ["get", "list"]))),
                     "lacks")
    r.expect_failure("Leases in every namespace", lambda: check_rbac(mutated(
        defaults, "Role", lambda role: role["metadata"].update(namespace="default"))), "the Lease in hms-system")
    r.expect_failure("a writable root filesystem", lambda: check_security(mutated(
        defaults, "Deployment", lambda d: d["spec"]["template"]["spec"]["containers"][0]["securityContext"].update(readOnlyRootFilesystem=False))),
        "readOnlyRootFilesystem")
    r.expect_failure("privilege escalation", lambda: check_security(mutated(
        defaults, "Deployment", lambda d: d["spec"]["template"]["spec"]["containers"][0]["securityContext"].pop("allowPrivilegeEscalation"))),
        "allowPrivilegeEscalation")
    r.expect_failure("running as root", lambda: check_security(mutated(
        defaults, "Deployment", lambda d: (d["spec"]["template"]["spec"]["securityContext"].update(runAsUser=0),
                                           d["spec"]["template"]["spec"]["containers"][0]["securityContext"].pop("runAsNonRoot"),
                                           d["spec"]["template"]["spec"]["securityContext"].pop("runAsNonRoot")))),
        "runAsNonRoot")
    r.expect_failure("a capability kept", lambda: check_security(mutated(
        defaults, "Deployment", lambda d: d["spec"]["template"]["spec"]["containers"][0]["securityContext"]["capabilities"].update(drop=["NET_RAW"]))),
        "capabilities.drop")
    r.expect_failure("one replica", lambda: check_deployment(mutated(
        defaults, "Deployment", lambda d: d["spec"].update(replicas=1)), replicas=2, leader_elect=True), "replicas is 1")
    r.expect_failure("no --leader-elect", lambda: check_deployment(mutated(
        defaults, "Deployment", lambda d: d["spec"]["template"]["spec"]["containers"][0]["args"].remove("--leader-elect")),
        replicas=2, leader_elect=True), "lack --leader-elect")
    r.expect_failure("a liveness probe on the wrong path", lambda: check_deployment(mutated(
        defaults, "Deployment", lambda d: d["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGet"].update(path="/")),
        replicas=2, leader_elect=True), "livenessProbe")
    r.expect_failure("a Service port aimed at no container port", lambda: check_service(mutated(
        defaults, "Service", lambda s: s["spec"]["ports"][0].update(targetPort="http"))), "not a container port")
    r.expect_failure("an unknown field (strict validation)", lambda: validate_documents(mutated(
        defaults, "Deployment", lambda d: d["spec"]["template"]["spec"]["containers"][0].update(readOnlyRootFS=True)), lambda _: None),
        "readOnlyRootFS")
    r.expect_failure("a string where an integer goes", lambda: validate_documents(mutated(
        defaults, "Deployment", lambda d: d["spec"].update(replicas="2")), lambda _: None), "replicas")
    r.expect_failure("a kind with no schema", lambda: validate_documents(mutated(
        defaults, "Service", lambda s: s.update(kind="Servic")), lambda _: None), "no schema")
    r.expect_failure("a missing label", lambda: check_labels(mutated(
        defaults, "Service", lambda s: s["metadata"]["labels"].pop("app.kubernetes.io/instance")), APP_VERSION), "app.kubernetes.io/instance")
    def validation(index, change):
        def apply(policy):
            change(policy["spec"]["validations"], index)
        return apply
    r.expect_failure("an approval policy without the immutability rule", lambda: check_approval_policy(mutated(
        defaults, "ValidatingAdmissionPolicy", validation(-1, lambda v, i: v.pop(i)))), "immutable")
    r.expect_failure("an approval policy without the approve check", lambda: check_approval_policy(mutated(
        defaults, "ValidatingAdmissionPolicy", lambda p: p["spec"]["validations"].pop(2))), "may approve")
    r.expect_failure("an approval policy whose create rules bind updates too", lambda: check_approval_policy(mutated(
        defaults, "ValidatingAdmissionPolicy", validation(0, lambda v, i: v[i].update(
            expression=v[i]["expression"].replace("request.operation != 'CREATE' || ", ""))))), "applies to updates too")
    r.expect_failure("an approval policy that exempts another account", lambda: check_approval_policy(mutated(
        defaults, "ValidatingAdmissionPolicy", lambda p: p["spec"]["variables"][0].update(
            expression="request.userInfo.username == 'system:serviceaccount:default:default'"))), "the console's exception")
    r.expect_failure("an approval policy that only warns", lambda: check_approval_policy(mutated(
        defaults, "ValidatingAdmissionPolicyBinding", lambda b: b["spec"].update(validationActions=["Warn"]))), "validationActions")
    r.expect_failure("an approval policy that fails open", lambda: check_approval_policy(mutated(
        defaults, "ValidatingAdmissionPolicy", lambda p: p["spec"].update(failurePolicy="Ignore"))), "failurePolicy")
    r.expect_failure("a ServiceMonitor selecting nothing", lambda: check_service_monitor(mutated(
        monitor, "ServiceMonitor", lambda m: m["spec"]["selector"]["matchLabels"].update({"app.kubernetes.io/name": "other"}))), "selects")

    def console_rule(change):
        def apply(policy):
            change(next(rule for rule in policy["spec"]["ingress"] if any(p["port"] == "console" for p in rule["ports"])))
        return apply
    r.expect_failure("a NetworkPolicy that opens the console to every peer", lambda: check_network_policy(mutated(
        policy, "NetworkPolicy", console_rule(lambda rule: rule.pop("from"))), peers=CONSOLE_PEERS), "open to every peer")
    r.expect_failure("a NetworkPolicy that closes the health port", lambda: check_network_policy(mutated(
        policy, "NetworkPolicy", lambda p: p["spec"]["ingress"][0]["ports"].pop(1)), peers=CONSOLE_PEERS), "metrics and health")
    r.expect_failure("a NetworkPolicy that selects other pods", lambda: check_network_policy(mutated(
        policy, "NetworkPolicy", lambda p: p["spec"]["podSelector"]["matchLabels"].update({"app.kubernetes.io/name": "other"})),
        peers=CONSOLE_PEERS), "do not match")
    r.expect_failure("a TLS flag naming a file outside the Secret", lambda: check_console_tls(mutated(
        tls, "Deployment", lambda d: d["spec"]["template"]["spec"]["containers"][0]["args"].__setitem__(
            d["spec"]["template"]["spec"]["containers"][0]["args"].index("--console-tls-key=/etc/hms-controller/console-tls/tls.key"),
            "--console-tls-key=/tmp/tls.key")), secret="hms-console-tls"), "--console-tls-key=/tmp/tls.key")
    r.expect_failure("the TLS Secret mounted with subPath", lambda: check_console_tls(mutated(
        tls, "Deployment", lambda d: next(m for m in d["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
                                          if m["name"] == "console-tls").update(subPath="tls.crt")), secret="hms-console-tls"), "subPath")

    def broken_chart(_):
        with tempfile.TemporaryDirectory() as tmp:
            copy_dir = pathlib.Path(tmp) / "hms-controller"
            shutil.copytree(CHART, copy_dir)
            service = copy_dir / "templates" / "service.yaml"
            service.write_text(service.read_text().replace("{{ .Values.service.type }}", "{{ .Values.service.type "))
            problems = lint({}, copy_dir)
            expect(any("service.yaml" in p for p in problems), f"helm lint found {problems} in a template with a syntax error")
    r.run("catches: helm lint reports a broken template", broken_chart)

    # The Dockerfile, parsed with buildkit's own parser.
    def dockerfile_body(_):
        commands = dockerfile.parse_file(str(REPO / "Dockerfile"))
        known = {"FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME", "USER",
                 "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL"}
        unknown = [c.original for c in commands if c.cmd.upper() not in known]
        expect(not unknown, f"unknown instructions: {unknown}")
        args = {c.value[0].split("=", 1)[0]: c.value[0].split("=", 1)[1] for c in commands if c.cmd.upper() == "ARG" and "=" in c.value[0]}
        stages = [c for c in commands if c.cmd.upper() == "FROM"]
        expect(len(stages) == 2, f"expected a builder and a runtime stage, found {len(stages)}")
        builder = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), stages[0].value[0])
        runtime = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), stages[1].value[0])
        expect(builder.startswith("swift:") and stages[0].value[1:] == ("AS", "builder"), f"builder stage {stages[0].original}")
        expect(re.match(r"(debian|ubuntu):.*", runtime) is not None, f"runtime {runtime} is not Debian or Ubuntu")
        runtime_start = stages[1].start_line
        build_runs = " ".join(c.value[0] for c in commands if c.cmd.upper() == "RUN" and c.start_line < runtime_start)
        runtime_runs = " ".join(c.value[0] for c in commands if c.cmd.upper() == "RUN" and c.start_line > runtime_start)
        for package in ["libyaml-dev", "libcurl4-openssl-dev"]:
            expect(package in build_runs, f"the builder does not install {package}")
        expect(re.search(r"swift build -c release --product hms-controller --static-swift-stdlib", build_runs) is not None,
               "no static release build of hms-controller")
        for package in ["libyaml-0-2", "libcurl4", "ca-certificates", "tzdata"]:
            expect(re.search(rf"\b{re.escape(package)}\b", runtime_runs) is not None, f"the runtime does not install {package}")
        copies = [c for c in commands if c.cmd.upper() == "COPY" and c.start_line > runtime_start]
        expect(any("--from=builder" in c.flags for c in copies), "the runtime copies nothing from the builder")
        users = [c.value[0] for c in commands if c.cmd.upper() == "USER" and c.start_line > runtime_start]
        expect(users and users[-1].split(":")[0] == "65532", f"the runtime runs as {users}, not uid 65532")
        entry = [c for c in commands if c.cmd.upper() == "ENTRYPOINT"]
        expect(len(entry) == 1 and entry[0].json and entry[0].value == ("/usr/local/bin/hms-controller",),
               f"ENTRYPOINT {entry[0].original if entry else None} is not the binary in exec form")
        ignore = (REPO / ".dockerignore").read_text()
        expect("*" in ignore.splitlines() and "!Sources/" in ignore and "**/.build" in ignore, ".dockerignore lets build products in")
    r.run("Dockerfile: two stages, static Swift build, slim runtime, uid 65532", dockerfile_body)

    summary = f"{r.passed} passed, {r.failed} failed"
    print(f"chart: {summary}")
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
