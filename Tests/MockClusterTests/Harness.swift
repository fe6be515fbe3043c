import Foundation
import JSON
@testable import MockCluster

/// A mock cluster driven by hand: requests as values, time moved explicitly.
struct Harness {
    var cluster: MockCluster
    var now = Date(timeIntervalSince1970: 1_800_000_000)

    init(podStartupSeconds: Double = 1, jobSeconds: Double = 2) {
        var settings = MockCluster.Settings()
        settings.podStartupSeconds = podStartupSeconds
        settings.jobSeconds = jobSeconds
        cluster = MockCluster(settings: settings, now: now)
    }

    @discardableResult
    mutating func send(
        _ method: String, _ target: String, _ body: JSONValue? = nil,
        contentType: String = "application/json", accept: String = "application/json"
    ) -> (status: Int, json: JSONValue, response: APIResponse) {
        let request = APIRequest(
            method: method, target: target, headers: ["content-type": contentType, "accept": accept, "user-agent": "tests/1.0"],
            body: body?.jsonBytes ?? [])
        let response = cluster.handle(request, now: now)
        let json = (try? JSONValue(parsing: response.bodyBytes)) ?? .null
        return (response.status, json, response)
    }

    mutating func wait(_ seconds: Double) {
        now += seconds
        cluster.advance(to: now)
    }

    mutating func get(_ target: String) -> JSONValue { send("GET", target).json }

    static func deployment(_ name: String, replicas: Int, image: String = "registry.gov/web:1.0") -> JSONValue {
        [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name), "labels": ["app": .string(name)]],
            "spec": [
                "replicas": .int(replicas), "selector": ["matchLabels": ["app": .string(name)]],
                "template": [
                    "metadata": ["labels": ["app": .string(name)]],
                    "spec": ["containers": [["name": .string(name), "image": .string(image), "ports": [["containerPort": 8080]]]]],
                ],
            ],
        ]
    }

    static func job(_ name: String, backoffLimit: Int = 0) -> JSONValue {
        [
            "apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": .string(name)],
            "spec": [
                "backoffLimit": .int(backoffLimit),
                "template": ["spec": ["restartPolicy": "Never", "containers": [["name": "worker", "image": "registry.gov/worker:1"]]]],
            ],
        ]
    }

    /// Names of the pods a label selector picks, sorted.
    mutating func podNames(_ selector: String = "app=web") -> [String] {
        (get("/api/v1/namespaces/default/pods?labelSelector=\(selector)")["items"]?.arrayValue ?? [])
            .compactMap { $0[path: ["metadata", "name"]]?.stringValue }.sorted()
    }

    mutating func pods(_ selector: String = "app=web") -> [JSONValue] {
        get("/api/v1/namespaces/default/pods?labelSelector=\(selector)")["items"]?.arrayValue ?? []
    }
}

extension JSONValue {
    /// Watch output: one JSON event per line.
    static func lines(_ bytes: [UInt8]) -> [JSONValue] {
        bytes.split(separator: UInt8(ascii: "\n")).compactMap { try? JSONValue(parsing: Array($0)) }
    }
}
