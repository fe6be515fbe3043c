import Foundation
import JSON
@testable import MockCluster
import Testing

/// Objects stored alike hold their common parts once (copy-on-write shares one copy among them),
/// and what is read back is still exactly what each object is.
@Suite(.tags(.unit)) struct SharedPartsTests {
    static func deployment(_ name: String) -> JSONValue {
        [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name), "labels": ["app": .string(name)]],
            "spec": [
                "replicas": 0, "selector": ["matchLabels": ["app": .string(name)]],
                "template": [
                    "metadata": ["labels": ["app": .string(name)]],
                    "spec": [
                        "containers": [[
                            "name": "main", "image": "registry.gov/web:1.0", "env": [["name": "LOG_LEVEL", "value": "info"]],
                            "resources": ["limits": ["cpu": "1", "memory": "512Mi"]],
                        ]]
                    ],
                ],
            ],
        ]
    }

    /// Where an array keeps its elements: the same address for two arrays only when they share storage.
    static func storage(of array: JSONValue?) -> UnsafeRawPointer? {
        array?.arrayValue?.withUnsafeBufferPointer { $0.baseAddress.map(UnsafeRawPointer.init) }
    }

    @Test func deploymentsCreatedAlikeShareTheirContainersAndReadBackUnchanged() throws {
        var harness = Harness()
        let names = (0..<8).map { "web-\($0)" }
        for name in names {
            #expect(harness.send("POST", "/apis/apps/v1/namespaces/default/deployments", Self.deployment(name)).status == 201)
        }
        let containers = names.map { name in
            Self.storage(of: harness.cluster.store.get(BuiltInTypes.deployments.id, ObjectKey(namespace: "default", name: name))?
                .value[path: ["spec", "template", "spec", "containers"]])
        }
        // A part is shared once the parts it is made of are: the containers, four levels up from
        // the env entries and limits, from the fifth Deployment on.
        #expect(containers[7] != nil)
        #expect(containers[6] == containers[7])
        #expect(containers[0] != containers[7])
        for name in names {
            let read = harness.get("/apis/apps/v1/namespaces/default/deployments/\(name)")
            #expect(read[path: ["metadata", "name"]] == .string(name))
            #expect(read[path: ["spec", "selector", "matchLabels", "app"]] == .string(name))
            let container = read[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first
            #expect(container?[path: ["resources", "limits", "memory"]] == "512Mi")
        }
    }

    @Test func sharingKeepsEveryValueEqualToWhatWasGiven() {
        var parts = SharedParts()
        let values: [JSONValue] = (0..<6).map { index in
            ["name": .string("a-rather-long-name-\(index % 2)"), "items": [1, 2.5, true, .null, ["k": "v"], []], "empty": [:]]
        }
        for value in values { #expect(parts.share(value) == value) }
    }
}
