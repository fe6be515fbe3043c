import Foundation
import JSON
import Testing
@testable import MockCluster

@Suite(.tags(.unit)) struct SimulationTests {
    @Test func podsFollowReplicasAndBecomeReadyAfterTheStartupDelay() {
        var harness = Harness(podStartupSeconds: 2)
        harness.send("POST", "/apis/apps/v1/namespaces/default/deployments", Harness.deployment("web", replicas: 3))
        #expect(harness.pods().map { $0[path: ["status", "phase"]] } == ["Pending", "Pending", "Pending"])
        harness.wait(1)
        #expect(harness.get("/apis/apps/v1/namespaces/default/deployments/web")[path: ["status", "readyReplicas"]] == 0)
        harness.wait(1)
        let pods = harness.pods()
        #expect(pods.map { $0[path: ["status", "phase"]] } == ["Running", "Running", "Running"])
        #expect(pods.allSatisfy(MockCluster.isReady))
        #expect(pods.allSatisfy { $0[path: ["status", "containerStatuses"]]?.arrayValue?.first?["imageID"] != nil })
        let status = harness.get("/apis/apps/v1/namespaces/default/deployments/web")["status"]
        #expect(status?["readyReplicas"] == 3)
        #expect(status?["updatedReplicas"] == 3)
        #expect(status?["observedGeneration"] == 1)
        #expect(status?["conditions"]?.arrayValue?.first { $0["type"] == "Progressing" }?["reason"] == "NewReplicaSetAvailable")

        harness.send("PATCH", "/apis/apps/v1/namespaces/default/deployments/web/scale", ["spec": ["replicas": 1]], contentType: "application/merge-patch+json")
        #expect(harness.podNames().count == 1)
    }

    @Test func aRollingRestartKeepsOldPodsUntilNewOnesAreReady() {
        var harness = Harness(podStartupSeconds: 1)
        harness.send("POST", "/apis/apps/v1/namespaces/default/deployments", Harness.deployment("web", replicas: 2))
        harness.wait(1)
        let before = harness.podNames()
        let restart: JSONValue = ["spec": ["template": ["metadata": ["annotations": ["kubectl.kubernetes.io/restartedAt": "2027-01-01T00:00:00Z"]]]]]
        harness.send("PATCH", "/apis/apps/v1/namespaces/default/deployments/web?fieldManager=kubectl-rollout", restart,
                     contentType: "application/strategic-merge-patch+json")
        #expect(harness.podNames().count == 4)  // the old ones still serve
        #expect(Set(harness.podNames()).isSuperset(of: before))
        harness.wait(1)
        let after = harness.podNames()
        #expect(after.count == 2)
        #expect(Set(after).isDisjoint(with: before))
        #expect(harness.pods().allSatisfy { $0[path: ["metadata", "annotations", "kubectl.kubernetes.io/restartedAt"]] != nil })
    }

    @Test func deletingADeploymentDeletesItsPodsAndADeletedPodIsReplaced() {
        var harness = Harness()
        harness.send("POST", "/apis/apps/v1/namespaces/default/deployments", Harness.deployment("web", replicas: 2))
        let victim = harness.podNames()[0]
        harness.send("DELETE", "/api/v1/namespaces/default/pods/\(victim)")
        harness.wait(0.1)
        #expect(harness.podNames().count == 2)
        #expect(!harness.podNames().contains(victim))
        harness.send("DELETE", "/apis/apps/v1/namespaces/default/deployments/web", ["propagationPolicy": "Background"])
        // The garbage collector deleted the pods; they terminate until kubelet's next step.
        #expect(harness.pods().allSatisfy { $0.deletionTimestamp != nil })
        harness.wait(0.1)
        #expect(harness.podNames().isEmpty)
    }

    @Test func anUnhealthyPodTurnsUnreadyAndRecordsEachFailedProbe() {
        var harness = Harness()
        harness.send("POST", "/apis/apps/v1/namespaces/default/deployments", Harness.deployment("web", replicas: 2))
        harness.wait(1)
        let pod = harness.podNames()[0]
        #expect(harness.send("PUT", "/mock/v1/pods/default/\(pod)/health", ["healthy": false]).status == 200)
        let unhealthy = harness.get("/api/v1/namespaces/default/pods/\(pod)")
        #expect(!MockCluster.isReady(unhealthy))
        #expect(unhealthy[path: ["status", "containerStatuses"]]?.arrayValue?.first?["ready"] == false)
        harness.wait(0.1)
        #expect(harness.get("/apis/apps/v1/namespaces/default/deployments/web")[path: ["status", "readyReplicas"]] == 1)
        harness.wait(10)  // one probe period later
        let events = harness.get("/api/v1/namespaces/default/events?fieldSelector=reason%3DUnhealthy")["items"]?.arrayValue ?? []
        #expect(events.count == 1)
        #expect(events.first?["count"] == 2)
        #expect(events.first?["type"] == "Warning")
        #expect(events.first?[path: ["involvedObject", "name"]]?.stringValue == pod)
        harness.send("PUT", "/mock/v1/pods/default/\(pod)/health", ["healthy": true])
        #expect(MockCluster.isReady(harness.get("/api/v1/namespaces/default/pods/\(pod)")))
    }

    @Test func jobsSucceedByDefaultAndFailWhenATestSaysSo() {
        var harness = Harness(podStartupSeconds: 1, jobSeconds: 2)
        harness.send("POST", "/apis/batch/v1/namespaces/default/jobs", Harness.job("ok"))
        harness.send("PUT", "/mock/v1/jobs/default/bad", ["outcome": "fail", "afterSeconds": 1])
        harness.send("POST", "/apis/batch/v1/namespaces/default/jobs", Harness.job("bad"))
        harness.send("PUT", "/mock/v1/jobs/default/stuck", ["outcome": "hang"])
        harness.send("POST", "/apis/batch/v1/namespaces/default/jobs", Harness.job("stuck"))
        #expect(harness.get("/apis/batch/v1/namespaces/default/jobs/ok")[path: ["status", "active"]] == 1)
        harness.wait(1)
        harness.wait(2)
        let ok = harness.get("/apis/batch/v1/namespaces/default/jobs/ok")["status"]
        #expect(ok?["succeeded"] == 1)
        #expect(ok?["conditions"]?.arrayValue?.compactMap { $0["type"]?.stringValue } == ["SuccessCriteriaMet", "Complete"])
        #expect(ok?["completionTime"] != nil)
        let bad = harness.get("/apis/batch/v1/namespaces/default/jobs/bad")["status"]
        #expect(bad?["failed"] == 1)
        #expect(bad?["conditions"]?.arrayValue?.last?["reason"] == "BackoffLimitExceeded")
        #expect(harness.pods("job-name=bad").first?[path: ["status", "phase"]] == "Failed")
        harness.wait(60)
        #expect(harness.get("/apis/batch/v1/namespaces/default/jobs/stuck")[path: ["status", "active"]] == 1)
    }

    @Test func loadIsSpreadOverReadyPodsAsMetrics() {
        var harness = Harness()
        harness.send("POST", "/apis/apps/v1/namespaces/default/deployments", Harness.deployment("web", replicas: 4))
        harness.wait(1)
        harness.send("PUT", "/mock/v1/load/default/web", ["http_rps": 2000, "cpuMillisPerRequest": 0.5])
        let custom = harness.get("/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/http_rps?labelSelector=app%3Dweb")
        #expect(custom["kind"] == "MetricValueList")
        #expect(custom["items"]?.arrayValue?.map { $0["value"] } == ["500", "500", "500", "500"])
        let metrics = harness.get("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods")["items"]?.arrayValue ?? []
        // 2 millicores idle plus 500 requests x 0.5 millicores, in nanocores.
        #expect(metrics.map { $0[path: ["containers"]]?.arrayValue?.first?[path: ["usage", "cpu"]] } == Array(repeating: "252000000n", count: 4))
        harness.send("PUT", "/mock/v1/pods/default/\(harness.podNames()[0])/health", ["healthy": false])
        let values = harness.get("/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/http_rps")["items"]?.arrayValue?.compactMap { $0["value"]?.stringValue }
        #expect(values?.sorted() == ["0", "666666m", "666666m", "666666m"].sorted() || values?.sorted() == ["0", "666667m", "666667m", "666667m"])
    }
}

@Suite(.tags(.unit)) struct WatchTests {
    @Test func aWatchFromAVersionSeesLaterChanges() {
        var harness = Harness()
        let list = harness.get("/api/v1/namespaces/default/configmaps")
        let version = list[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
        let opened = harness.send("GET", "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=\(version)")
        guard case .watch(var watch) = opened.response.body else {
            Issue.record("not a watch")
            return
        }
        #expect(watch.initial.isEmpty)
        harness.send("POST", "/api/v1/namespaces/default/configmaps", ["metadata": ["name": "a"], "data": ["k": "1"]])
        harness.send("PATCH", "/api/v1/namespaces/default/configmaps/a", ["data": ["k": "2"]], contentType: "application/merge-patch+json")
        harness.send("DELETE", "/api/v1/namespaces/default/configmaps/a")
        harness.send("POST", "/api/v1/namespaces/kube-system/configmaps", ["metadata": ["name": "elsewhere"]])
        let (lines, ended) = harness.cluster.poll(&watch, now: harness.now)
        #expect(!ended)
        let events = JSONValue.lines(lines)
        #expect(events.map { $0["type"] } == ["ADDED", "MODIFIED", "DELETED"])
        #expect(events[1][path: ["object", "data", "k"]] == "2")
    }

    @Test func aFreshWatchStartsWithEveryObjectAsAdded() {
        var harness = Harness()
        harness.send("POST", "/api/v1/namespaces/default/configmaps", ["metadata": ["name": "a"]])
        let opened = harness.send("GET", "/api/v1/namespaces/default/configmaps?watch=1&fieldSelector=metadata.name%3Da&resourceVersion=0")
        guard case .watch(let watch) = opened.response.body else {
            Issue.record("not a watch")
            return
        }
        #expect(JSONValue.lines(watch.initial).map { $0["type"] } == ["ADDED"])
    }

    @Test func aWatchFromBeforeACompactionGetsGone() {
        var harness = Harness()
        let old = harness.cluster.resourceVersion
        harness.send("POST", "/api/v1/namespaces/default/configmaps", ["metadata": ["name": "a"]])
        harness.send("POST", "/mock/v1/compact")
        let opened = harness.send("GET", "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=\(old)")
        guard case .watch(let watch) = opened.response.body else {
            Issue.record("not a watch")
            return
        }
        #expect(watch.endsAfterInitial)
        let error = JSONValue.lines(watch.initial).first
        #expect(error?["type"] == "ERROR")
        #expect(error?[path: ["object", "code"]] == 410)
        #expect(error?[path: ["object", "reason"]] == "Expired")
    }

    @Test func watchesSendBookmarksWhenAsked() {
        var harness = Harness()
        let opened = harness.send("GET", "/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=\(harness.cluster.resourceVersion)")
        guard case .watch(var watch) = opened.response.body else {
            Issue.record("not a watch")
            return
        }
        harness.send("POST", "/api/v1/namespaces/kube-system/configmaps", ["metadata": ["name": "elsewhere"]])
        let bookmark = JSONValue.lines(harness.cluster.poll(&watch, now: harness.now).lines).first
        #expect(bookmark?["type"] == "BOOKMARK")
        #expect(bookmark?[path: ["object", "metadata", "resourceVersion"]] == .string(String(harness.cluster.resourceVersion)))
    }

    @Test func tableWatchesSendOneRowTables() {
        var harness = Harness()
        let opened = harness.send("GET", "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=\(harness.cluster.resourceVersion)",
                                  accept: "application/json;as=Table;v=v1;g=meta.k8s.io")
        guard case .watch(var watch) = opened.response.body else {
            Issue.record("not a watch")
            return
        }
        harness.send("POST", "/api/v1/namespaces/default/configmaps", ["metadata": ["name": "a"], "data": ["x": "1", "y": "2"]])
        let event = JSONValue.lines(harness.cluster.poll(&watch, now: harness.now).lines).first
        #expect(event?[path: ["object", "kind"]] == "Table")
        #expect(event?[path: ["object", "rows"]]?.arrayValue?.first?["cells"] == ["a", 2, "0s"])
    }
}

@Suite(.tags(.unit)) struct ControlTests {
    @Test func faultsAreInjectedIntoTheAPIOnly() {
        var harness = Harness()
        #expect(harness.send("PUT", "/mock/v1/faults", ["errorRate": 1]).status == 200)
        let failed = harness.send("GET", "/api/v1/namespaces")
        #expect(failed.status == 500)
        #expect(failed.json["reason"] == "InternalError")
        #expect(harness.send("GET", "/mock/v1/faults").json["errorRate"]?.doubleValue == 1)
        harness.send("PUT", "/mock/v1/faults", ["conflictRate": 1])
        #expect(harness.send("GET", "/api/v1/namespaces").status == 200)  // reads never conflict
        #expect(harness.send("POST", "/api/v1/namespaces/default/configmaps", ["metadata": ["name": "a"]]).status == 409)
        harness.send("PUT", "/mock/v1/faults", ["resetRate": 1])
        guard case .connectionReset = harness.send("GET", "/api/v1/namespaces").response.body else {
            Issue.record("expected a reset")
            return
        }
        #expect(harness.send("PUT", "/mock/v1/faults", ["errorRate": "high"]).status == 400)
        #expect(harness.send("PUT", "/mock/v1/faults", ["jitter": 1]).json["error"] == "unknown fault \"jitter\": errorRate, resetRate, conflictRate, latencyMs")
    }

    @Test func theRequestLogRecordsWhatWasServed() {
        var harness = Harness()
        harness.send("GET", "/apis/apps/v1/namespaces/default/deployments?limit=500")
        harness.send("GET", "/apis/apps/v1/namespaces/default/deployments/nope")
        let log = harness.get("/mock/v1/requests")["items"]?.arrayValue ?? []
        #expect(log.map { $0["path"] } == ["/apis/apps/v1/namespaces/default/deployments?limit=500", "/apis/apps/v1/namespaces/default/deployments/nope"])
        #expect(log.map { $0["status"] } == [200, 404])
        #expect(log.first?["userAgent"] == "tests/1.0")
        harness.send("DELETE", "/mock/v1/requests")
        #expect(harness.get("/mock/v1/requests")["items"] == [])
    }

    @Test func aSnapshotRestoresTheObjects() throws {
        var harness = Harness()
        harness.send("POST", "/apis/apps/v1/namespaces/default/deployments", Harness.deployment("web", replicas: 2))
        harness.send("POST", "/apis/batch/v1/namespaces/default/jobs", Harness.job("report"))
        harness.wait(1)
        var restored = MockCluster(now: harness.now)
        try restored.restore(harness.cluster.snapshot(), now: harness.now)
        let request = APIRequest(method: "GET", target: "/apis/apps/v1/namespaces/default/deployments/web")
        let deployment = try JSONValue(parsing: restored.handle(request, now: harness.now).bodyBytes)
        #expect(deployment == harness.get("/apis/apps/v1/namespaces/default/deployments/web"))
        let pods = try JSONValue(parsing: restored.handle(APIRequest(method: "GET", target: "/api/v1/namespaces/default/pods"), now: harness.now).bodyBytes)
        #expect(pods["items"]?.arrayValue?.count == 3)  // two of the Deployment, one of the Job
        #expect(restored.resourceVersion == harness.cluster.resourceVersion)
        // The job goes on where it was: it finishes, and starts no second pod.
        restored.advance(to: harness.now + 5)
        let job = try JSONValue(parsing: restored.handle(APIRequest(method: "GET", target: "/apis/batch/v1/namespaces/default/jobs/report"), now: harness.now).bodyBytes)
        #expect(job[path: ["status", "succeeded"]] == 1)
        let after = try JSONValue(parsing: restored.handle(APIRequest(method: "GET", target: "/api/v1/namespaces/default/pods?labelSelector=job-name%3Dreport"), now: harness.now).bodyBytes)
        #expect(after["items"]?.arrayValue?.count == 1)
    }
}
