import Foundation
import JSON

/// Total load on a service, set by a test; it is spread over the service's ready pods.
struct Load: Sendable, Equatable {
    var httpRPS: Double
    var cpuMillisPerRequest: Double
}

/// How a Job's pods end, set by a test; by default they succeed after `Settings.jobSeconds`.
struct JobOutcome: Sendable, Equatable {
    enum Result: String, Sendable { case succeed, fail, hang }
    var result: Result
    var afterSeconds: Double
}

/// What kubelet and the workload controllers would do, reduced to what clients can observe: pods
/// follow Deployments and become ready after a start-up delay, rolling restarts replace them, Jobs
/// run a pod and finish, failing health checks show in pod status and events.
extension MockCluster {
    /// Moves the simulation to `now`. Only objects with something pending are visited, so an idle
    /// cluster of many objects costs nothing.
    public mutating func advance(to now: Date) {
        finishTerminatingPods(now: now)
        for key in simulation.startingPods.filter({ $0.value <= now }).keys.sorted() { progressPod(key, now: now) }
        for key in simulation.unhealthyProbes.keys.sorted() { probeUnhealthyPod(key, now: now) }
        for key in simulation.deploymentsToReconcile.sorted() { reconcileDeployment(key, now: now) }
        for key in simulation.runningJobs.sorted() { progressJob(key, now: now) }
        finalizeNamespaces(now: now)
        collectGarbage(now: now)
    }

    // MARK: - Reactions to writes

    mutating func afterWrite(_ type: ResourceType, _ key: ObjectKey, _ object: JSONValue, previous: JSONValue?, now: Date) {
        noteOwners(type, key, object, previous: previous)
        switch type.id {
        case BuiltInTypes.customResourceDefinitions.id:
            refreshCustomTypes()
        case BuiltInTypes.deployments.id:
            reconcileDeployment(key, now: now)
        // A Job starts when created, or when resumed if it was created suspended; never twice.
        case BuiltInTypes.jobs.id where object[path: ["spec", "suspend"]] != true && object[path: ["status", "startTime"]] == nil:
            simulation.runningJobs.insert(key)
            setJobStatus(key) { status in
                status["startTime"] = .string(timestamp(now))
                status["active"] = 0
            }
            startJobPod(key, now: now)
        case BuiltInTypes.pods.id:
            for owner in Self.owners(of: object) { simulation.podsByOwner[owner, default: []].insert(key) }
            if object[path: ["status", "phase"]] == "Pending" { simulation.startingPods[key] = startTime(ofPodCreated: object) }
            if object.deletionTimestamp != nil { simulation.terminatingPods.insert(key) }
        default:
            break
        }
    }

    mutating func afterDelete(_ type: ResourceType, _ key: ObjectKey, _ object: JSONValue) {
        switch type.id {
        case BuiltInTypes.customResourceDefinitions.id:
            if let defined = ResourceType(definition: object) {
                for custom in store.list(defined.id, namespace: nil) { store.remove(defined.id, ObjectKey(object: custom.value)) }
            }
            refreshCustomTypes()
        case BuiltInTypes.namespaces.id:
            simulation.terminatingNamespaces.remove(key.name)
        case BuiltInTypes.pods.id:
            podLogs[key] = nil
            simulation.startingPods[key] = nil
            simulation.unhealthyProbes[key] = nil
            unhealthyPods.remove(key)
            for owner in Self.owners(of: object) {
                simulation.podsByOwner[owner]?.remove(key)
                if let deployment = simulation.deploymentsByUID[owner] { simulation.deploymentsToReconcile.insert(deployment) }
            }
        case BuiltInTypes.deployments.id:
            simulation.deploymentsToReconcile.remove(key)
            simulation.templateHashes[key] = nil
            if let uid = object[path: ["metadata", "uid"]]?.stringValue { simulation.deploymentsByUID[uid] = nil }
        case BuiltInTypes.jobs.id:
            simulation.runningJobs.remove(key)
            jobOutcomes[key] = nil
        default:
            break
        }
    }

    static func owners(of object: JSONValue) -> [String] {
        (object[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []).compactMap { $0["uid"]?.stringValue }
    }

    func pods(ownedBy uid: String) -> [JSONValue] {
        (simulation.podsByOwner[uid] ?? []).sorted().compactMap { store.get(BuiltInTypes.pods.id, $0)?.value }
    }

    // MARK: - Deployments

    mutating func reconcileDeployment(_ key: ObjectKey, now: Date) {
        // A deleting Deployment gets no new pods (the controller only syncs its status).
        guard let deployment = store.get(BuiltInTypes.deployments.id, key)?.value, deployment.deletionTimestamp == nil,
            let uid = deployment[path: ["metadata", "uid"]]?.stringValue
        else {
            simulation.deploymentsToReconcile.remove(key)
            return
        }
        simulation.deploymentsByUID[uid] = key
        let desired = deployment[path: ["spec", "replicas"]]?.intValue ?? 1
        let hash = templateHash(of: deployment, key)
        let owned = pods(ownedBy: uid)
        let current = owned.filter { $0[path: ["metadata", "labels", "pod-template-hash"]]?.stringValue == hash }
        let old = owned.filter { $0[path: ["metadata", "labels", "pod-template-hash"]]?.stringValue != hash }

        if current.count < desired {
            for _ in current.count..<desired { createPod(for: deployment, hash: hash, now: now) }
            recordEvent(about: deployment, reason: "ScalingReplicaSet", message: "Scaled up replica set \(key.name)-\(hash) to \(desired)", now: now)
        } else if current.count > desired {
            for pod in Self.deletionOrder(current).prefix(current.count - desired) { removePod(pod) }
            recordEvent(about: deployment, reason: "ScalingReplicaSet", message: "Scaled down replica set \(key.name)-\(hash) to \(desired)", now: now)
        }
        // A rolling update keeps old pods serving until enough new ones are ready.
        let readyNew = current.filter(Self.isReady).count
        let keepOld = max(0, desired - readyNew)
        for pod in Self.deletionOrder(old).prefix(max(0, old.count - keepOld)) { removePod(pod) }

        updateDeploymentStatus(key, desired: desired, hash: hash, now: now)
        // Nothing more to do until the Deployment is written or one of its pods changes.
        simulation.deploymentsToReconcile.remove(key)
    }

    /// The template's hash, worked out again only when the Deployment's spec changed (its generation).
    private mutating func templateHash(of deployment: JSONValue, _ key: ObjectKey) -> String {
        let generation = deployment[path: ["metadata", "generation"]]?.intValue ?? 0
        if let known = simulation.templateHashes[key], known.generation == generation { return known.hash }
        let hash = Self.templateHash(deployment[path: ["spec", "template"]] ?? [:])
        simulation.templateHashes[key] = (generation, hash)
        return hash
    }

    private mutating func updateDeploymentStatus(_ key: ObjectKey, desired: Int, hash: String, now: Date) {
        guard let deployment = store.get(BuiltInTypes.deployments.id, key)?.value,
            let uid = deployment[path: ["metadata", "uid"]]?.stringValue
        else { return }
        let owned = pods(ownedBy: uid)
        let updated = owned.filter { $0[path: ["metadata", "labels", "pod-template-hash"]]?.stringValue == hash }
        let ready = owned.filter(Self.isReady).count
        let complete = updated.count == desired && owned.count == desired && ready == desired
        let maxUnavailable = desired / 4
        var status: JSONValue = [
            "observedGeneration": deployment[path: ["metadata", "generation"]] ?? 1,
            "replicas": .int(owned.count), "updatedReplicas": .int(updated.count),
            "readyReplicas": .int(ready), "availableReplicas": .int(ready),
        ]
        if owned.count > ready { status["unavailableReplicas"] = .int(owned.count - ready) }
        let previous = deployment["status"]?["conditions"]?.arrayValue ?? []
        status["conditions"] = .array([
            Self.condition("Available", ready >= desired - maxUnavailable,
                           reason: ready >= desired - maxUnavailable ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                           message: ready >= desired - maxUnavailable ? "Deployment has minimum availability." : "Deployment does not have minimum availability.",
                           previous: previous, now: now),
            Self.condition("Progressing", true,
                           reason: complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
                           message: complete ? "ReplicaSet \"\(key.name)-\(hash)\" has successfully progressed." : "ReplicaSet \"\(key.name)-\(hash)\" is progressing.",
                           previous: previous, now: now),
        ])
        if status != deployment["status"] {
            var changed = deployment
            changed["status"] = status
            store.put(BuiltInTypes.deployments.id, key, consume changed)
        }
    }

    /// A condition that keeps its transition time while its status stays the same.
    static func condition(_ type: String, _ isTrue: Bool, reason: String, message: String, previous: [JSONValue], now: Date) -> JSONValue {
        let status: JSONValue = isTrue ? "True" : "False"
        let old = previous.first { $0["type"]?.stringValue == type }
        let unchanged = old?["status"] == status && old?["reason"]?.stringValue == reason
        let transition = old?["status"] == status ? old?["lastTransitionTime"] : nil
        return [
            "type": .string(type), "status": status, "reason": .string(reason), "message": .string(message),
            "lastUpdateTime": unchanged ? old?["lastUpdateTime"] ?? .string(timestamp(now)) : .string(timestamp(now)),
            "lastTransitionTime": transition ?? .string(timestamp(now)),
        ]
    }

    /// Not-ready pods go first, then the newest, as the ReplicaSet controller chooses.
    static func deletionOrder(_ pods: [JSONValue]) -> [JSONValue] {
        pods.sorted { left, right in
            if isReady(left) != isReady(right) { return !isReady(left) }
            let leftTime = left[path: ["metadata", "creationTimestamp"]]?.stringValue ?? ""
            let rightTime = right[path: ["metadata", "creationTimestamp"]]?.stringValue ?? ""
            if leftTime != rightTime { return leftTime > rightTime }
            return (left[path: ["metadata", "name"]]?.stringValue ?? "") > (right[path: ["metadata", "name"]]?.stringValue ?? "")
        }
    }

    static func isReady(_ pod: JSONValue) -> Bool {
        (pod[path: ["status", "conditions"]]?.arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" }
    }

    /// A stable, short hash of a pod template, as the `pod-template-hash` label carries it.
    static func templateHash(_ template: JSONValue) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for byte in template.jsonBytes {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        var text: [UInt8] = []
        text.reserveCapacity(10)
        for _ in 0..<10 {
            text.append(nameAlphabet[Int(hash % UInt64(nameAlphabet.count))])
            hash /= UInt64(nameAlphabet.count)
        }
        return String(decoding: text, as: UTF8.self)
    }

    private mutating func createPod(for deployment: JSONValue, hash: String, now: Date) {
        let key = ObjectKey(object: deployment)
        var labels = deployment[path: ["spec", "template", "metadata", "labels"]]?.objectValue ?? [:]
        labels["pod-template-hash"] = .string(hash)
        let owner: JSONValue = [
            "apiVersion": "apps/v1", "kind": "Deployment", "name": .string(key.name),
            "uid": deployment[path: ["metadata", "uid"]] ?? .null, "controller": true, "blockOwnerDeletion": true,
        ]
        let name = "\(key.name)-\(hash)-\(nameSuffix())"
        let annotations = deployment[path: ["spec", "template", "metadata", "annotations"]]
        createPod(name: name, namespace: key.namespace, labels: labels, annotations: annotations, owner: owner,
                  spec: deployment[path: ["spec", "template", "spec"]] ?? [:], now: now)
    }

    mutating func createPod(name: String, namespace: String, labels: [String: JSONValue], annotations: JSONValue?,
                            owner: JSONValue, spec: JSONValue, now: Date) {
        var metadata: JSONValue = [
            "name": .string(name), "namespace": .string(namespace), "uid": .string(newUID()),
            "creationTimestamp": .string(timestamp(now)), "labels": .object(labels), "ownerReferences": [owner],
            "generation": 1,
        ]
        if let annotations { metadata["annotations"] = annotations }
        // What admission adds to a pod the workload controllers create (service account, priority, tolerations).
        var podSpec = PodDefaults.pod(spec)
        podSpec["nodeName"] = .string(settings.nodeName)
        let containers = spec["containers"]?.arrayValue ?? []
        let pod: JSONValue = [
            "apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": podSpec,
            "status": [
                "phase": "Pending", "qosClass": "Burstable",
                "conditions": [["type": "PodScheduled", "status": "True", "lastTransitionTime": .string(timestamp(now))]],
                "containerStatuses": .array(containers.map { container in
                    [
                        "name": container["name"] ?? "", "image": container["image"] ?? "", "imageID": "",
                        "ready": false, "started": false, "restartCount": 0,
                        "state": ["waiting": ["reason": "ContainerCreating"]],
                    ]
                }),
            ],
        ]
        let key = ObjectKey(namespace: namespace, name: name)
        let stored = store.put(BuiltInTypes.pods.id, key, consume pod)
        afterWrite(BuiltInTypes.pods, key, stored.value, previous: nil, now: now)
        appendLog(key, now: now, "pulling image \"\(containers.first?["image"]?.stringValue ?? "")\"")
    }

    private mutating func removePod(_ pod: JSONValue) {
        remove(BuiltInTypes.pods, ObjectKey(object: pod))
    }

    // MARK: - Pods

    private mutating func progressPod(_ key: ObjectKey, now: Date) {
        guard var pod = store.get(BuiltInTypes.pods.id, key)?.value else {
            simulation.startingPods[key] = nil
            return
        }
        simulation.startingPods[key] = nil
        guard pod[path: ["status", "phase"]] == "Pending" else { return }
        let started = timestamp(now)
        let healthy = !unhealthyPods.contains(key)
        let containers = pod[path: ["spec", "containers"]]?.arrayValue ?? []
        let ip = "10.244.\(random.next() % 250 + 1).\(random.next() % 250 + 2)"
        pod["status"] = Self.podStatus(phase: "Running", ready: healthy, containers: containers, started: started, ip: ip, now: now)
        let running = store.put(BuiltInTypes.pods.id, key, consume pod).value
        let image = containers.first?["image"]?.stringValue ?? ""
        appendLog(key, now: now, "started container \(containers.first?["name"]?.stringValue ?? "") from \(image)")
        if let port = containers.first?["ports"]?.arrayValue?.first?["containerPort"]?.intValue {
            appendLog(key, now: now, "listening on :\(port)")
        }
        if let payload = containers.first?["env"]?.arrayValue?.first(where: { $0["name"] == "HMS_PAYLOAD" })?["value"]?.stringValue {
            appendLog(key, now: now, "processing payload \(payload)")
        }
        recordEvent(about: running, reason: "Started", message: "Started container \(containers.first?["name"]?.stringValue ?? "")", now: now)
        if !healthy { simulation.unhealthyProbes[key] = .distantPast }
        markOwnersToReconcile(running)
    }

    static func podStatus(phase: String, ready: Bool, containers: [JSONValue], started: String, ip: String, now: Date,
                          terminated: (exitCode: Int, reason: String)? = nil) -> JSONValue {
        let readyText: JSONValue = ready ? "True" : "False"
        let time = JSONValue.string(timestamp(now))
        return [
            "phase": .string(phase), "qosClass": "Burstable", "podIP": .string(ip), "podIPs": [["ip": .string(ip)]],
            "hostIP": "192.168.49.2", "startTime": .string(started),
            "conditions": [
                ["type": "PodReadyToStartContainers", "status": "True", "lastTransitionTime": .string(started)],
                ["type": "Initialized", "status": "True", "lastTransitionTime": .string(started)],
                ["type": "Ready", "status": readyText, "lastTransitionTime": time],
                ["type": "ContainersReady", "status": readyText, "lastTransitionTime": time],
                ["type": "PodScheduled", "status": "True", "lastTransitionTime": .string(started)],
            ],
            "containerStatuses": .array(containers.map { container in
                let image = container["image"]?.stringValue ?? ""
                let state: JSONValue =
                    if let terminated {
                        ["terminated": ["exitCode": .int(terminated.exitCode), "reason": .string(terminated.reason),
                                        "startedAt": .string(started), "finishedAt": time]]
                    } else {
                        ["running": ["startedAt": .string(started)]]
                    }
                return [
                    "name": container["name"] ?? "", "image": .string(image),
                    "imageID": .string("\(image.split(byte: UInt8(ascii: ":")).first ?? "")@sha256:\(String(repeating: "0", count: 64))"),
                    "containerID": .string("containerd://\(Self.templateHash(container))"),
                    "ready": .bool(ready && terminated == nil), "started": .bool(terminated == nil), "restartCount": 0, "state": state,
                ]
            }),
        ]
    }

    /// Sets a pod healthy or not: an unhealthy pod fails its readiness probe, turns unready and
    /// records an `Unhealthy` event each probe period, as kubelet does.
    mutating func setPodHealth(_ key: ObjectKey, healthy: Bool, now: Date) -> Bool {
        guard var pod = store.get(BuiltInTypes.pods.id, key)?.value else { return false }
        if healthy { unhealthyPods.remove(key) } else { unhealthyPods.insert(key) }
        guard pod[path: ["status", "phase"]] == "Running" else { return true }
        pod["status"] = Self.settingReady(pod["status"] ?? [:], healthy, now: now)
        store.put(BuiltInTypes.pods.id, key, pod)
        simulation.unhealthyProbes[key] = healthy ? nil : .distantPast
        if !healthy { probeUnhealthyPod(key, now: now) }
        markOwnersToReconcile(pod)
        return true
    }

    static func settingReady(_ status: JSONValue, _ ready: Bool, now: Date) -> JSONValue {
        var status = status
        let value: JSONValue = ready ? "True" : "False"
        status["conditions"] = .array((status["conditions"]?.arrayValue ?? []).map { condition in
            guard ["Ready", "ContainersReady"].contains(condition["type"]?.stringValue ?? ""), condition["status"] != value else { return condition }
            var changed = condition
            changed["status"] = value
            changed["lastTransitionTime"] = .string(timestamp(now))
            return changed
        })
        status["containerStatuses"] = .array((status["containerStatuses"]?.arrayValue ?? []).map { container in
            var container = container
            container["ready"] = .bool(ready)
            return container
        })
        return status
    }

    private mutating func probeUnhealthyPod(_ key: ObjectKey, now: Date) {
        guard let pod = store.get(BuiltInTypes.pods.id, key)?.value, unhealthyPods.contains(key) else {
            simulation.unhealthyProbes[key] = nil
            return
        }
        let probe = pod[path: ["spec", "containers"]]?.arrayValue?.first?["readinessProbe"]
        let period = Double(probe?["periodSeconds"]?.intValue ?? 10)
        let last = simulation.unhealthyProbes[key] ?? .distantPast
        guard now.timeIntervalSince(last) >= period else { return }
        simulation.unhealthyProbes[key] = now
        let port = probe?[path: ["httpGet", "port"]]?.intValue ?? 8080
        let path = probe?[path: ["httpGet", "path"]]?.stringValue ?? "/"
        appendLog(key, now: now, "GET \(path) on :\(port): 503 Service Unavailable")
        recordEvent(about: pod, type: "Warning", reason: "Unhealthy",
                    message: "Readiness probe failed: HTTP probe failed with statuscode: 503", now: now)
    }

    /// When a pending pod starts: its creation, plus the start-up delay.
    func startTime(ofPodCreated pod: JSONValue) -> Date {
        let created = pod[path: ["metadata", "creationTimestamp"]]?.stringValue.flatMap(parseTimestamp) ?? .distantPast
        return created.addingTimeInterval(settings.podStartupSeconds)
    }

    private mutating func markOwnersToReconcile(_ pod: JSONValue) {
        for owner in Self.owners(of: pod) {
            if let deployment = simulation.deploymentsByUID[owner] { simulation.deploymentsToReconcile.insert(deployment) }
        }
    }

    mutating func appendLog(_ key: ObjectKey, now: Date, _ line: String) {
        podLogs[key, default: []].append("\(microTimestamp(now)) \(line)")
    }

    // MARK: - Jobs

    private mutating func startJobPod(_ key: ObjectKey, now: Date) {
        guard let job = store.get(BuiltInTypes.jobs.id, key)?.value, job.deletionTimestamp == nil else { return }
        let owner: JSONValue = [
            "apiVersion": "batch/v1", "kind": "Job", "name": .string(key.name),
            "uid": job[path: ["metadata", "uid"]] ?? .null, "controller": true, "blockOwnerDeletion": true,
        ]
        createPod(name: "\(key.name)-\(nameSuffix())", namespace: key.namespace,
                  labels: job[path: ["spec", "template", "metadata", "labels"]]?.objectValue ?? [:],
                  annotations: job[path: ["spec", "template", "metadata", "annotations"]], owner: owner,
                  spec: job[path: ["spec", "template", "spec"]] ?? [:], now: now)
        setJobStatus(key) { status in status["active"] = .int((status["active"]?.intValue ?? 0) + 1) }
        recordEvent(about: job, reason: "SuccessfulCreate", message: "Created pod: \(key.name)", now: now)
    }

    private mutating func progressJob(_ key: ObjectKey, now: Date) {
        guard let job = store.get(BuiltInTypes.jobs.id, key)?.value, let uid = job[path: ["metadata", "uid"]]?.stringValue else {
            simulation.runningJobs.remove(key)
            return
        }
        let outcome = jobOutcomes[key] ?? JobOutcome(result: .succeed, afterSeconds: settings.jobSeconds)
        let status = job["status"] ?? [:]
        if let deadline = job[path: ["spec", "activeDeadlineSeconds"]]?.intValue,
            let start = status["startTime"]?.stringValue.flatMap(parseTimestamp), now.timeIntervalSince(start) >= Double(deadline)
        {
            for pod in pods(ownedBy: uid) where pod[path: ["status", "phase"]] == "Running" || pod[path: ["status", "phase"]] == "Pending" {
                finishPod(pod, succeeded: false, now: now)
            }
            finishJob(key, job, succeeded: false, reason: "DeadlineExceeded", message: "Job was active longer than specified deadline", now: now)
            return
        }
        for pod in pods(ownedBy: uid) where pod[path: ["status", "phase"]] == "Running" {
            guard outcome.result != .hang,
                let started = pod[path: ["status", "startTime"]]?.stringValue.flatMap(parseTimestamp),
                now.timeIntervalSince(started) >= outcome.afterSeconds
            else { continue }
            let succeeded = outcome.result == .succeed
            finishPod(pod, succeeded: succeeded, now: now)
            var failedCount = 0
            setJobStatus(key) { status in
                status["active"] = .int(max(0, (status["active"]?.intValue ?? 1) - 1))
                let counter = succeeded ? "succeeded" : "failed"
                status[counter] = .int((status[counter]?.intValue ?? 0) + 1)
                failedCount = status["failed"]?.intValue ?? 0
            }
            guard let current = store.get(BuiltInTypes.jobs.id, key)?.value else { return }
            if succeeded {
                finishJob(key, current, succeeded: true, reason: "CompletionsReached", message: "Reached expected number of succeeded pods", now: now)
            } else if failedCount > current[path: ["spec", "backoffLimit"]]?.intValue ?? 6 {
                finishJob(key, current, succeeded: false, reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit", now: now)
            } else {
                startJobPod(key, now: now)
            }
        }
    }

    private mutating func finishPod(_ pod: JSONValue, succeeded: Bool, now: Date) {
        let key = ObjectKey(object: pod)
        var pod = pod
        let started = pod[path: ["status", "startTime"]]?.stringValue ?? timestamp(now)
        let ip = pod[path: ["status", "podIP"]]?.stringValue ?? ""
        pod["status"] = Self.podStatus(
            phase: succeeded ? "Succeeded" : "Failed", ready: false, containers: pod[path: ["spec", "containers"]]?.arrayValue ?? [],
            started: started, ip: ip, now: now, terminated: succeeded ? (0, "Completed") : (1, "Error"))
        store.put(BuiltInTypes.pods.id, key, pod)
        simulation.startingPods[key] = nil
        appendLog(key, now: now, succeeded ? "done" : "error: the job failed (exit code 1)")
    }

    private mutating func finishJob(_ key: ObjectKey, _ job: JSONValue, succeeded: Bool, reason: String, message: String, now: Date) {
        simulation.runningJobs.remove(key)
        let time = JSONValue.string(timestamp(now))
        setJobStatus(key) { status in
            status["active"] = nil
            status["ready"] = 0
            status["terminating"] = 0
            let (target, final) = succeeded ? ("SuccessCriteriaMet", "Complete") : ("FailureTarget", "Failed")
            status["conditions"] = [
                ["type": .string(target), "status": "True", "reason": .string(reason), "message": .string(message),
                 "lastProbeTime": time, "lastTransitionTime": time],
                ["type": .string(final), "status": "True", "reason": .string(reason), "message": .string(message),
                 "lastProbeTime": time, "lastTransitionTime": time],
            ]
            if succeeded { status["completionTime"] = time }
        }
        recordEvent(about: job, type: succeeded ? "Normal" : "Warning", reason: succeeded ? "Completed" : reason,
                    message: succeeded ? "Job completed" : message, now: now)
    }

    private mutating func setJobStatus(_ key: ObjectKey, _ change: (inout JSONValue) -> Void) {
        guard var job = store.get(BuiltInTypes.jobs.id, key)?.value else { return }
        var status = job["status"] ?? [:]
        change(&status)
        status["uncountedTerminatedPods"] = [:]
        job["status"] = status
        store.put(BuiltInTypes.jobs.id, key, job)
    }

    // MARK: - Events

    /// Records a core/v1 Event about `object`, or counts one more of the same.
    mutating func recordEvent(about object: JSONValue, type: String = "Normal", reason: String, message: String, now: Date) {
        let involved = ObjectKey(object: object)
        let namespace = involved.namespace.isEmpty ? "default" : involved.namespace
        let identity = "\(object["kind"]?.stringValue ?? "")/\(involved.name)/\(reason)/\(message)"
        let name = "\(involved.name).\(Self.templateHash(.string(identity)))"
        let key = ObjectKey(namespace: namespace, name: name)
        let time = JSONValue.string(timestamp(now))
        if var event = store.get(BuiltInTypes.events.id, key)?.value {
            event["count"] = .int((event["count"]?.intValue ?? 1) + 1)
            event["lastTimestamp"] = time
            store.put(BuiltInTypes.events.id, key, consume event)
            return
        }
        let component = ["Started", "Unhealthy"].contains(reason) ? "kubelet" : "\(object["kind"]?.stringValue.map { $0.lowercased() } ?? "")-controller"
        let event: JSONValue = [
            "apiVersion": "v1", "kind": "Event",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "uid": .string(newUID()), "creationTimestamp": time],
            "involvedObject": [
                "kind": object["kind"] ?? "", "apiVersion": object["apiVersion"] ?? "", "name": .string(involved.name),
                "namespace": .string(namespace), "uid": object[path: ["metadata", "uid"]] ?? "",
            ],
            "type": .string(type), "reason": .string(reason), "message": .string(message), "count": 1,
            "firstTimestamp": time, "lastTimestamp": time, "eventTime": .null,
            "source": ["component": .string(component)], "reportingComponent": .string(component), "reportingInstance": "",
        ]
        store.put(BuiltInTypes.events.id, key, consume event)
    }
}

/// The simulation's indexes, so that each step visits only what has something pending.
struct SimulationState: Sendable {
    /// Pending pods, with the time they are due to start.
    var startingPods: [ObjectKey: Date] = [:]
    /// Deployments to reconcile on the next step: written, or one of their pods changed.
    var deploymentsToReconcile: Set<ObjectKey> = []
    var templateHashes: [ObjectKey: (generation: Int, hash: String)] = [:]
    var runningJobs: Set<ObjectKey> = []
    /// Unhealthy running pods, with the time of their last failed probe.
    var unhealthyProbes: [ObjectKey: Date] = [:]
    var podsByOwner: [String: Set<ObjectKey>] = [:]
    var deploymentsByUID: [String: ObjectKey] = [:]
    /// What the garbage collector has still to look at.
    var garbage = GarbageQueue()
    /// Namespaces the namespace controller is emptying.
    var terminatingNamespaces: Set<String> = []
    /// Pods deleted with a grace period, for kubelet to finish.
    var terminatingPods: Set<ObjectKey> = []
}
