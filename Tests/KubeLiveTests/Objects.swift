import Foundation
import JSON
import Kube

/// A ConfigMap as a typed value: what most controller code decodes into.
struct ConfigMap: Codable, Sendable, Equatable {
    struct Metadata: Codable, Sendable, Equatable {
        var name: String
        var namespace: String?
        var labels: [String: String]?
        var resourceVersion: String?
        var uid: String?
    }

    var apiVersion = "v1"
    var kind = "ConfigMap"
    var metadata: Metadata
    var data: [String: String]?

    init(_ name: String, namespace: String? = nil, labels: [String: String]? = nil, data: [String: String]? = nil) {
        metadata = Metadata(name: name, namespace: namespace, labels: labels)
        self.data = data
    }

    /// The resourceVersion as a number, to compare which write came later.
    var version: Int { Int(metadata.resourceVersion ?? "") ?? -1 }
}

/// An apps/v1 Deployment with an app container and a log sidecar (so list merges show).
func deployment(_ name: String, replicas: Int, image: String = "registry.gov/web:1.0") -> JSONValue {
    [
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": ["name": .string(name), "labels": ["app": .string(name)]],
        "spec": [
            "replicas": .int(replicas),
            "selector": ["matchLabels": ["app": .string(name)]],
            "template": [
                "metadata": ["labels": ["app": .string(name)]],
                "spec": [
                    "containers": [
                        ["name": "app", "image": .string(image), "ports": [["containerPort": 8080]]],
                        ["name": "log", "image": "registry.gov/log-shipper:3"],
                    ]
                ],
            ],
        ],
    ]
}

extension JSONValue {
    /// `metadata.resourceVersion` as a number.
    var version: Int { self[path: ["metadata", "resourceVersion"]]?.stringValue.flatMap(Int.init) ?? -1 }

    /// The containers of a Deployment's pod template, as name: image.
    var containerImages: [String: String] {
        var images: [String: String] = [:]
        for container in self[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? [] {
            if let name = container["name"]?.stringValue { images[name] = container["image"]?.stringValue ?? "" }
        }
        return images
    }
}

/// JSON text as bytes, for patch bodies written out in full.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
