import Foundation
import HTTP
import JSON
import Kube
import Model
import TestSupport
import Testing

/// Every verb of the client, over libcurl, against the mock cluster; each checks what the
/// server now holds and, where the order of calls matters, the mock's log of what it was sent.
@Suite(.tags(.live)) struct LiveVerbTests {
    /// The curl tool asks `Expect: 100-continue` before a body over 1 MB, and waits a second for
    /// the go-ahead unless it comes: the mock gives it at once.
    @Test func aClientThatAsksBeforeSendingALargeBodyIsAnsweredAtOnce() async throws {
        try await LiveCluster.run { cluster in
            /// How long a create of a 1.1 MB ConfigMap takes, with or without asking first: over curl's
            /// 1 MiB threshold, and within what a real cluster stores (1 MiB of data, 256 KiB of annotations).
            func timedCreate(_ name: String, expectContinue: Bool) async throws -> Duration {
                let body = JSONValue.object([
                    "apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": ["name": .string(name), "annotations": ["pad": .string(String(repeating: "p", count: 100_000))]],
                    "data": ["blob": .string(String(repeating: "x", count: 1_000_000))],
                ]).jsonBytes
                var headers: HTTPHeaders = ["Content-Type": "application/json"]
                if expectContinue { headers.add("Expect", "100-continue") }
                let request = HTTPRequest(method: .post, url: "\(cluster.baseURL)/api/v1/namespaces/default/configmaps", headers: headers, body: body)
                let started = ContinuousClock.now
                let response = try await HTTPClient(logger: LiveCluster.quiet).send(request)
                #expect(response.status == 201)
                return ContinuousClock.now - started
            }
            // Against the same request without the question, so that a loaded machine's slowness
            // cancels out: a server that never says "go ahead" costs curl's whole second.
            let plain = try await timedCreate("plain", expectContinue: false)
            let asking = try await timedCreate("asking", expectContinue: true)
            #expect(asking - plain < .milliseconds(800))
        }
    }

    @Test func createGetUpdateDeleteAndTheirTypedErrors() async throws {
        try await LiveCluster.run { cluster in
            let client = cluster.client
            let created = try await client.create(ConfigMap("settings", labels: ["app": "web"], data: ["mode": "strict"]), .configMaps)
            #expect(created.metadata.namespace == "default")
            #expect(created.metadata.uid?.isEmpty == false)
            #expect(created.version > 0)
            #expect(created.data == ["mode": "strict"])

            #expect(try await client.get(ConfigMap.self, .configMaps, name: "settings") == created)

            let duplicate = await #expect(throws: KubeError.self) { try await client.create(ConfigMap("settings"), .configMaps) }
            #expect(duplicate?.reason == .alreadyExists)

            var changed = created
            changed.data = ["mode": "lenient"]
            let updated = try await client.update(changed, .configMaps, name: "settings")
            #expect(updated.data == ["mode": "lenient"])
            #expect(updated.metadata.uid == created.metadata.uid)
            #expect(updated.version > created.version)

            // A precondition on another uid refuses the delete and leaves the object in place.
            let refused = await #expect(throws: KubeError.self) {
                try await client.delete(.configMaps, name: "settings", options: DeleteOptions(preconditions: .init(uid: "not-its-uid")))
            }
            #expect(refused?.reason == .conflict)
            #expect(try await client.get(ConfigMap.self, .configMaps, name: "settings").data == ["mode": "lenient"])

            try await client.delete(.configMaps, name: "settings")
            let gone = await #expect(throws: KubeError.self) { try await client.get(ConfigMap.self, .configMaps, name: "settings") }
            #expect(gone?.reason == .notFound)
            if case .api(let error)? = gone {
                #expect(error.code == 404)
                #expect(error.message == "configmaps \"settings\" not found")
            }
            let again = await #expect(throws: KubeError.self) { try await client.delete(.configMaps, name: "settings") }
            #expect(again?.reason == .notFound)

            // Each call went out once: no retries of answers that retrying cannot change.
            let path = "/api/v1/namespaces/default/configmaps"
            #expect(try await cluster.requests().map(\.description) == [
                "POST \(path) 201", "GET \(path)/settings 200", "POST \(path) 409", "PUT \(path)/settings 200",
                "DELETE \(path)/settings 409", "GET \(path)/settings 200", "DELETE \(path)/settings 200",
                "GET \(path)/settings 404", "DELETE \(path)/settings 404",
            ])
        }
    }

    @Test func listSelectsByLabelsAndFieldsPagesAndSpansNamespaces() async throws {
        try await LiveCluster.run { cluster in
            let client = cluster.client
            let labels: [(String, [String: String]?)] = [
                ("a", ["app": "web", "tier": "front"]), ("b", ["app": "web", "tier": "back"]), ("c", ["app": "db"]),
                ("d", ["app": "web", "tier": "front"]), ("e", nil),
            ]
            var last = 0
            for (name, labels) in labels {
                last = try await client.create(ConfigMap(name, labels: labels), .configMaps).version
            }
            func names(_ options: ListOptions) async throws -> [String] {
                try await client.list(ConfigMap.self, .configMaps, options: options).items.map(\.metadata.name)
            }
            #expect(try await names(ListOptions(labelSelector: "app=web")) == ["a", "b", "d"])
            #expect(try await names(ListOptions(labelSelector: "app=web,tier!=back")) == ["a", "d"])
            #expect(try await names(ListOptions(labelSelector: "tier in (front,back)")) == ["a", "b", "d"])
            #expect(try await names(ListOptions(labelSelector: "!tier")) == ["c", "e"])
            #expect(try await names(ListOptions(fieldSelector: "metadata.name=c")) == ["c"])
            #expect(try await names(ListOptions(labelSelector: "app=web", fieldSelector: "metadata.name!=a")) == ["b", "d"])
            #expect(try await names(ListOptions(labelSelector: "app=nothing")) == [])

            let all = try await client.list(ConfigMap.self, .configMaps)
            #expect(all.kind == "ConfigMapList")
            #expect((Int(all.metadata?.resourceVersion ?? "") ?? 0) >= last)

            // Pages of two, each continuing after the last.
            var pages: [[String]] = []
            var token: String?
            repeat {
                let page = try await client.list(ConfigMap.self, .configMaps, options: ListOptions(limit: 2, continueToken: token))
                pages.append(page.items.map(\.metadata.name))
                token = page.metadata?.continue
            } while token != nil && pages.count < 10
            #expect(pages == [["a", "b"], ["c", "d"], ["e"]])

            // A cluster-scoped create (a Namespace), then a list across every namespace.
            struct Namespace: Codable { var apiVersion = "v1"; var kind = "Namespace"; var metadata: ConfigMap.Metadata }
            let namespace = try await client.create(Namespace(metadata: .init(name: "team")), .namespaces)
            #expect(namespace.metadata.namespace == nil)
            _ = try await client.create(ConfigMap("f", labels: ["app": "web"]), .configMaps, namespace: "team")
            let everywhere = try await client.list(ConfigMap.self, .configMaps, allNamespaces: true, options: ListOptions(labelSelector: "app=web"))
            #expect(everywhere.items.map { "\($0.metadata.namespace ?? "")/\($0.metadata.name)" } == ["default/a", "default/b", "default/d", "team/f"])
            #expect(try await client.list(ConfigMap.self, .configMaps, namespace: "team").items.map(\.metadata.name) == ["f"])

            let sent = try await cluster.requests().filter { $0.method == "GET" }.map(\.target)
            #expect(sent.contains("/api/v1/namespaces/default/configmaps?labelSelector=tier in (front,back)"))
            #expect(sent.contains("/api/v1/configmaps?labelSelector=app=web"))
        }
    }

    @Test func theFourPatchFormats() async throws {
        try await LiveCluster.run { cluster in
            let client = cluster.client
            let created = try await client.create(deployment("web", replicas: 2), .deployments)
            #expect(created[path: ["metadata", "generation"]] == 1)

            // Merge patch: maps merge, and a label is not a spec change.
            let labelled = try await client.patch(JSONValue.self, .deployments, name: "web", patch: bytes(#"{"metadata":{"labels":{"tier":"front"}}}"#), patchType: .merge)
            #expect(labelled[path: ["metadata", "labels"]] == ["app": "web", "tier": "front"])
            #expect(labelled[path: ["metadata", "generation"]] == 1)

            // Strategic merge: containers merge by name, so the sidecar stays.
            let smp = bytes(#"{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"registry.gov/web:2.0"}]}}}}"#)
            let rolled = try await client.patch(JSONValue.self, .deployments, name: "web", patch: smp, patchType: .strategicMerge)
            #expect(rolled.containerImages == ["app": "registry.gov/web:2.0", "log": "registry.gov/log-shipper:3"])
            #expect(rolled[path: ["metadata", "generation"]] == 2)
            // The same body as a merge patch replaces the whole list: the difference the format makes.
            let replaced = try await client.patch(JSONValue.self, .deployments, name: "web", patch: smp, patchType: .merge)
            #expect(replaced.containerImages == ["app": "registry.gov/web:2.0"])

            // JSON patch: operations in order, a failed `test` changes nothing.
            let operations = bytes(#"[{"op":"test","path":"/spec/replicas","value":2},{"op":"replace","path":"/spec/replicas","value":3},{"op":"add","path":"/metadata/annotations","value":{"note":"json-patch"}}]"#)
            let patched = try await client.patch(JSONValue.self, .deployments, name: "web", patch: operations, patchType: .json)
            #expect(patched[path: ["spec", "replicas"]] == 3)
            #expect(patched[path: ["metadata", "annotations", "note"]] == "json-patch")
            let failed = await #expect(throws: KubeError.self) {
                try await client.patch(JSONValue.self, .deployments, name: "web", patch: operations, patchType: .json)
            }
            #expect(failed?.reason == .invalid)
            // (Its status moves on as the simulated pods start; the spec is what the patch would change.)
            #expect(try await client.get(JSONValue.self, .deployments, name: "web")["spec"] == patched["spec"])

            // Server-side apply: creates what is missing, records its manager, and applies again.
            let intent = ConfigMap("applied", labels: ["app": "web"], data: ["mode": "strict"])
            let applied = try await client.apply(intent, .configMaps, name: "applied", fieldManager: "hms-live-tests")
            #expect(applied.data == ["mode": "strict"])
            var changedIntent = intent
            changedIntent.data = ["mode": "lenient"]
            let reapplied = try await client.apply(changedIntent, .configMaps, name: "applied", fieldManager: "hms-live-tests", force: true)
            #expect(reapplied.data == ["mode": "lenient"])
            #expect(reapplied.metadata.uid == applied.metadata.uid)
            let managers = try await client.get(JSONValue.self, .configMaps, name: "applied")[path: ["metadata", "managedFields"]]?.arrayValue ?? []
            #expect(managers.map { $0["manager"] } == ["hms-live-tests"])
            #expect(managers.map { $0["operation"] } == ["Apply"])

            let patches = try await cluster.requests().filter { $0.method == "PATCH" }.map(\.description)
            #expect(patches == [
                "PATCH /apis/apps/v1/namespaces/default/deployments/web 200",
                "PATCH /apis/apps/v1/namespaces/default/deployments/web 200",
                "PATCH /apis/apps/v1/namespaces/default/deployments/web 200",
                "PATCH /apis/apps/v1/namespaces/default/deployments/web 200",
                "PATCH /apis/apps/v1/namespaces/default/deployments/web 422",
                "PATCH /api/v1/namespaces/default/configmaps/applied?fieldManager=hms-live-tests 201",
                "PATCH /api/v1/namespaces/default/configmaps/applied?fieldManager=hms-live-tests&force=true 200",
            ])
        }
    }

    @Test func theScaleSubresourceMovesReplicasAndThePodsFollow() async throws {
        try await LiveCluster.run { cluster in
            let client = cluster.client
            _ = try await client.create(deployment("web", replicas: 1), .deployments)
            let before = try await client.getScale(.deployments, name: "web")
            #expect(before.kind == "Scale")
            #expect(before.spec.replicas == 1)
            #expect(before.status?.selector == "app=web")

            let scaled = try await client.scale(.deployments, name: "web", replicas: 3)
            #expect(scaled.spec.replicas == 3)
            #expect(try await client.get(JSONValue.self, .deployments, name: "web")[path: ["spec", "replicas"]] == 3)
            // The simulated kubelet starts pods for the new count; status follows.
            try await eventually("three pods of web are running") {
                try await client.getScale(.deployments, name: "web").status?.replicas == 3
            }
            let pods = try await client.list(JSONValue.self, .pods, options: ListOptions(labelSelector: scaled.status?.selector ?? "app=web"))
            #expect(pods.items.count == 3)

            let scaledDown = try await client.scale(.deployments, name: "web", replicas: 0)
            // autoscaling/v1 omits a replica count of 0 (int32, omitempty), as a real apiserver does.
            #expect((scaledDown.spec.replicas ?? 0) == 0)
            try await eventually("web has no pods") {
                try await client.list(JSONValue.self, .pods, options: ListOptions(labelSelector: "app=web")).items.isEmpty
            }

            // A ConfigMap has no scale subresource.
            _ = try await client.create(ConfigMap("plain"), .configMaps)
            let noScale = await #expect(throws: KubeError.self) { try await client.scale(.configMaps, name: "plain", replicas: 2) }
            #expect(noScale?.reason == .notFound)
        }
    }

    /// The CRDs of manifests/crds, served, and the status subresource of one of our kinds.
    @Test func customResourcesAndTheStatusSubresource() async throws {
        try await LiveCluster.run { cluster in
            let client = cluster.client
            let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("manifests/crds")
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }.sorted()
            #expect(files.count == 6)
            for file in files {
                // `ops.hms.gov_servicespecs.yaml` defines `servicespecs.ops.hms.gov`. Apply takes
                // YAML as it stands in the file, as `kubectl apply --server-side` would send it.
                let parts = file.dropLast(".yaml".count).split(separator: "_", maxSplits: 1)
                let name = "\(parts.last ?? "").\(parts.first ?? "")"
                let yaml = try [UInt8](Data(contentsOf: directory.appendingPathComponent(file)))
                let crd = try await client.patch(JSONValue.self, .customResourceDefinitions, name: name, patch: yaml, patchType: .apply(fieldManager: "hms-live-tests", force: true))
                #expect(crd[path: ["spec", "group"]] == "ops.hms.gov")
                #expect(crd[path: ["metadata", "name"]]?.stringValue == name)
            }
            let served = try await client.list(JSONValue.self, .customResourceDefinitions).items.compactMap { $0[path: ["metadata", "name"]]?.stringValue }
            #expect(served == files.map { file in
                let parts = file.dropLast(".yaml".count).split(separator: "_", maxSplits: 1)
                return "\(parts.last ?? "").\(parts.first ?? "")"
            }.sorted())

            let type = ResourceType.of(ServiceSpec.self)
            // Status has no public memberwise init: the controller is what writes it.
            let status = try JSONDecoder().decode(ServiceSpec.Status.self, from: Data(#"{"observedGeneration":1,"replicas":4,"readyReplicas":2,"lastAction":"deploy"}"#.utf8))
            var spec = ServiceSpec(metadata: ObjectMeta(name: "eligibility-api"), spec: .init(image: "registry.gov/eligibility-api:1.4", replicas: 4), status: status)
            let created = try await client.create(spec, type)
            #expect(created.spec == spec.spec)
            #expect(created.metadata.generation == 1)
            // With a status subresource, a create's status is dropped: only /status writes it.
            #expect(created.status == nil)

            // A status write changes status only, and is not a new generation.
            spec = created
            spec.spec.image = "registry.gov/eligibility-api:9.9"
            spec.status = status
            let withStatus = try await client.updateStatus(spec, type, name: "eligibility-api")
            #expect(withStatus.status == spec.status)
            #expect(withStatus.spec.image == "registry.gov/eligibility-api:1.4")
            #expect(withStatus.metadata.generation == 1)

            // A main-resource write changes spec only, and is.
            var respec = withStatus
            respec.spec.replicas = 6
            respec.status?.lastAction = "not through the main resource"
            let updated = try await client.update(respec, type, name: "eligibility-api")
            #expect(updated.spec.replicas == 6)
            #expect(updated.status == spec.status)
            #expect(updated.metadata.generation == 2)

            // A merge patch of the status subresource; strategic merge is for built-in kinds only.
            let patched = try await client.patch(ServiceSpec.self, type, name: "eligibility-api", subresource: "status",
                                                 patch: bytes(#"{"status":{"readyReplicas":4,"observedGeneration":2}}"#), patchType: .merge)
            #expect(patched.status?.readyReplicas == 4)
            #expect(patched.status?.observedGeneration == 2)
            #expect(patched.status?.lastAction == "deploy")
            let unsupported = await #expect(throws: KubeError.self) {
                try await client.patch(ServiceSpec.self, type, name: "eligibility-api", patch: bytes(#"{"spec":{"replicas":1}}"#), patchType: .strategicMerge)
            }
            #expect(unsupported?.reason == .unsupportedMediaType)

            // A status write from a stale copy is refused.
            let stale = await #expect(throws: KubeError.self) { try await client.updateStatus(withStatus, type, name: "eligibility-api") }
            #expect(stale?.reason == .conflict)

            let all = try await client.list(ServiceSpec.self, type)
            #expect(all.items.map(\.metadata.name) == ["eligibility-api"])
            #expect(all.items.first?.status?.readyReplicas == 4)
        }
    }
}
