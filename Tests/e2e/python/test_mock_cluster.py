"""The official Kubernetes Python client against a live hms-mock-cluster.

Run by hack/e2e-python.sh, which starts the mock and sets HMS_MOCK_KUBECONFIG. Every test talks
to the mock only through the client (and the mock's own /mock/v1 endpoints), and checks what came
back, including the requests the client really sent (content types, methods).
"""

import datetime
import glob
import json
import os
import re
import threading
import time
import urllib.request
import uuid

import pytest
import yaml
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
MICRO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


# MARK: - Fixtures


class SentRequests:
    """Records what the client hands to urllib3, so tests can check content types and methods."""

    def __init__(self, api_client):
        self.entries = []
        rest = api_client.rest_client
        original = rest.request

        def request(method, url, *args, **kwargs):
            headers = kwargs.get("headers")
            try:
                return original(method, url, *args, **kwargs)
            finally:
                # After the call: the client may rewrite its own Content-Type while sending.
                self.entries.append((method, url, dict(headers or {})))

        rest.request = request

    def last(self, method, path_suffix):
        for entry_method, url, headers in reversed(self.entries):
            if entry_method == method and url.split("?")[0].endswith(path_suffix):
                return url, headers
        raise AssertionError(f"no {method} …{path_suffix} was sent: {[(m, u) for m, u, _ in self.entries]}")


@pytest.fixture(scope="session")
def api_client():
    kubeconfig = os.environ.get("HMS_MOCK_KUBECONFIG")
    if not kubeconfig:
        pytest.fail("HMS_MOCK_KUBECONFIG is not set: run hack/e2e-python.sh, which starts the mock")
    configuration = client.Configuration()
    config.load_kube_config(config_file=kubeconfig, client_configuration=configuration)
    assert configuration.host.startswith("http://127.0.0.1:"), configuration.host
    return client.ApiClient(configuration)


@pytest.fixture(scope="session")
def sent(api_client):
    return SentRequests(api_client)


@pytest.fixture(scope="session")
def mock_url(api_client):
    return api_client.configuration.host


@pytest.fixture(scope="session")
def apps(api_client, sent):
    return client.AppsV1Api(api_client)


@pytest.fixture(scope="session")
def core(api_client, sent):
    return client.CoreV1Api(api_client)


@pytest.fixture(scope="session")
def namespace(core):
    name = f"py-e2e-{uuid.uuid4().hex[:6]}"
    created = core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    assert created.metadata.name == name
    assert created.status.phase == "Active"
    yield name
    core.delete_namespace(name)


def control(mock_url, method, path, body=None):
    """Calls one of the mock's /mock/v1 endpoints and returns its JSON answer."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(mock_url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def deployment(name, replicas=1, image="nginx:1.27"):
    labels = {"app": name}
    return client.V1Deployment(
        metadata=client.V1ObjectMeta(name=name, labels=labels),
        spec=client.V1DeploymentSpec(
            replicas=replicas,
            selector=client.V1LabelSelector(match_labels=labels),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels=labels),
                spec=client.V1PodSpec(containers=[client.V1Container(
                    name="main", image=image, ports=[client.V1ContainerPort(container_port=8080)])]))))


def eventually(check, timeout=15.0, interval=0.1):
    """Calls `check` until it returns something truthy; fails with its last answer."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not true after {timeout} s: last answer {result!r}")
        time.sleep(interval)


def api_error(call):
    """Runs `call`, which must fail, and returns the ApiException with its Status body decoded."""
    with pytest.raises(ApiException) as caught:
        call()
    error = caught.value
    error.status_body = json.loads(error.body) if error.body else {}
    return error


# MARK: - Deployments


def test_list_deployments_parses_into_models(apps, namespace, sent):
    created = apps.create_namespaced_deployment(namespace, deployment("web", replicas=2))
    assert created.metadata.uid and created.metadata.resource_version
    assert created.metadata.generation == 1

    listed = apps.list_namespaced_deployment(namespace)
    assert isinstance(listed, client.V1DeploymentList)
    assert int(listed.metadata.resource_version) >= int(created.metadata.resource_version)
    web = next(item for item in listed.items if item.metadata.name == "web")
    assert isinstance(web.spec.selector, client.V1LabelSelector)
    assert web.spec.selector.match_labels == {"app": "web"}
    assert isinstance(web.spec.template, client.V1PodTemplateSpec)
    assert [c.name for c in web.spec.template.spec.containers] == ["main"]
    assert web.spec.template.spec.containers[0].ports[0].container_port == 8080
    assert web.spec.replicas == 2
    assert web.spec.strategy.type == "RollingUpdate"

    # Label selectors filter, and reach the server as labelSelector.
    assert [d.metadata.name for d in apps.list_namespaced_deployment(namespace, label_selector="app=web").items] == ["web"]
    assert apps.list_namespaced_deployment(namespace, label_selector="app=nothing").items == []
    url, _ = sent.last("GET", f"/namespaces/{namespace}/deployments")
    assert "labelSelector=app%3Dnothing" in url

    # Across namespaces, and by name.
    everywhere = apps.list_deployment_for_all_namespaces()
    assert any(d.metadata.namespace == namespace and d.metadata.name == "web" for d in everywhere.items)
    assert apps.read_namespaced_deployment("web", namespace).metadata.uid == created.metadata.uid

    missing = api_error(lambda: apps.read_namespaced_deployment("no-such", namespace))
    assert missing.status == 404
    assert missing.status_body["kind"] == "Status" and missing.status_body["reason"] == "NotFound"


def test_an_invalid_deployment_is_a_422_with_causes(apps, namespace):
    invalid = deployment("web-invalid")
    invalid.spec.template.spec.containers[0].name = "Main"
    invalid.spec.template.spec.containers[0].ports[0].container_port = 99999
    error = api_error(lambda: apps.create_namespaced_deployment(namespace, invalid))
    assert error.status == 422
    assert error.status_body["reason"] == "Invalid"
    assert error.status_body["message"].startswith(
        'Deployment.apps "web-invalid" is invalid: [spec.template.spec.containers[0].name: Invalid value: "Main": '
        "a lowercase RFC 1123 label must consist of")
    causes = error.status_body["details"]["causes"]
    assert [(c["reason"], c["field"]) for c in causes] == [
        ("FieldValueInvalid", "spec.template.spec.containers[0].name"),
        ("FieldValueInvalid", "spec.template.spec.containers[0].ports[0].containerPort"),
    ]
    assert causes[1]["message"] == "Invalid value: 99999: must be between 1 and 65535, inclusive"


def test_pods_of_a_deployment_become_running_and_ready(apps, core, namespace):
    apps.create_namespaced_deployment(namespace, deployment("ready", replicas=2))

    def ready_pods():
        pods = core.list_namespaced_pod(namespace, label_selector="app=ready").items
        ready = [p for p in pods if p.status.phase == "Running"
                 and any(c.type == "Ready" and c.status == "True" for c in p.status.conditions or [])]
        return ready if len(ready) == 2 and len(pods) == 2 else None

    pods = eventually(ready_pods)
    for pod in pods:
        assert pod.metadata.name.startswith("ready-")
        owner = pod.metadata.owner_references[0]
        assert (owner.kind, owner.name, owner.controller) == ("Deployment", "ready", True)
        assert pod.status.pod_ip and pod.spec.node_name
        assert all(status.ready and status.image == "nginx:1.27" for status in pod.status.container_statuses)

    status = eventually(lambda: (lambda d: d.status if d.status.ready_replicas == 2 else None)(
        apps.read_namespaced_deployment("ready", namespace)))
    assert status.available_replicas == 2 and status.updated_replicas == 2
    assert status.observed_generation == 1
    available = next(c for c in status.conditions if c.type == "Available")
    assert available.status == "True"


# MARK: - Scale


def test_scale_with_a_strategic_merge_patch(apps, namespace, sent):
    apps.create_namespaced_deployment(namespace, deployment("scaled", replicas=1))

    scale = apps.patch_namespaced_deployment_scale("scaled", namespace, {"spec": {"replicas": 3}})
    _, headers = sent.last("PATCH", "/deployments/scaled/scale")
    assert headers["Content-Type"] == "application/strategic-merge-patch+json"
    assert isinstance(scale, client.V1Scale)
    assert scale.spec.replicas == 3
    assert scale.metadata.name == "scaled"
    assert scale.status.selector == "app=scaled"

    assert apps.read_namespaced_deployment_scale("scaled", namespace).spec.replicas == 3
    read_back = apps.read_namespaced_deployment("scaled", namespace)
    assert read_back.spec.replicas == 3
    assert read_back.metadata.generation == 2


def test_scale_read_and_replace_and_a_stale_replace_conflicts(apps, namespace, sent):
    apps.create_namespaced_deployment(namespace, deployment("replaced", replicas=2))

    # The simulation moves the Deployment's status on while its pods start, which bumps its
    # resourceVersion too: on a conflict, read again and retry, as a client's update loop does.
    for _ in range(20):
        before = apps.read_namespaced_deployment_scale("replaced", namespace)
        assert before.spec.replicas == 2
        before_version = before.metadata.resource_version
        wanted = client.V1Scale(metadata=client.V1ObjectMeta(name="replaced", namespace=namespace,
                                                             resource_version=before_version),
                                spec=client.V1ScaleSpec(replicas=4))
        try:
            after = apps.replace_namespaced_deployment_scale("replaced", namespace, wanted)
            break
        except ApiException as error:
            if error.status != 409:
                raise
    else:
        raise AssertionError("every replace of the scale conflicted")
    _, headers = sent.last("PUT", "/deployments/replaced/scale")
    assert "Content-Type" not in headers  # the client sends PUT bodies untyped; the server takes JSON
    assert after.spec.replicas == 4
    assert int(after.metadata.resource_version) > int(before_version)
    assert apps.read_namespaced_deployment("replaced", namespace).spec.replicas == 4

    # Replaying the old resourceVersion is a write based on stale data: 409, and nothing changes.
    wanted.spec.replicas = 7
    conflict = api_error(lambda: apps.replace_namespaced_deployment_scale("replaced", namespace, wanted))
    assert conflict.status == 409
    assert conflict.status_body["reason"] == "Conflict"
    assert "the object has been modified" in conflict.status_body["message"]
    assert apps.read_namespaced_deployment_scale("replaced", namespace).spec.replicas == 4


def test_json_patch_with_a_list_body(apps, namespace, sent):
    apps.create_namespaced_deployment(namespace, deployment("jsonpatched", replicas=1))

    scale = apps.patch_namespaced_deployment_scale(
        "jsonpatched", namespace, [{"op": "replace", "path": "/spec/replicas", "value": 5}])
    _, headers = sent.last("PATCH", "/deployments/jsonpatched/scale")
    assert headers["Content-Type"] == "application/json-patch+json"
    assert scale.spec.replicas == 5

    patched = apps.patch_namespaced_deployment("jsonpatched", namespace, [
        {"op": "add", "path": "/metadata/labels/tier", "value": "gold"},
        {"op": "test", "path": "/spec/replicas", "value": 5},
        {"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "nginx:1.28"},
    ])
    _, headers = sent.last("PATCH", "/deployments/jsonpatched")
    assert headers["Content-Type"] == "application/json-patch+json"
    assert patched.metadata.labels == {"app": "jsonpatched", "tier": "gold"}
    assert patched.spec.template.spec.containers[0].image == "nginx:1.28"
    assert patched.metadata.generation == 3  # the scale, then the image

    failed = api_error(lambda: apps.patch_namespaced_deployment(
        "jsonpatched", namespace, [{"op": "test", "path": "/spec/replicas", "value": 99}]))
    assert failed.status == 422
    assert apps.read_namespaced_deployment("jsonpatched", namespace).metadata.labels["tier"] == "gold"


def test_delete_answers_with_a_status_and_collects_the_pods(apps, core, namespace):
    created = apps.create_namespaced_deployment(namespace, deployment("doomed", replicas=2))
    eventually(lambda: len(core.list_namespaced_pod(namespace, label_selector="app=doomed").items) == 2)

    # For most types the client returns DELETE answers undecoded (a dict): the apiserver sends a
    # Status for some types and the object for others.
    deleted = apps.delete_namespaced_deployment("doomed", namespace)
    assert (deleted["kind"], deleted["apiVersion"], deleted["status"]) == ("Status", "v1", "Success")
    assert deleted["details"] == {"name": "doomed", "group": "apps", "kind": "deployments", "uid": created.metadata.uid}
    assert api_error(lambda: apps.read_namespaced_deployment("doomed", namespace)).status == 404
    eventually(lambda: core.list_namespaced_pod(namespace, label_selector="app=doomed").items == [])

    # Pods are among the types whose DELETE answers with the object itself.
    apps.create_namespaced_deployment(namespace, deployment("one-pod", replicas=1))
    pod = eventually(lambda: core.list_namespaced_pod(namespace, label_selector="app=one-pod").items)[0]
    deleted_pod = core.delete_namespaced_pod(pod.metadata.name, namespace)
    assert isinstance(deleted_pod, client.V1Pod) and deleted_pod.metadata.uid == pod.metadata.uid


def test_foreground_deletion_waits_for_a_blocking_dependent(apps, core, namespace):
    owner = apps.create_namespaced_deployment(namespace, deployment("fg-owner", replicas=1))
    eventually(lambda: core.list_namespaced_pod(namespace, label_selector="app=fg-owner").items)
    reference = client.V1OwnerReference(api_version="apps/v1", kind="Deployment", name="fg-owner",
                                        uid=owner.metadata.uid, block_owner_deletion=True)
    core.create_namespaced_config_map(namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(
        name="fg-held", owner_references=[reference], finalizers=["example.com/hold"])))

    apps.delete_namespaced_deployment("fg-owner", namespace, body=client.V1DeleteOptions(propagation_policy="Foreground"))
    # The owner waits, readable and marked, while its dependents are deleted.
    waiting = apps.read_namespaced_deployment("fg-owner", namespace)
    assert waiting.metadata.deletion_timestamp is not None
    assert waiting.metadata.finalizers == ["foregroundDeletion"]
    eventually(lambda: core.list_namespaced_pod(namespace, label_selector="app=fg-owner").items == [])
    assert core.read_namespaced_config_map("fg-held", namespace).metadata.deletion_timestamp is not None
    assert apps.read_namespaced_deployment("fg-owner", namespace).metadata.deletion_timestamp is not None

    # The finalizer off its last blocking dependent, the owner goes.
    core.patch_namespaced_config_map("fg-held", namespace, {"metadata": {"finalizers": None}})
    eventually(lambda: api_error(lambda: apps.read_namespaced_deployment("fg-owner", namespace)).status == 404)
    assert api_error(lambda: core.read_namespaced_config_map("fg-held", namespace)).status == 404


# MARK: - Server-side apply


def applied_deployment(name):
    """A Deployment of one nginx container, as an apply configuration."""
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                         "spec": {"containers": [{"name": "main", "image": "nginx:1.27"}]}},
        },
    }


def test_server_side_apply_creates_updates_and_dry_runs(apps, namespace, sent):
    apply = "application/apply-patch+yaml"
    manifest = applied_deployment("applied")
    created = apps.patch_namespaced_deployment("applied", namespace, manifest,
                                               field_manager="py-e2e", _content_type=apply)
    url, headers = sent.last("PATCH", "/deployments/applied")
    assert headers["Content-Type"] == apply
    assert "fieldManager=py-e2e" in url
    assert created.metadata.generation == 1 and created.spec.replicas == 1
    managers = [(f.manager, f.operation) for f in created.metadata.managed_fields]
    assert ("py-e2e", "Apply") in managers

    manifest["spec"]["replicas"] = 2
    manifest["metadata"]["labels"]["tier"] = "silver"
    updated = apps.patch_namespaced_deployment("applied", namespace, manifest,
                                               field_manager="py-e2e", _content_type=apply)
    assert updated.metadata.uid == created.metadata.uid
    assert updated.spec.replicas == 2 and updated.metadata.labels["tier"] == "silver"
    assert updated.metadata.generation == 2
    assert int(updated.metadata.resource_version) > int(created.metadata.resource_version)
    assert [f.manager for f in updated.metadata.managed_fields].count("py-e2e") == 1

    # dryRun=All answers with the would-be object and stores nothing.
    manifest["spec"]["replicas"] = 9
    dry = apps.patch_namespaced_deployment("applied", namespace, manifest, field_manager="py-e2e",
                                           dry_run="All", _content_type=apply)
    url, _ = sent.last("PATCH", "/deployments/applied")
    assert "dryRun=All" in url
    assert dry.spec.replicas == 9
    live = apps.read_namespaced_deployment("applied", namespace)
    assert live.spec.replicas == 2
    assert live.metadata.generation == 2

    # A dry-run apply of a new object creates nothing either.
    manifest["metadata"]["name"] = "never-created"
    dry_created = apps.patch_namespaced_deployment("never-created", namespace, manifest, field_manager="py-e2e",
                                                   dry_run="All", _content_type=apply)
    assert dry_created.metadata.name == "never-created"
    assert api_error(lambda: apps.read_namespaced_deployment("never-created", namespace)).status == 404

    # Apply without a field manager is invalid.
    missing_manager = api_error(lambda: apps.patch_namespaced_deployment("applied", namespace, manifest,
                                                                         _content_type=apply))
    assert missing_manager.status == 422


def test_server_side_apply_conflicts_and_force(apps, namespace):
    apply = "application/apply-patch+yaml"
    manifest = applied_deployment("contested")
    apps.patch_namespaced_deployment("contested", namespace, manifest, field_manager="hms-controller", _content_type=apply)
    manifest["spec"]["replicas"] = 3
    conflict = api_error(lambda: apps.patch_namespaced_deployment("contested", namespace, manifest,
                                                                  field_manager="py-e2e", _content_type=apply))
    assert conflict.status == 409
    assert conflict.status_body["reason"] == "Conflict"
    assert conflict.status_body["message"] == 'Apply failed with 1 conflict: conflict with "hms-controller": .spec.replicas'
    assert conflict.status_body["details"]["causes"] == [
        {"type": "FieldManagerConflict", "message": 'conflict with "hms-controller"', "field": ".spec.replicas"}]

    forced = apps.patch_namespaced_deployment("contested", namespace, manifest, field_manager="py-e2e",
                                              force=True, _content_type=apply)
    assert forced.spec.replicas == 3
    owners = {f.manager: f.fields_v1 for f in forced.metadata.managed_fields}
    assert "f:replicas" in owners["py-e2e"]["f:spec"]
    assert "f:replicas" not in owners["hms-controller"]["f:spec"]
    assert owners["py-e2e"]["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"main"}']["."] == {}



def test_server_side_apply_to_the_scale_subresource(apps, namespace):
    apply = "application/apply-patch+yaml"
    apps.patch_namespaced_deployment("scale-owned", namespace, applied_deployment("scale-owned"),
                                     field_manager="hms-controller", _content_type=apply)
    scale = {"apiVersion": "autoscaling/v1", "kind": "Scale",
             "metadata": {"name": "scale-owned", "namespace": namespace}, "spec": {"replicas": 4}}
    conflict = api_error(lambda: apps.patch_namespaced_deployment_scale("scale-owned", namespace, scale,
                                                                        field_manager="keda", _content_type=apply))
    assert conflict.status == 409
    assert conflict.status_body["message"] == 'Apply failed with 1 conflict: conflict with "hms-controller": .spec.replicas'
    assert conflict.status_body["details"]["causes"] == [
        {"type": "FieldManagerConflict", "message": 'conflict with "hms-controller"', "field": ".spec.replicas"}]

    forced = apps.patch_namespaced_deployment_scale("scale-owned", namespace, scale, field_manager="keda",
                                                    force=True, _content_type=apply)
    assert isinstance(forced, client.V1Scale) and forced.spec.replicas == 4
    live = apps.read_namespaced_deployment("scale-owned", namespace)
    assert live.spec.replicas == 4
    owners = {(f.manager, f.operation, f.subresource): f for f in live.metadata.managed_fields}
    keda = owners[("keda", "Apply", "scale")]
    assert keda.fields_v1 == {"f:spec": {"f:replicas": {}}} and keda.api_version == "apps/v1" and keda.time is None
    assert "f:replicas" not in owners[("hms-controller", "Apply", None)].fields_v1["f:spec"]

    # A strategic merge patch through /scale is an update of that subresource.
    apps.patch_namespaced_deployment_scale("scale-owned", namespace, {"spec": {"replicas": 2}}, field_manager="py-scale")
    owners = {(f.manager, f.operation, f.subresource) for f in apps.read_namespaced_deployment("scale-owned", namespace).metadata.managed_fields}
    assert ("py-scale", "Update", "scale") in owners and ("keda", "Apply", "scale") not in owners


def test_at_most_ten_update_managers(core, namespace):
    core.create_namespaced_config_map(namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="crowded"),
                                                                    data={"k0": "v"}), field_manager="m0")
    for index in range(1, 12):
        core.patch_namespaced_config_map("crowded", namespace, {"data": {f"k{index}": "v"}}, field_manager=f"m{index}")
    entries = core.read_namespaced_config_map("crowded", namespace).metadata.managed_fields
    assert len(entries) == 10
    assert all(entry.operation == "Update" for entry in entries)
    ancient = [entry for entry in entries if entry.manager == "ancient-changes"]
    assert len(ancient) == 1 and ancient[0].api_version == "v1"
    # Every key is still owned, by its writer or by the bucket.
    owned = set()
    for entry in entries:
        owned.update(entry.fields_v1["f:data"].keys())
    assert {f"f:k{index}" for index in range(12)} <= owned


# MARK: - Watch


def test_watch_sees_added_and_modified(apps, namespace):
    start = apps.list_namespaced_deployment(namespace).metadata.resource_version
    apps.create_namespaced_deployment(namespace, deployment("watched", replicas=0))

    def modify_later():
        time.sleep(0.5)
        apps.patch_namespaced_deployment("watched", namespace, {"metadata": {"labels": {"seen": "yes"}}})

    modifier = threading.Thread(target=modify_later)
    modifier.start()
    seen = []
    stream = watch.Watch()
    try:
        for event in stream.stream(apps.list_namespaced_deployment, namespace, resource_version=start,
                                   timeout_seconds=10):
            obj = event["object"]
            assert isinstance(obj, client.V1Deployment)
            if obj.metadata.name != "watched":
                continue
            seen.append((event["type"], (obj.metadata.labels or {}).get("seen")))
            if event["type"] == "MODIFIED" and (obj.metadata.labels or {}).get("seen") == "yes":
                stream.stop()
    finally:
        modifier.join()
    assert seen[0] == ("ADDED", None)
    assert seen[-1] == ("MODIFIED", "yes")
    assert int(stream.resource_version) > int(start)

    # Without a resourceVersion a watch starts with every current object as ADDED. The namespace is
    # shared with the other tests, whose Deployments may still be rolling out: an object's later
    # changes may follow as MODIFIED, but its first event is ADDED.
    first = {}
    for event in watch.Watch().stream(apps.list_namespaced_deployment, namespace, timeout_seconds=1):
        first.setdefault(event["object"].metadata.name, event["type"])
    assert set(first.values()) == {"ADDED"}
    assert "watched" in first


def test_watch_from_a_compacted_version_gets_410_and_recovers_by_relisting(apps, core, namespace, mock_url):
    old = apps.list_namespaced_deployment(namespace).metadata.resource_version
    core.create_namespaced_config_map(namespace, client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="moves-the-version"), data={"a": "1"}))
    compacted = control(mock_url, "POST", "/mock/v1/compact")
    assert int(compacted["resourceVersion"]) > int(old)

    expired = api_error(lambda: list(watch.Watch().stream(apps.list_namespaced_deployment, namespace,
                                                          resource_version=old, timeout_seconds=5)))
    assert expired.status == 410
    assert "Expired" in expired.reason and "too old resource version" in expired.reason

    # The raw stream: one ERROR event carrying a 410 Status, then the server closes it.
    raw = apps.list_namespaced_deployment(namespace, watch=True, resource_version=old, timeout_seconds=5,
                                          _preload_content=False)
    lines = [json.loads(line) for line in raw.read().decode().splitlines() if line]
    assert [line["type"] for line in lines] == ["ERROR"]
    assert lines[0]["object"]["kind"] == "Status" and lines[0]["object"]["code"] == 410

    # Recovery: relist, then watch from the list's resourceVersion.
    relisted = apps.list_namespaced_deployment(namespace)
    fresh = relisted.metadata.resource_version
    assert int(fresh) >= int(compacted["resourceVersion"])
    apps.create_namespaced_deployment(namespace, deployment("after-compaction", replicas=0))
    stream = watch.Watch()
    events = []
    for event in stream.stream(apps.list_namespaced_deployment, namespace, resource_version=fresh,
                               timeout_seconds=5):
        events.append((event["type"], event["object"].metadata.name))
        if event["object"].metadata.name == "after-compaction":
            stream.stop()
    assert events == [("ADDED", "after-compaction")]


def test_watch_bookmarks_carry_the_current_version(apps, core, namespace):
    start = apps.list_namespaced_deployment(namespace).metadata.resource_version
    stream = watch.Watch()

    def change_something_else():
        time.sleep(0.3)
        core.create_namespaced_config_map(namespace, client.V1ConfigMap(
            metadata=client.V1ObjectMeta(name="bookmark-trigger")))

    changer = threading.Thread(target=change_something_else)
    changer.start()
    bookmarks = []
    try:
        for event in stream.stream(apps.list_namespaced_deployment, namespace, resource_version=start,
                                   allow_watch_bookmarks=True, timeout_seconds=5):
            if event["type"] == "BOOKMARK":
                bookmarks.append(event["raw_object"]["metadata"]["resourceVersion"])
                stream.stop()
    finally:
        changer.join()
    assert bookmarks and int(bookmarks[0]) > int(start)
    assert stream.resource_version == bookmarks[0]


# MARK: - Leases


def test_lease_round_trip(api_client, namespace, mock_url):
    leases = client.CoordinationV1Api(api_client)
    # At a whole second, isoformat() drops the fraction; the apiserver parses MicroTime with exactly
    # six fractional digits and answers 400, so the mock does too.
    whole_second = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    lease = client.V1Lease(
        metadata=client.V1ObjectMeta(name="hms-controller"),
        spec=client.V1LeaseSpec(holder_identity="pod-a", lease_duration_seconds=15,
                                acquire_time=whole_second, renew_time=whole_second, lease_transitions=0))
    rejected = api_error(lambda: leases.create_namespaced_lease(namespace, lease))
    assert rejected.status == 400 and rejected.status_body["reason"] == "BadRequest"
    assert "2006-01-02T15:04:05.000000Z07:00" in rejected.status_body["message"]

    acquired = whole_second.replace(microsecond=7)
    lease.spec.acquire_time = lease.spec.renew_time = acquired
    created = leases.create_namespaced_lease(namespace, lease)
    assert created.spec.holder_identity == "pod-a"
    assert created.spec.renew_time == acquired

    read = leases.read_namespaced_lease("hms-controller", namespace)
    assert read.metadata.resource_version == created.metadata.resource_version
    assert (read.spec.lease_duration_seconds, read.spec.lease_transitions) == (15, 0)

    # Renewed from a machine two hours east of UTC: the server keeps the instant, written in UTC.
    renewed_at = datetime.datetime(2026, 1, 2, 5, 4, 14, 123456,
                                   tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    read.spec.renew_time = renewed_at
    renewed = leases.replace_namespaced_lease("hms-controller", namespace, read)
    assert renewed.spec.renew_time == renewed_at
    assert int(renewed.metadata.resource_version) > int(created.metadata.resource_version)

    # MicroTime comes back as the apiserver writes it: UTC, exactly six fractional digits.
    path = f"/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/hms-controller"
    with urllib.request.urlopen(mock_url + path, timeout=10) as response:
        raw = json.loads(response.read())
    assert raw["spec"]["renewTime"] == "2026-01-02T03:04:14.123456Z"
    assert raw["spec"]["acquireTime"] == "2026-01-02T03:04:05.000007Z"
    assert MICRO_TIME.match(raw["spec"]["renewTime"])

    # Another candidate holding the old version loses: 409, and the holder stays.
    created.spec.holder_identity = "pod-b"
    conflict = api_error(lambda: leases.replace_namespaced_lease("hms-controller", namespace, created))
    assert conflict.status == 409 and conflict.status_body["reason"] == "Conflict"
    assert leases.read_namespaced_lease("hms-controller", namespace).spec.holder_identity == "pod-a"

    # Creating it again is AlreadyExists, not a silent overwrite.
    exists = api_error(lambda: leases.create_namespaced_lease(namespace, lease))
    assert exists.status == 409 and exists.status_body["reason"] == "AlreadyExists"

    deleted = leases.delete_namespaced_lease("hms-controller", namespace)
    assert (deleted["kind"], deleted["status"]) == ("Status", "Success")
    assert deleted["details"]["name"] == "hms-controller" and deleted["details"]["uid"] == created.metadata.uid
    assert api_error(lambda: leases.read_namespaced_lease("hms-controller", namespace)).status == 404


# MARK: - Custom resources


@pytest.fixture(scope="session")
def crds(api_client):
    extensions = client.ApiextensionsV1Api(api_client)
    names = []
    for path in sorted(glob.glob(os.path.join(REPO, "manifests", "crds", "*.yaml"))):
        with open(path) as file:
            for definition in yaml.safe_load_all(file):
                if not definition:
                    continue
                try:
                    extensions.create_custom_resource_definition(definition)
                except ApiException as error:
                    if error.status != 409:
                        raise
                names.append(definition["metadata"]["name"])
    assert "servicespecs.ops.hms.gov" in names
    return extensions, names


def test_custom_resource_definitions_are_established(crds):
    extensions, names = crds
    listed = {crd.metadata.name: crd for crd in extensions.list_custom_resource_definition().items}
    for name in names:
        crd = listed[name]
        assert crd.spec.group == "ops.hms.gov"
        established = [c for c in crd.status.conditions if c.type == "Established"]
        assert established and established[0].status == "True"
        assert crd.status.accepted_names.plural == crd.spec.names.plural


def test_custom_resource_crud(api_client, crds, namespace, sent):
    objects = client.CustomObjectsApi(api_client)
    group, version, plural = "ops.hms.gov", "v1alpha1", "servicespecs"
    with open(os.path.join(REPO, "manifests", "examples", "passport-photo-validator.yaml")) as file:
        spec = next(doc for doc in yaml.safe_load_all(file) if doc and doc["kind"] == "ServiceSpec")
    spec["metadata"]["namespace"] = namespace
    name = spec["metadata"]["name"]

    created = objects.create_namespaced_custom_object(group, version, namespace, plural, spec)
    assert created["kind"] == "ServiceSpec" and created["apiVersion"] == "ops.hms.gov/v1alpha1"
    assert created["spec"]["image"] == spec["spec"]["image"]
    assert created["metadata"]["uid"] and created["metadata"]["generation"] == 1

    got = objects.get_namespaced_custom_object(group, version, namespace, plural, name)
    assert got["spec"] == created["spec"]
    listed = objects.list_namespaced_custom_object(group, version, namespace, plural, label_selector="agency=state")
    assert listed["kind"] == "ServiceSpecList"
    assert [item["metadata"]["name"] for item in listed["items"]] == [name]

    patched = objects.patch_namespaced_custom_object(group, version, namespace, plural, name, {"spec": {"replicas": 5}})
    _, headers = sent.last("PATCH", f"/servicespecs/{name}")
    assert headers["Content-Type"] == "application/merge-patch+json"
    assert patched["spec"]["replicas"] == 5 and patched["spec"]["port"] == 9000
    assert patched["metadata"]["generation"] == 2

    # Status is a subresource: the main resource ignores it, /status sets it without touching spec.
    with_status = dict(patched, status={"readyReplicas": 3})
    replaced = objects.replace_namespaced_custom_object(group, version, namespace, plural, name, with_status)
    assert "readyReplicas" not in replaced.get("status", {})
    status = objects.patch_namespaced_custom_object_status(group, version, namespace, plural, name,
                                                            {"status": {"readyReplicas": 3}})
    assert status["status"]["readyReplicas"] == 3 and status["spec"]["replicas"] == 5
    assert status["metadata"]["generation"] == 2

    # A stale replace conflicts; strategic merge is not for custom resources.
    conflict = api_error(lambda: objects.replace_namespaced_custom_object(group, version, namespace, plural, name, patched))
    assert conflict.status == 409
    unsupported = api_error(lambda: objects.patch_namespaced_custom_object(
        group, version, namespace, plural, name, {"spec": {"replicas": 1}},
        _content_type="application/strategic-merge-patch+json"))
    assert unsupported.status == 415

    deleted = objects.delete_namespaced_custom_object(group, version, namespace, plural, name)
    assert deleted["kind"] == "Status" and deleted["status"] == "Success"
    assert api_error(lambda: objects.get_namespaced_custom_object(group, version, namespace, plural, name)).status == 404


def test_custom_resources_are_checked_against_their_schema(api_client, crds, namespace):
    objects = client.CustomObjectsApi(api_client)
    group, version, plural = "ops.hms.gov", "v1alpha1", "servicespecs"

    def spec(name, **fields):
        return {"apiVersion": "ops.hms.gov/v1alpha1", "kind": "ServiceSpec",
                "metadata": {"name": name, "namespace": namespace}, "spec": {"image": "registry.gov/x:1", **fields}}

    refused = api_error(lambda: objects.create_namespaced_custom_object(group, version, namespace, plural, spec("a", replicas="3")))
    assert refused.status == 422
    body = json.loads(refused.body)
    assert body["reason"] == "Invalid" and body["details"]["kind"] == "ServiceSpec"
    assert body["details"]["causes"][0] == {
        "reason": "FieldValueTypeInvalid", "field": "spec.replicas",
        "message": 'Invalid value: "string": spec.replicas in body must be of type integer: "string"'}

    # The client sends no fieldValidation: the apiserver's default, Warn, prunes and warns.
    created, code, headers = objects.create_namespaced_custom_object_with_http_info(
        group, version, namespace, plural, spec("b", healthChek={"path": "/"}))
    assert code == 201 and "healthChek" not in created["spec"]
    assert headers["Warning"] == '299 - "unknown field \\"spec.healthChek\\""'
    strict = api_error(lambda: objects.create_namespaced_custom_object(
        group, version, namespace, plural, spec("c", healthChek={"path": "/"}), field_validation="Strict"))
    assert strict.status == 400
    assert json.loads(strict.body)["message"].endswith('strict decoding error: unknown field "spec.healthChek"')

    rule = api_error(lambda: objects.create_namespaced_custom_object(group, version, namespace, plural, spec("d.e")))
    assert json.loads(rule.body)["details"]["causes"] == [{
        "reason": "FieldValueInvalid", "field": "<nil>",
        "message": "Invalid value: the name also names a Service: a DNS-1035 label (lower case letters, digits and '-', "
                   "starting with a letter, at most 63 characters)"}]


# MARK: - The mock's request log


def test_request_log_shows_the_python_user_agent(mock_url, namespace, apps):
    apps.list_namespaced_deployment(namespace)
    entries = control(mock_url, "GET", "/mock/v1/requests")["items"]
    ours = [e for e in entries if f"/namespaces/{namespace}/deployments" in e["path"]]
    assert ours, "the mock logged none of this session's deployment requests"
    assert all(e["userAgent"].startswith("OpenAPI-Generator/") and e["userAgent"].endswith("/python") for e in ours)
    assert {e["method"] for e in ours} >= {"GET", "POST", "PATCH", "PUT"}
    assert any(e["status"] == 409 for e in ours) and any(e["status"] == 201 for e in ours)
